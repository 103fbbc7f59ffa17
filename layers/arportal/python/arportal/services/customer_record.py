"""The staff console's customer record (the "360"): everything about one customer, in one call.

Reads, all bounded, none a Scan:
  1. the partition header (one Query): profile, every account, the connected systems' last known answers;
     a customer that does not exist stops here (404);
  2. side by side: live items (OpenItems: open invoices, credit, active schedules), the newest payments,
     invoices, interactions and documents (one Query each), the customer's pending approvals (one Query),
     and the balances of connected systems (HTTP, up to their timeout; cached ~30 s), so the slowest
     connected system costs its own latency, not the sum of everything.
The ledger's balances come from the live items already read. A connected system that is down yields its last
known answer, marked, and the record still loads.

``customer_summary`` is the record's first screen alone (profile, accounts, figures, open items, credit and
schedules): reads 1 and the live items, two Queries, so the console can show it before the rest is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from arportal.domain.balances import BalanceSummary
from arportal.domain.dashboard import Dashboard, build_dashboard
from arportal.domain.email_feedback import Suppression, normalise_address
from arportal.domain.errors import NotFoundError
from arportal.domain.models import (
    Account,
    AccountStatus,
    Approval,
    CreditNote,
    Customer,
    Document,
    Interaction,
    Invoice,
    Payment,
    Schedule,
)
from arportal.ports import CustomerHeader, CustomerOpenItems, Page, PendingApprovals, StaffCustomerQueries
from arportal.services.balances import ChooserFactory, customer_balances

RECENT_PAYMENTS = 10
RECENT_INVOICES = 10
RECENT_INTERACTIONS = 20
RECENT_DOCUMENTS = 10
PENDING_APPROVALS = 20
T = TypeVar("T")


@dataclass(frozen=True)
class CustomerRecord:
    customer: Customer
    accounts: list[Account]  # every account, with its status
    summary: Dashboard  # owing, overdue, credit, next due, per active account
    open_by_department: dict[str, int]
    balances: BalanceSummary
    credit_notes: list[CreditNote]
    schedules: list[Schedule]
    recent_invoices: Page[Invoice]
    payments: Page[Payment]  # each with its status timeline
    interactions: Page[Interaction]
    documents: Page[Document]
    pending_approvals: list[Approval]
    # Set while the profile's email is an address that bounced or complained: no email reaches the customer.
    email_suppression: Suppression | None = None


@dataclass(frozen=True)
class CustomerSummary:
    customer: Customer
    accounts: list[Account]
    summary: Dashboard  # its recent_payments are not read: the summary has no payments
    open_by_department: dict[str, int]
    credit_notes: list[CreditNote]
    schedules: list[Schedule]
    email_suppression: Suppression | None = None


def customer_summary(queries: StaffCustomerQueries, customer_id: str, *, today: date, currency: str) -> CustomerSummary:
    header = queries.header(customer_id)
    if header is None:
        raise NotFoundError(f"no customer {customer_id}")
    return _summarise(header, queries.open_items(customer_id), [], today=today, currency=currency)


def _summarise(
    header: CustomerHeader, live: CustomerOpenItems, payments: list[Payment], *, today: date, currency: str
) -> CustomerSummary:
    summary = build_dashboard(
        currency=currency,
        today=today,
        accounts=[a for a in header.accounts if a.status is AccountStatus.ACTIVE],
        open_invoices=live.open_invoices,
        credit_notes=live.credit_notes,
        schedules=live.schedules,
        recent_payments=payments,
    )
    return CustomerSummary(
        customer=header.customer,
        accounts=sorted(header.accounts, key=lambda a: a.account_number),
        summary=summary,
        open_by_department=open_by_department(live.open_invoices),
        credit_notes=live.credit_notes,
        schedules=live.schedules,
        email_suppression=_current(header.email_suppression, header.customer),
    )


def open_by_department(invoices: Sequence[Invoice]) -> dict[str, int]:
    owing: dict[str, int] = {}
    for invoice in invoices:
        if invoice.balance > 0 and not invoice.voided:
            owing[invoice.department] = owing.get(invoice.department, 0) + invoice.balance
    return dict(sorted(owing.items()))


def customer_record(
    queries: StaffCustomerQueries,
    approvals: PendingApprovals,
    choose: ChooserFactory,
    customer_id: str,
    *,
    today: date,
    currency: str,
) -> CustomerRecord:
    header = queries.header(customer_id)
    if header is None:
        raise NotFoundError(f"no customer {customer_id}")
    with ThreadPoolExecutor(max_workers=7) as pool:
        live: Future[CustomerOpenItems] = pool.submit(queries.open_items, customer_id)
        payments = pool.submit(queries.payments, customer_id, limit=RECENT_PAYMENTS, start=None)
        invoices = pool.submit(queries.invoices, customer_id, limit=RECENT_INVOICES, start=None)
        interactions = pool.submit(queries.interactions, customer_id, limit=RECENT_INTERACTIONS, start=None)
        documents = pool.submit(queries.documents, customer_id, limit=RECENT_DOCUMENTS, start=None)
        waiting = pool.submit(approvals.pending_approvals, customer_id=customer_id, limit=PENDING_APPROVALS)
        # The ledger's departments wait for the live items read above; connected systems are asked at once.
        chooser = choose(header.last_known, lambda _: live.result().open_invoices)
        balances = pool.submit(customer_balances, chooser, customer_id, header.accounts, currency=currency)
        first = _summarise(header, live.result(), payments.result().items, today=today, currency=currency)
    return CustomerRecord(
        customer=first.customer,
        accounts=first.accounts,
        summary=first.summary,
        open_by_department=first.open_by_department,
        balances=balances.result(),
        credit_notes=first.credit_notes,
        schedules=first.schedules,
        recent_invoices=invoices.result(),
        payments=payments.result(),
        interactions=interactions.result(),
        documents=documents.result(),
        pending_approvals=waiting.result(),
        email_suppression=first.email_suppression,
    )


def _current(suppression: Suppression | None, customer: Customer) -> Suppression | None:
    """The mark, unless the customer has another address since (mail goes to that one)."""
    if suppression is None or not customer.email or normalise_address(customer.email) != suppression.address:
        return None
    return suppression


def payments(
    queries: StaffCustomerQueries, customer_id: str, *, limit: int, start: dict[str, object] | None
) -> Page[Payment]:
    """The customer's payments, newest first, each with its status timeline."""
    return _known(queries, customer_id, queries.payments(customer_id, limit=limit, start=start), start)


def invoices(
    queries: StaffCustomerQueries, customer_id: str, *, limit: int, start: dict[str, object] | None
) -> Page[Invoice]:
    """The customer's invoices, newest first (open, paid and voided alike)."""
    return _known(queries, customer_id, queries.invoices(customer_id, limit=limit, start=start), start)


def _known(queries: StaffCustomerQueries, customer_id: str, page: Page[T], start: dict[str, object] | None) -> Page[T]:
    """An empty first page checks the customer exists, so an unknown id is a 404 rather than an empty list."""
    if not page.items and start is None and queries.header(customer_id) is None:
        raise NotFoundError(f"no customer {customer_id}")
    return page
