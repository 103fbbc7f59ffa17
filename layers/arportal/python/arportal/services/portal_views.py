"""A customer's own lists and details: invoices, payments, credit notes, sales orders, schedules, accounts.

Every function takes the customer id the caller's token names and reads only that customer's partition, so a
record of someone else is simply not found (404), never forbidden (which would confirm that it exists).

Invoices page by a keyset cursor (the last row's date and id) over an index in the list's order, so a page costs
the page, whatever the customer's history; everything else pages in storage order with DynamoDB's own keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from arportal.domain.errors import NotFoundError
from arportal.domain.invoice_views import InvoiceFilter, InvoicePage, InvoiceSort, PaymentFilter
from arportal.domain.models import (
    Account,
    Allocation,
    CreditApplication,
    CreditNote,
    Invoice,
    Payment,
    SalesOrder,
    Schedule,
)
from arportal.domain.portal_errors import CodedRuleError
from arportal.domain.status import PaymentStatus
from arportal.ports import Page, PortalReader

MAX_EXPORT_ROWS = 50_000  # a CSV export refuses (422 export_too_large) rather than silently cut a selection
_EXPORT_PAGE = 500


def _too_many(what: str, limit: int) -> CodedRuleError:
    return CodedRuleError(
        "export_too_large",
        f"more than {limit:,} {what} match; narrow the filter (a shorter date range, one account)",
        details=[{"field": "from", "reason": f"at most {limit} rows at once"}],
    )


def invoice_page(
    reader: PortalReader,
    customer_id: str,
    where: InvoiceFilter,
    sort: InvoiceSort,
    *,
    today: date,
    limit: int,
    after: tuple[str, str] | None,
) -> InvoicePage:
    return reader.invoices(customer_id, where, sort, today=today, limit=limit, after=after)


def invoice_export(
    reader: PortalReader, customer_id: str, where: InvoiceFilter, sort: InvoiceSort, *, today: date
) -> list[Invoice]:
    """Exactly what ``where`` selects, in ``sort`` order: every page, or a refusal past ``MAX_EXPORT_ROWS``."""
    rows: list[Invoice] = []
    after: tuple[str, str] | None = None
    while True:
        page = reader.invoices(customer_id, where, sort, today=today, limit=_EXPORT_PAGE, after=after)
        rows.extend(page.invoices)
        if len(rows) > MAX_EXPORT_ROWS:
            raise _too_many("invoices", MAX_EXPORT_ROWS)
        if page.after is None:
            return rows
        after = page.after


@dataclass(frozen=True)
class AppliedPayment:
    allocation: Allocation
    payment: Payment | None  # None only if the payment record is missing (it is written with the allocation)


@dataclass(frozen=True)
class AppliedCredit:
    credit_note: CreditNote
    application: CreditApplication


@dataclass(frozen=True)
class InvoiceDetail:
    invoice: Invoice
    payments: list[AppliedPayment]
    credits: list[AppliedCredit]


def invoice_detail(reader: PortalReader, customer_id: str, invoice_id: str) -> InvoiceDetail:
    invoice = reader.invoice(customer_id, invoice_id)
    if invoice is None:
        raise NotFoundError("no such invoice")
    allocations, credit_notes, paid_by = reader.invoice_activity(customer_id, invoice_id)
    payments = {p.payment_id: p for p in paid_by}
    return InvoiceDetail(
        invoice=invoice,
        payments=[
            AppliedPayment(a, payments.get(a.payment_id)) for a in sorted(allocations, key=lambda a: a.applied_at)
        ],
        credits=[
            AppliedCredit(cn, application)
            for cn in credit_notes
            for application in cn.applications
            if application.invoice_id == invoice_id
        ],
    )


def payment_page(
    reader: PortalReader, customer_id: str, where: PaymentFilter, *, limit: int, start: dict[str, object] | None
) -> Page[Payment]:
    return reader.payments(customer_id, where, limit=limit, start=start)


def payment_export(reader: PortalReader, customer_id: str, where: PaymentFilter) -> Iterator[Payment]:
    """Every payment ``where`` selects, newest first, page by page (never all of them in memory at once);
    raises ``export_too_large`` when the selection passes ``MAX_EXPORT_ROWS``."""
    start: dict[str, object] | None = None
    sent = 0
    while True:
        page = reader.payments(customer_id, where, limit=_EXPORT_PAGE, start=start)
        for payment in page.items:
            sent += 1
            if sent > MAX_EXPORT_ROWS:
                raise _too_many("payments", MAX_EXPORT_ROWS)
            yield payment
        if page.next_key is None:
            return
        start = page.next_key


# Statuses in which a payment's money is (or, for ACH, is expected to be) with the agency: what it paid and any
# overpayment it left as credit stand. After a refund, void or reversal its allocations are history.
_HELD = frozenset(
    {PaymentStatus.PENDING, PaymentStatus.POSTED, PaymentStatus.SETTLED, PaymentStatus.PARTIALLY_REFUNDED}
)


@dataclass(frozen=True)
class PaymentDetail:
    payment: Payment
    allocations: list[Allocation]
    credit_note: CreditNote | None  # the overpayment held as credit, when there was one
    unapplied: int  # what the payment left unallocated (held as credit while the payment stands)
    receipt_document_id: str | None


def payment_detail(reader: PortalReader, customer_id: str, payment_id: str) -> PaymentDetail:
    payment = reader.payment(customer_id, payment_id)
    if payment is None:
        raise NotFoundError("no such payment")
    allocations = reader.payment_allocations(customer_id, payment_id)
    unapplied = payment.amount - sum(a.amount for a in allocations) if payment.status in _HELD else 0
    credit = reader.credit_from_payment(customer_id, payment_id) if unapplied > 0 else None
    document = reader.receipt_document_id(customer_id, payment.receipt_number) if payment.receipt_number else None
    return PaymentDetail(payment, allocations, credit, max(unapplied, 0), document)


def credit_notes(
    reader: PortalReader, customer_id: str, *, limit: int, start: dict[str, object] | None
) -> Page[CreditNote]:
    return reader.credit_notes(customer_id, limit=limit, start=start)


def sales_orders(
    reader: PortalReader, customer_id: str, *, limit: int, start: dict[str, object] | None
) -> Page[SalesOrder]:
    return reader.sales_orders(customer_id, limit=limit, start=start)


def schedules(reader: PortalReader, customer_id: str, *, limit: int, start: dict[str, object] | None) -> Page[Schedule]:
    return reader.schedules(customer_id, limit=limit, start=start)


@dataclass(frozen=True)
class AccountBalance:
    account: Account
    balance: int  # what is open on the account's invoices
    overdue: int
    open_invoices: int
    credit: int  # what remains on the account's credit notes


@dataclass(frozen=True)
class AccountsPage:
    accounts: list[AccountBalance]
    next_key: dict[str, object] | None


def accounts(
    reader: PortalReader, customer_id: str, *, today: date, limit: int, start: dict[str, object] | None
) -> AccountsPage:
    """One page of the customer's accounts (closed ones too) with what is open on each: two queries."""
    page = reader.accounts(customer_id, limit=limit, start=start)
    open_invoices, credit_notes = reader.open_balances(customer_id)
    rows = []
    for account in page.items:
        mine = [i for i in open_invoices if i.account_number == account.account_number and not i.voided]
        rows.append(
            AccountBalance(
                account=account,
                balance=sum(i.balance for i in mine),
                overdue=sum(i.balance for i in mine if i.is_overdue(today)),
                open_invoices=sum(1 for i in mine if i.balance > 0),
                credit=sum(cn.remaining for cn in credit_notes if cn.account_number == account.account_number),
            )
        )
    return AccountsPage(rows, page.next_key)
