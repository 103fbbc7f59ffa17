"""The composition root: every adapter and every wired use case is built here, and nowhere else.

Routes, workflow tasks and scheduled jobs ask this package for what they need; ``arportal.services`` imports no
adapters and reads no configuration, ``arportal.adapters`` and ``arportal.api`` never import this package, and no
function module imports ``arportal.adapters`` (the import contracts in pyproject.toml, ``make lint``, and
``tests/unit/test_composition_root.py``).

- Built lazily, once per container: each factory is ``@built_once``, so the first call builds from this process's
  settings and later calls get the same object; when the settings change (tests and the local runtime call
  ``settings.cache_clear()``), the next call builds again from the new ones.
- Everything is imported inside the factories: a handler that never pays loads no PDF writer, S3, SES or
  processor client, so a handler's cold import stays what its routes use (``bench/cold_import.py`` counts it).
- One module per area: ``stores.py`` (the adapters several functions share), then one module per caller
  (``portal.py``, ``staff.py``, ``public.py``, ``workflows.py``, ...); this module keeps the payment wiring the
  portal, the guest page, the processor webhook and the console share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, TypeVar

from arportal import clock
from arportal.config import RuntimeSettings, settings

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
    from arportal.ports import PaymentProcessor
    from arportal.services.credit import ApplyCredit, CreditApplied
    from arportal.services.payments import PayCommand, PaymentsConfig
    from arportal.services.receipts import Checkout, Contact, ReceiptServices


T = TypeVar("T")


def built_once(factory: Callable[[], T]) -> Callable[[], T]:
    """``factory()`` once per container: rebuilt only when the settings it was built from were replaced.

    Two threads of the local gateway may both build on a first call; adapters hold no state of their own (table
    names; the boto3 clients are ``adapters/aws.client``'s), so either copy serves."""
    slot: list[tuple[RuntimeSettings, T]] = []

    @wraps(factory)
    def get() -> T:
        current = settings()
        if not slot or slot[0][0] is not current:
            slot[:] = [(current, factory())]
        return slot[0][1]

    return get


@dataclass(frozen=True)
class PaymentWiring:
    """What taking a payment needs: the ledger, this deployment's processor, the fees, and the receipt's parts."""

    ledger: DynamoPaymentPosting
    processor: PaymentProcessor
    config: PaymentsConfig
    receipts: ReceiptServices


def payments(*, chained_audit: bool = False) -> PaymentWiring:
    """The payment dependencies of the portal, the guest page, the processor webhook and (``chained_audit``: each
    payment also on the staff audit chain) the staff console and the reconciler of payment intents."""
    from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
    from arportal.services.payments import PaymentsConfig, fee_schedule
    from arportal.wiring import stores

    s = settings()
    processor = stores.processor()
    ledger = DynamoPaymentPosting(s.ledger_table, s.audit_table, chained_audit=chained_audit)
    config = PaymentsConfig(s.currency, fee_schedule(s.convenience_fees), processor.name)
    return PaymentWiring(ledger, processor, config, stores.receipt_services())


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
