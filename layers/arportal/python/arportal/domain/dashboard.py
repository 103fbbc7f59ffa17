"""What a customer sees first: what is owed, what is late, what is next, per account and in total.

Pure: takes the customer's live items (open invoices, credit, schedules) and recent payments, returns
figures. Unread notices (documents of kind notice not yet opened) are counted per account and in total, with the
latest few of each. ``owing`` is the sum of open balances; ``credit`` is what remains on credit notes (an overpayment
is held as a credit note too); nothing here nets them, because an agency applies credit only when told to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from arportal.domain.models import (
    Account,
    CreditNote,
    Document,
    Instalment,
    InstalmentStatus,
    Invoice,
    Payment,
    Schedule,
)


@dataclass(frozen=True)
class NextDue:
    due_date: date
    amount: int
    invoice_ids: tuple[str, ...]


@dataclass(frozen=True)
class UnreadNotices:
    count: int
    latest: list[Document]  # newest first, at most ``LATEST_NOTICES``


NO_NOTICES = UnreadNotices(0, [])
LATEST_NOTICES = 3


@dataclass(frozen=True)
class AccountSummary:
    account: Account
    owing: int
    overdue: int
    open_invoices: int
    next_due: NextDue | None
    notices: UnreadNotices = NO_NOTICES


@dataclass(frozen=True)
class UpcomingPayment:
    schedule_id: str
    kind: str
    due_date: date
    amount: int


@dataclass(frozen=True)
class Dashboard:
    currency: str
    owing: int
    overdue: int
    credit: int
    next_due: NextDue | None
    accounts: list[AccountSummary]
    open_invoices: list[Invoice]
    recent_payments: list[Payment]
    upcoming: list[UpcomingPayment] = field(default_factory=list)
    notices: UnreadNotices = NO_NOTICES  # every unread notice, those of no account included


def _next_due(invoices: Iterable[Invoice], today: date) -> NextDue | None:
    upcoming = [inv for inv in invoices if inv.balance > 0 and inv.due_date >= today]
    if not upcoming:
        return None
    first = min(inv.due_date for inv in upcoming)
    same_day = [inv for inv in upcoming if inv.due_date == first]
    return NextDue(first, sum(inv.balance for inv in same_day), tuple(inv.invoice_id for inv in same_day))


def _upcoming(schedules: Iterable[Schedule], today: date, limit: int) -> list[UpcomingPayment]:
    items: list[tuple[Schedule, Instalment]] = [
        (sch, ins)
        for sch in schedules
        if sch.active
        for ins in sch.instalments
        if ins.status == InstalmentStatus.SCHEDULED and ins.due_date >= today
    ]
    items.sort(key=lambda pair: pair[1].due_date)
    return [UpcomingPayment(s.schedule_id, s.kind.value, i.due_date, i.amount) for s, i in items[:limit]]


def _unread(notices: Iterable[Document]) -> UnreadNotices:
    mine = sorted(notices, key=lambda d: (d.created_at, d.document_id), reverse=True)
    return UnreadNotices(len(mine), mine[:LATEST_NOTICES])


def build_dashboard(
    *,
    currency: str,
    today: date,
    accounts: list[Account],
    open_invoices: list[Invoice],
    credit_notes: list[CreditNote],
    schedules: list[Schedule],
    recent_payments: list[Payment],
    upcoming_limit: int = 5,
    notices: Sequence[Document] = (),
) -> Dashboard:
    live = sorted(
        (inv for inv in open_invoices if inv.balance > 0 and not inv.voided),
        key=lambda inv: (inv.due_date, inv.invoice_number),
    )
    unread = [n for n in notices if n.unread_notice]
    summaries = []
    for account in sorted(accounts, key=lambda a: a.account_number):
        mine = [inv for inv in live if inv.account_number == account.account_number]
        summaries.append(
            AccountSummary(
                account=account,
                owing=sum(inv.balance for inv in mine),
                overdue=sum(inv.balance for inv in mine if inv.is_overdue(today)),
                open_invoices=len(mine),
                next_due=_next_due(mine, today),
                notices=_unread(n for n in unread if n.account_number == account.account_number),
            )
        )
    credit = sum(cn.remaining for cn in credit_notes)
    return Dashboard(
        currency=currency,
        owing=sum(inv.balance for inv in live),
        overdue=sum(inv.balance for inv in live if inv.is_overdue(today)),
        credit=credit,
        next_due=_next_due(live, today),
        accounts=summaries,
        open_invoices=live,
        recent_payments=recent_payments,
        upcoming=_upcoming(schedules, today, upcoming_limit),
        notices=_unread(unread),
    )
