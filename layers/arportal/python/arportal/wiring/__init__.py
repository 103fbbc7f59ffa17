"""The composition root shared by the API functions: the adapters a use case needs, built from this process's
settings and handed to the service. Services never build their own (``arportal.services`` imports no adapters
and reads no configuration: the import contracts in pyproject.toml, ``make lint``).

Everything is imported inside the functions: a handler that never pays loads no PDF writer, S3, SES or
processor client. Routes import this module; the domain, ports, services, adapters and ``arportal.api`` never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from arportal import clock
from arportal.config import settings

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
    from arportal.ports import PaymentProcessor
    from arportal.services.credit import ApplyCredit, CreditApplied
    from arportal.services.payments import PayCommand, PaymentsConfig
    from arportal.services.receipts import Checkout, Contact, ReceiptServices


@dataclass(frozen=True)
class PaymentWiring:
    """What taking a payment needs: the ledger, this deployment's processor, the fees, and the receipt's parts."""

    ledger: DynamoPaymentPosting
    processor: PaymentProcessor
    config: PaymentsConfig
    receipts: ReceiptServices


def payments(*, chained_audit: bool = False) -> PaymentWiring:
    """The payment dependencies of the portal, the guest page, the processor webhook and (``chained_audit``: each
    payment also on the staff audit chain) the staff console."""
    from arportal.adapters.dynamodb.documents import DynamoDocuments
    from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
    from arportal.adapters.pdf.receipt import PdfReceiptRenderer
    from arportal.adapters.processors import processor_for
    from arportal.adapters.s3 import S3DocumentStore
    from arportal.adapters.ses import SesMailer
    from arportal.services.payments import PaymentsConfig, fee_schedule
    from arportal.services.receipts import ReceiptServices

    s = settings()
    processor = processor_for(s)
    ledger = DynamoPaymentPosting(s.ledger_table, s.audit_table, chained_audit=chained_audit)
    receipts = ReceiptServices(
        records=ledger,
        documents=DynamoDocuments(s.ledger_table),
        files=S3DocumentStore(s.documents_bucket),
        mailer=SesMailer(s.sender_email),
        renderer=PdfReceiptRenderer(),
        agency_name=s.agency_name,
        portal_url=s.web_origin if s.web_origin.startswith("https://") else None,
    )
    config = PaymentsConfig(s.currency, fee_schedule(s.convenience_fees), processor.name)
    return PaymentWiring(ledger, processor, config, receipts)


def checkout(command: PayCommand, *, contact: Contact | None) -> Checkout:
    """Charge, post and confirm one payment (``services/receipts.pay_and_confirm``) now, on this deployment."""
    from arportal.services.receipts import pay_and_confirm

    wired = payments()
    return pay_and_confirm(
        command,
        ledger=wired.ledger,
        processor=wired.processor,
        config=wired.config,
        services=wired.receipts,
        contact=contact,
        now=clock.now(),
    )


def apply_credit(command: ApplyCredit) -> CreditApplied:
    """Apply held credit (``services/credit.apply_credit``) now, on this deployment's ledger."""
    from arportal.adapters.dynamodb.credit_applications import DynamoCreditApplications
    from arportal.services.credit import apply_credit as apply

    s = settings()
    return apply(
        command, ledger=DynamoCreditApplications(s.ledger_table, s.audit_table), currency=s.currency, now=clock.now()
    )


def guest_token_key() -> bytes:
    """The agency's guest-token key, from the secret named by ``GUEST_TOKEN_SECRET_ARN`` (read once)."""
    from arportal.adapters.secrets import secret_string

    return secret_string(settings().guest_token_secret_arn).encode()
