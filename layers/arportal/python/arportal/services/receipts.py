"""Receipts and payment confirmations: the receipt's Document record (its PDF rendered on first download, or now
where nobody could download it later: ``receipt_pdfs``), and the emails that tell the payer.

Everything here runs after the money has moved and the posting has committed, so nothing here may undo it or
fail it: each step's failure is logged and reported back in a ``ReceiptDelivery`` (the API says so in its
answer), and the receipt stays re-renderable from the ledger with ``send_receipt`` (the staff "resend" uses it).

Who is told: a portal payer at the email on the customer profile when its ``email_receipts`` preference is on
(failure notices always: the payer must act on them); a guest only at the ``receipt_email`` they gave.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from arportal.domain.agency_time import AgencyTime
from arportal.domain.email_feedback import RecipientSuppressedError
from arportal.domain.models import Allocation, Document, DocumentKind, Payment, Receipt, ReceiptLine
from arportal.domain.status import PaymentStatus
from arportal.ports import (
    DocumentRepository,
    DocumentStore,
    Email,
    Mailer,
    PaymentPosting,
    PaymentProcessor,
    PaymentRecords,
    ReceiptRenderer,
)
from arportal.services import receipt_pdfs
from arportal.services.documents import attach_document
from arportal.services.payment_notices import (
    DeclineAdvice,
    decline_advice,
    failure_notice,
    pending_notice,
    receipt_email,
)
from arportal.services.payments import PayCommand, PaymentsConfig, PayResult, pay

logger = logging.getLogger("arportal.receipts")
PDF = "application/pdf"


@dataclass(frozen=True)
class Contact:
    """Who a receipt names and where its emails go."""

    name: str
    email: str | None
    wants_receipts: bool = True


@dataclass(frozen=True)
class ReceiptServices:
    records: PaymentRecords
    documents: DocumentRepository
    files: DocumentStore
    mailer: Mailer
    renderer: ReceiptRenderer
    agency_name: str
    portal_url: str | None = None  # where a signed-in payer finds their documents; None: no link in emails
    url_ttl_s: int = 900
    time: AgencyTime = field(default_factory=AgencyTime)  # dates in emails are the agency's (TIME_ZONE)


@dataclass(frozen=True)
class ReceiptDelivery:
    """What became of a payment's receipt and emails. ``problems`` name what failed (the payment stands)."""

    receipt_number: str | None
    document_id: str | None = None
    url: str | None = None
    emailed_to: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)


def deliver_receipt(
    payment: Payment,
    receipt: Receipt,
    contact: Contact,
    services: ReceiptServices,
    *,
    now: datetime,
    email: bool = True,
    render_now: bool = False,
) -> ReceiptDelivery:
    """File the receipt (its Document record), and email it if the payer wants it. The PDF is rendered on first
    download where the payer can download it later (``receipt_pdfs``); otherwise, or with ``render_now``, it is
    rendered and stored now, linked, and attached to the email."""
    problems: list[str] = []
    pdf: bytes | None = None
    document: Document | None = None
    url = None
    later = not render_now and receipt_pdfs.renders_later(payment)
    try:
        if later:
            document = receipt_pdfs.file_receipt(payment, receipt, services, now)
        else:
            pdf = services.renderer.render(receipt, payment, agency_name=services.agency_name, payer=contact.name)
            document = _store(payment, receipt, pdf, services, now)
            url = services.files.url(document.storage_key, filename=document.filename, expires_in=services.url_ttl_s)
    except Exception:  # the receipt can be rendered again from the ledger; the payment stands either way
        logger.exception("receipt %s was not stored", receipt.receipt_number)
        problems.append("receipt_not_stored")
    sent: tuple[str, ...] = ()
    if email and contact.email and contact.wants_receipts:
        message = receipt_email(
            payment,
            receipt,
            services.agency_name,
            contact.name,
            services.portal_url,
            time=services.time,
            attached=pdf is not None,
        )
        if pdf is not None:
            message = Email(message.to, message.subject, message.text, attachments=((_filename(receipt), PDF, pdf),))
        sent = _send(services, message, contact.email, problems, "receipt_email_not_sent")
    return ReceiptDelivery(
        receipt.receipt_number, document.document_id if document else None, url, sent, tuple(problems)
    )


def send_receipt(
    customer_id: str, payment_id: str, *, to: str | None, services: ReceiptServices, now: datetime
) -> ReceiptDelivery | None:
    """Render a payment's receipt again from the ledger and email it to ``to`` (or the payer on file); None when
    the payment does not exist or has no receipt (it never posted)."""
    record = services.records.payment_record(customer_id, payment_id)
    if record is None or record.payment.receipt_number is None:
        return None
    receipt = record.receipt or receipt_from(record.payment, record.allocations, record.payment.receipt_number, now)
    payer = record.payer
    contact = Contact(
        name=payer.name if payer else "Guest payer",
        email=to or (payer.email if payer else None),
        wants_receipts=True,  # asked for explicitly
    )
    # Sent again on request, perhaps to someone without the payer's portal login: the PDF goes with it.
    return deliver_receipt(record.payment, receipt, contact, services, now=now, render_now=True)


def confirm_scheduled(
    customer_id: str, payment_id: str, *, services: ReceiptServices, now: datetime
) -> ReceiptDelivery | None:
    """A scheduled charge (autopay, plan instalment) that posted: its receipt stored, and emailed as the payer's
    preferences say. Once: a Task retried after this ran finds the receipt filed and sends nothing. None when
    the payment is not posted (ACH: the receipt follows when the bank pays)."""
    record = services.records.payment_record(customer_id, payment_id)
    if record is None or record.payment.status is not PaymentStatus.POSTED or not record.payment.receipt_number:
        return None
    number = record.payment.receipt_number
    if services.records.receipt_filed(customer_id, number):
        return ReceiptDelivery(number)
    receipt = record.receipt or receipt_from(record.payment, record.allocations, number, record.payment.created_at)
    payer = record.payer
    contact = Contact(payer.name, payer.email, payer.preferences.email_receipts) if payer else Contact("Customer", None)
    return deliver_receipt(record.payment, receipt, contact, services, now=now)


def notify_pending(payment: Payment, contact: Contact, services: ReceiptServices) -> ReceiptDelivery:
    """A bank payment was accepted and is clearing: say so; the receipt follows when it posts."""
    problems: list[str] = []
    sent: tuple[str, ...] = ()
    if contact.email and contact.wants_receipts:
        message = pending_notice(payment, services.agency_name, contact.name, services.portal_url, time=services.time)
        sent = _send(services, message, contact.email, problems, "email_not_sent")
    return ReceiptDelivery(None, emailed_to=sent, problems=tuple(problems))


def notify_failure(
    payment: Payment,
    contact: Contact,
    services: ReceiptServices,
    *,
    code: str | None,
    reopened: list[str] | None = None,
) -> ReceiptDelivery:
    """A payment did not go through (a decline, or a bank's failure or return later): what to do next."""
    problems: list[str] = []
    sent: tuple[str, ...] = ()
    if contact.email:
        message = failure_notice(
            payment,
            services.agency_name,
            contact.name,
            code=code,
            reopened=reopened or [],
            portal_url=services.portal_url,
            time=services.time,
        )
        sent = _send(services, message, contact.email, problems, "email_not_sent")
    return ReceiptDelivery(None, emailed_to=sent, problems=tuple(problems))


def receipt_from(payment: Payment, allocations: list[Allocation], number: str, issued_at: datetime) -> Receipt:
    """A receipt's figures from the payment and its allocations (what the posting would have written)."""
    lines = [
        ReceiptLine(
            description=f"{a.department.replace('_', ' ').title()} invoice {a.invoice_number}",
            invoice_number=a.invoice_number,
            department=a.department,
            amount=a.amount,
        )
        for a in allocations
    ]
    if payment.unapplied:
        lines.append(ReceiptLine(description="Held as account credit", amount=payment.unapplied))
    return Receipt(
        receipt_number=number,
        payment_id=payment.payment_id,
        customer_id=payment.customer_id,
        issued_at=issued_at,
        currency=payment.currency,
        lines=lines,
        fee_amount=payment.fee_amount,
        total=payment.amount + payment.fee_amount,
    )


def _store(payment: Payment, receipt: Receipt, pdf: bytes, services: ReceiptServices, now: datetime) -> Document:
    if payment.customer_id is None:
        raise ValueError("a receipt is filed under the customer whose invoices it paid")
    return attach_document(
        store=services.files,
        documents=services.documents,
        customers=None,  # the payment's customer exists: the posting wrote into their partition
        customer_id=payment.customer_id,
        kind=DocumentKind.RECEIPT,
        title=f"Receipt {receipt.receipt_number}",
        filename=_filename(receipt),
        content_type=PDF,
        body=pdf,
        created_by="system",
        now=now,
        document_date=receipt.issued_at.date(),
        reference=receipt.receipt_number,
    )


def _filename(receipt: Receipt) -> str:
    return receipt_pdfs.filename(receipt)


def _send(services: ReceiptServices, message: Email, to: str, problems: list[str], problem: str) -> tuple[str, ...]:
    try:
        services.mailer.send(Email((to,), message.subject, message.text, message.html, message.attachments))
    except RecipientSuppressedError:  # it bounced or complained before: the customer's record says so
        problems.extend((problem, "email_suppressed"))
        return ()
    except Exception:  # the payment stands; the receipt can be resent
        logger.exception("email to the payer failed (%s)", problem)
        problems.append(problem)
        return ()
    return (to,)


# --- the interactive payment, confirmed --------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkout:
    """A payment as its payer sees it: the result, where the money went, and what they were sent."""

    result: PayResult
    allocations: list[Allocation]
    balances: dict[str, int]  # invoice id -> balance after this payment (known when it was posted just now)
    delivery: ReceiptDelivery
    advice: DeclineAdvice | None = None  # a declined payment: what to tell the payer


def pay_and_confirm(
    command: PayCommand,
    *,
    ledger: PaymentPosting,
    processor: PaymentProcessor,
    config: PaymentsConfig,
    services: ReceiptServices,
    contact: Contact | None,
    now: datetime,
) -> Checkout:
    """``payments.pay``, then the receipt (posted), the clearing notice (pending) or the failure notice (declined).
    ``contact`` None: the payer on the customer profile."""
    result = pay(command, ledger=ledger, processor=processor, config=config, now=now)
    payment = result.payment
    failed = payment.status is PaymentStatus.FAILED
    advice = decline_advice(result.decline_code or _last_note(payment)) if failed else None
    if result.posting is None:  # replayed from the ledger: answer with what it did, tell no one twice
        allocations = _allocations(services, payment)
        delivery = _receipt_if_missing(payment, allocations, contact, services, now)
        return Checkout(result, allocations, {}, delivery, advice)
    posting = result.posting
    balances = {c.after.invoice_id: c.after.balance for c in posting.invoice_changes}
    who = contact or _payer(services, payment.customer_id)
    if posting.receipt is not None and payment.status is PaymentStatus.POSTED:
        delivery = deliver_receipt(payment, posting.receipt, who, services, now=now)
    elif payment.status is PaymentStatus.PENDING:
        delivery = notify_pending(payment, who, services)
    elif failed:
        delivery = notify_failure(payment, who, services, code=result.decline_code)
    else:
        delivery = ReceiptDelivery(payment.receipt_number)
    return Checkout(result, list(posting.allocations), balances, delivery, advice)


def _receipt_if_missing(
    payment: Payment, allocations: list[Allocation], contact: Contact | None, services: ReceiptServices, now: datetime
) -> ReceiptDelivery:
    """A replay after a crash between the posting and its receipt issues the receipt then, once."""
    number = payment.receipt_number
    if payment.status is not PaymentStatus.POSTED or number is None or payment.customer_id is None:
        return ReceiptDelivery(number)
    try:
        if services.records.receipt_filed(payment.customer_id, number):
            return ReceiptDelivery(number)
    except Exception:
        logger.exception("could not tell whether receipt %s was filed", number)
        return ReceiptDelivery(number)
    receipt = receipt_from(payment, allocations, number, payment.created_at)
    return deliver_receipt(payment, receipt, contact or _payer(services, payment.customer_id), services, now=now)


def payer_contact(services: ReceiptServices, customer_id: str | None) -> Contact:
    """The customer on file; a missing profile or a failed read means no email, never a failed payment."""
    return _payer(services, customer_id)


def _payer(services: ReceiptServices, customer_id: str | None) -> Contact:
    if customer_id is None:
        return Contact("Guest payer", None)
    try:
        customer = services.records.customer(customer_id)
    except Exception:
        logger.exception("the payer's profile could not be read; no email is sent")
        return Contact("Customer", None)
    if customer is None:
        return Contact("Customer", None)
    return Contact(customer.name, customer.email, customer.preferences.email_receipts)


def _allocations(services: ReceiptServices, payment: Payment) -> list[Allocation]:
    if payment.customer_id is None or payment.status is PaymentStatus.FAILED:
        return []
    return services.records.allocations(payment.customer_id, payment.payment_id)


def _last_note(payment: Payment) -> str | None:
    return payment.history[-1].note if payment.history else None
