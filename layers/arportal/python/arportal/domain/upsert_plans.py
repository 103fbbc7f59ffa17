"""What a loaded record makes of the entity it loads, from the entity as read: pure, one function per kind.

Money the platform owns is never the source's: an invoice keeps its ``paid``, ``credited``, staff adjustment
lines and ``version``; its ``balance`` is recomputed as ``amount - paid - credited``. A new amount below what
was paid and credited is refused (``amount_below_paid``, with both figures), or, where the agency allows it
(``LoweredAmount.CREDIT``), the difference stays on the invoice as an adjustment line (so its balance is zero, and
the statement's arithmetic is unchanged: the invoice still says what was paid against it) and is held as a credit
note for the customer, written with it. A credit note's applications are the platform's too: lowering it below
what was applied is refused (``amount_below_applied``). Voiding is a state: the invoice stays, ``voided``;
refused once anything was paid or credited (``void_after_payment``); a voided invoice stays void
(``invoice_voided``). A profile keeps the portal's settings and login link, a notice whether it was read.

What a record names must be there: ``unknown_customer``, ``unknown_account``, ``department_mismatch``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from arportal.domain.models import (
    Account,
    CreditNote,
    Customer,
    Document,
    DocumentKind,
    Invoice,
    InvoiceLine,
    LineKind,
    SalesOrder,
)
from arportal.domain.source_identity import credit_note_for_lowered, entity_id_for
from arportal.domain.source_records import (
    RecordError,
    SourceAccount,
    SourceCreditNote,
    SourceCustomer,
    SourceDocument,
    SourceInvoice,
    SourceLine,
    SourceRecord,
    SourceSalesOrder,
)
from arportal.domain.status import invoice_status_for

LoadedEntity = Customer | Account | Invoice | CreditNote | SalesOrder | Document
LOWERED_LINE_FEE_CODE = "ADJUSTMENT"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


class LoweredAmount(StrEnum):
    """What an invoice lowered below what was paid becomes: refused, or a credit for the customer."""

    REJECT = "reject"
    CREDIT = "credit"


@dataclass(frozen=True)
class References:
    """What the record names, as the service found it: in the ledger, or earlier in the same request."""

    customer_known: bool = False
    account: Account | None = None


@dataclass(frozen=True)
class Context:
    currency: str
    actor: str  # system:<client name>, or the administrator who started a console import
    now: datetime
    lowered: LoweredAmount = LoweredAmount.REJECT
    channel: str = "integration"  # "staff" for an import started from the console


@dataclass(frozen=True)
class Rejected:
    errors: tuple[RecordError, ...]
    outcome: Outcome = Outcome.REJECTED


def reject(code: str, message: str, field: str | None = None, **details: object) -> Rejected:
    return Rejected((RecordError(code, message, field, details),))


Planned = tuple[LoadedEntity, CreditNote | None] | Rejected


def plan(
    record: SourceRecord,
    existing: LoadedEntity | None,
    references: References,
    context: Context,
    storage_key: str | None,
) -> Planned:
    """The entity ``record`` makes of ``existing`` (None: a new one), and a credit note when a lowered invoice's
    difference becomes credit; or why not."""
    match record:
        case SourceCustomer():
            return _customer(record, existing if isinstance(existing, Customer) else None, context), None
        case SourceAccount():
            if not references.customer_known:
                return _unknown_customer(record.customer_id)
            return _account(record), None
        case SourceInvoice():
            return _invoice(record, existing if isinstance(existing, Invoice) else None, references, context)
        case SourceCreditNote():
            return _credit_note(record, existing if isinstance(existing, CreditNote) else None, references)
        case SourceSalesOrder():
            return _sales_order(record, references)
        case SourceDocument():
            if storage_key is None:
                raise ValueError("a document is planned with its storage key")
            doc = existing if isinstance(existing, Document) else None
            return _document(record, doc, references, context, storage_key)
    raise TypeError(f"no plan for {type(record).__name__}")


def _unknown_customer(customer_id: str) -> Rejected:
    return reject(
        "unknown_customer",
        f"no customer {customer_id}: load the customer first (earlier in this batch or in an earlier one)",
        "customer_id",
    )


def _checked_account(
    record: SourceInvoice | SourceCreditNote | SourceSalesOrder, references: References
) -> Account | Rejected:
    account = references.account
    if account is None:
        return reject(
            "unknown_account",
            f"customer {record.customer_id} has no account {record.account_number}: load the account first",
            "account_number",
        )
    if account.department != record.department:
        return reject(
            "department_mismatch",
            f"account {account.account_number} belongs to department {account.department}",
            "department",
            account_department=account.department,
        )
    return account


def _lines(lines: list[SourceLine]) -> list[InvoiceLine]:
    return [
        InvoiceLine(
            description=line.description,
            fee_code=line.fee_code,
            kind=line.line_kind,
            quantity=line.quantity,
            unit_amount=line.unit_amount,
            amount=line.amount,
        )
        for line in lines
    ]


def _customer(record: SourceCustomer, existing: Customer | None, context: Context) -> Customer:
    source = {
        "kind": record.kind,
        "name": record.name,
        "email": record.email,
        "phone": record.phone,
        "address": record.address,
    }
    if existing is not None:  # the portal's own settings and the login link stay the platform's
        return existing.model_copy(update=source)
    return Customer(customer_id=record.customer_id, created_at=context.now, **source)


def _account(record: SourceAccount) -> Account:
    return Account(
        account_number=record.account_number,
        customer_id=record.customer_id,
        department=record.department,
        description=record.description,
        status=record.status,
        service_address=record.service_address,
        opened_on=record.opened_on,
    )


def _invoice(record: SourceInvoice, existing: Invoice | None, references: References, context: Context) -> Planned:
    account = _checked_account(record, references)
    if isinstance(account, Rejected):
        return account
    voided = record.status == "void"
    source_lines = _lines(record.lines)
    fields = {
        "invoice_number": record.invoice_number,
        "customer_id": record.customer_id,
        "account_number": record.account_number,
        "department": record.department,
        "issue_date": record.issue_date,
        "due_date": record.due_date,
        "currency": record.currency,
        "period_start": record.period_start,
        "period_end": record.period_end,
    }
    if existing is None:
        status = invoice_status_for(record.amount, record.amount, voided=voided)
        invoice = Invoice(
            invoice_id=entity_id_for(record),
            lines=source_lines,
            amount=record.amount,
            balance=record.amount,
            status=status,
            voided=voided,
            **fields,
        )
        return invoice, None
    return _invoice_update(record, existing, source_lines, fields, context)


def _invoice_update(
    record: SourceInvoice,
    existing: Invoice,
    source_lines: list[InvoiceLine],
    fields: dict[str, object],
    context: Context,
) -> Planned:
    if existing.voided:
        return reject(
            "invoice_voided", "this invoice was voided: a voided invoice stays void; bill again with a new number"
        )
    applied = existing.paid + existing.credited
    if record.status == "void" and applied > 0:
        return reject(
            "void_after_payment",
            "money was applied to this invoice: refund it through the staff console before voiding",
            "status",
            paid=existing.paid,
            credited=existing.credited,
        )
    platform_lines = [line for line in existing.lines if line.kind is LineKind.ADJUSTMENT]
    lines = source_lines + platform_lines
    total = sum(line.amount for line in lines)
    credit: CreditNote | None = None
    if total < applied:
        if context.lowered is LoweredAmount.REJECT:
            return reject(
                "amount_below_paid",
                f"the new amount {total} is below what was paid and credited ({applied})",
                "amount",
                amount=total,
                paid=existing.paid,
                credited=existing.credited,
            )
        credit_id, number = credit_note_for_lowered(existing, version=record.version)
        excess = applied - total
        lines.append(
            InvoiceLine(
                description=f"Amount lowered below what was paid: held as credit {number}",
                fee_code=LOWERED_LINE_FEE_CODE,
                kind=LineKind.ADJUSTMENT,
                unit_amount=excess,
                amount=excess,
            )
        )
        total = applied
        credit = CreditNote(
            credit_note_id=credit_id,
            number=number,
            customer_id=existing.customer_id,
            account_number=record.account_number,
            department=record.department,
            currency=record.currency,
            amount=excess,
            remaining=excess,
            reason=f"Invoice {existing.invoice_number} lowered below what was paid: the difference held as credit",
            issued_on=context.now.date(),
        )
    voided = record.status == "void"
    balance = total - existing.paid - existing.credited
    status = invoice_status_for(total, balance, voided=voided)
    after = existing.model_copy(
        update={
            **fields,
            "lines": lines,
            "amount": total,
            "balance": balance,
            "status": status,
            "voided": voided,
            "version": existing.version + 1,
        }
    )
    return Invoice.model_validate(after.model_dump()), credit  # the figures' invariants, checked again


def _credit_note(record: SourceCreditNote, existing: CreditNote | None, references: References) -> Planned:
    account = _checked_account(record, references)
    if isinstance(account, Rejected):
        return account
    applied = sum(a.amount for a in existing.applications) if existing else 0
    if record.amount < applied:
        return reject(
            "amount_below_applied",
            f"the new amount {record.amount} is below what was already applied ({applied})",
            "amount",
            amount=record.amount,
            applied=applied,
        )
    note = CreditNote(
        credit_note_id=entity_id_for(record),
        number=record.number,
        customer_id=record.customer_id,
        account_number=record.account_number,
        department=record.department,
        currency=record.currency,
        amount=record.amount,
        remaining=record.amount - applied,
        reason=record.reason,
        issued_on=record.issued_on,
        applications=list(existing.applications) if existing else [],
    )
    return note, None


def _sales_order(record: SourceSalesOrder, references: References) -> Planned:
    account = _checked_account(record, references)
    if isinstance(account, Rejected):
        return account
    order = SalesOrder(
        order_id=entity_id_for(record),
        number=record.number,
        customer_id=record.customer_id,
        account_number=record.account_number,
        department=record.department,
        order_date=record.order_date,
        period_start=record.period_start,
        period_end=record.period_end,
        currency=record.currency,
        lines=_lines(record.lines),
        total=record.total,
    )
    return order, None


def _document(
    record: SourceDocument,
    existing: Document | None,
    references: References,
    context: Context,
    storage_key: str,
) -> Planned:
    if not references.customer_known:
        return _unknown_customer(record.customer_id)
    if record.account_number is not None and references.account is None:
        return reject(
            "unknown_account",
            f"customer {record.customer_id} has no account {record.account_number}",
            "account_number",
        )
    document = Document(
        document_id=entity_id_for(record),
        customer_id=record.customer_id,
        kind=DocumentKind(record.kind),
        title=record.title,
        filename=record.filename,
        content_type=record.content_type,
        size=len(record.content),
        storage_key=storage_key,
        created_at=existing.created_at if existing else context.now,
        document_date=record.document_date,
        period_start=record.period_start,
        period_end=record.period_end,
        reference=record.reference,
        created_by=context.actor,
        account_number=record.account_number,
        read_at=existing.read_at if existing else None,  # the customer's reading is theirs
    )
    return document, None
