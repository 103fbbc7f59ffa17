"""How a customer's invoices and payments are shown, filtered and ordered in the portal (pure rules).

- An invoice's *display status* is one of open, partially_paid, paid, overdue, voided. ``overdue`` is computed,
  never stored: a balance above zero on an invoice whose due date has passed (today is not yet late).
- The date range of an invoice filter applies to the issue date, both ends inclusive.
- Ordering is total: ties on the chosen date are broken by invoice id, so a keyset cursor (the last row's
  date and id) resumes a page exactly where the previous one stopped, even while new invoices arrive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from arportal.domain.models import Invoice, Payment
from arportal.domain.status import InvoiceStatus, PaymentStatus


class DisplayStatus(StrEnum):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERDUE = "overdue"
    VOIDED = "voided"


class InvoiceSort(StrEnum):
    DUE_ASC = "due_date"
    DUE_DESC = "-due_date"
    ISSUE_ASC = "issue_date"
    ISSUE_DESC = "-issue_date"

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")

    @property
    def field(self) -> str:
        return self.value.lstrip("-")


DEFAULT_INVOICE_SORT = InvoiceSort.DUE_DESC


def display_status(invoice: Invoice, today: date) -> DisplayStatus:
    if invoice.voided or invoice.status is InvoiceStatus.VOIDED:
        return DisplayStatus.VOIDED
    if invoice.balance <= 0:
        return DisplayStatus.PAID
    if invoice.due_date < today:
        return DisplayStatus.OVERDUE
    if invoice.balance < invoice.amount:
        return DisplayStatus.PARTIALLY_PAID
    return DisplayStatus.OPEN


@dataclass(frozen=True)
class InvoiceFilter:
    """Which invoices a list or an export selects. Empty fields select everything."""

    statuses: frozenset[DisplayStatus] = frozenset()
    account_number: str | None = None
    department: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None

    def __post_init__(self) -> None:
        if self.issued_from and self.issued_to and self.issued_from > self.issued_to:
            raise ValueError("'from' is after 'to'")

    def stored_fields_match(self, invoice: Invoice) -> bool:
        """The part of the filter on what is stored (storage may apply it first, to read less)."""
        return (
            (self.account_number is None or invoice.account_number == self.account_number)
            and (self.department is None or invoice.department == self.department)
            and (self.issued_from is None or invoice.issue_date >= self.issued_from)
            and (self.issued_to is None or invoice.issue_date <= self.issued_to)
        )

    def matches(self, invoice: Invoice, today: date) -> bool:
        return self.stored_fields_match(invoice) and (
            not self.statuses or display_status(invoice, today) in self.statuses
        )


def sort_value(invoice: Invoice, sort: InvoiceSort) -> str:
    """The date the order is on, as ISO text (what a cursor carries)."""
    chosen = invoice.due_date if sort.field == "due_date" else invoice.issue_date
    return chosen.isoformat()


@dataclass(frozen=True)
class InvoicePage:
    invoices: list[Invoice]
    after: tuple[str, str] | None  # (sort value, invoice id) where the next page starts, when more may follow
    total: int | None  # how many invoices the filter selects, when this one page holds them all (else unknown)


def select_invoices(
    invoices: Iterable[Invoice],
    *,
    where: InvoiceFilter,
    sort: InvoiceSort,
    today: date,
    limit: int,
    after: tuple[str, str] | None = None,
) -> InvoicePage:
    """One page of the invoices ``where`` selects, in ``sort`` order, starting after the ``after`` row."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    chosen = sorted(
        (inv for inv in invoices if where.matches(inv, today)),
        key=lambda inv: _key(inv, sort),
        reverse=sort.descending,
    )
    start = 0
    if after is not None:
        # The first row strictly beyond the cursor in this order (the cursor's own row need not exist any more).
        start = next(
            (i for i, inv in enumerate(chosen) if _beyond(_key(inv, sort), after, sort.descending)), len(chosen)
        )
    page = chosen[start : start + limit]
    more = start + limit < len(chosen)
    last = page[-1] if page and more else None
    return InvoicePage(page, _key(last, sort) if last else None, len(chosen))


def _key(invoice: Invoice, sort: InvoiceSort) -> tuple[str, str]:
    return sort_value(invoice, sort), invoice.invoice_id


def _beyond(key: tuple[str, str], after: tuple[str, str], descending: bool) -> bool:
    return key < after if descending else key > after


@dataclass(frozen=True)
class PaymentFilter:
    statuses: frozenset[PaymentStatus] = frozenset()
    made_from: date | None = None
    made_to: date | None = None

    def __post_init__(self) -> None:
        if self.made_from and self.made_to and self.made_from > self.made_to:
            raise ValueError("'from' is after 'to'")

    def matches(self, payment: Payment) -> bool:
        made = payment.created_at.date()
        return (
            (not self.statuses or payment.status in self.statuses)
            and (self.made_from is None or made >= self.made_from)
            and (self.made_to is None or made <= self.made_to)
        )
