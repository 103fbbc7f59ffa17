"""The daily close of a banking day: its control totals frozen once, with every variance between the books named.

Closing banking day D (for the agency, or for one department):

1. a close of D and that scope exists: it is returned unchanged (closing twice returns the first result); a day
   not over yet (UTC) is refused, as its totals would be frozen half-way;
2. D's GL journal is built and stored if it is not yet (``journal_batches.build_day``): a department or fee code
   the chart of accounts does not map fails the close here, loudly (``UnmappedCodeError``), as it fails the
   journal: nothing is ever posted to a suspense account;
3. the three sides are read: the daily totals of the covered days (the subledger), every stored batch of D (the
   GL, read back from the files whose hashes the chain holds) and the deposits arriving on the covered days;
4. ``domain/daily_close.py`` works out the control totals and the variances;
5. the close is stored once with, in the same transaction, the SHA-256 of its canonical JSON and its control totals
   as an audit record (entity ``daily_close``, action ``day.closed``). Two closes racing: one is stored, the other
   gets it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from arportal.domain.chart_of_accounts import ChartOfAccounts
from arportal.domain.daily_close import ALL, DepositLine, Subledger, subledger_of
from arportal.domain.daily_close import close_day as close_rules
from arportal.domain.daily_close_document import close_document, document_hash
from arportal.domain.daily_totals import fold
from arportal.domain.errors import BusinessRuleError, ConflictError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.domain.settlement_matching import DepositStatus
from arportal.ports import DailyCloseStore, DailyTotalsStore, DrawerCloseouts, FinanceStore, StoredClose
from arportal.services.journal_batches import JournalBooks, build_day, day_batches
from arportal.services.journal_day import JournalSources, covered_days

ENTITY = "daily_close"
COUNTER = "counter"  # a counter deposit batch's processor, among the processors' payouts
DEPOSITS_PAGE = 200


class DailyCloseAltered(ConflictError):
    """A stored close whose document no longer hashes to the SHA-256 stored (and chained) with it."""

    code = "daily_close_altered"


@dataclass(frozen=True)
class CloseBooks:
    """What a close reads and where it is kept."""

    store: DailyCloseStore
    journals: JournalBooks
    sources: JournalSources
    totals: DailyTotalsStore
    finance: FinanceStore
    currency: str  # the agency's: its subledger is read even on a day without a movement
    drawers: DrawerCloseouts | None = None  # a counter deposit's close-out, for its over/short


@dataclass(frozen=True)
class Closed:
    close: StoredClose
    created: bool  # False: the day (and scope) was closed already; this is the first close, unchanged


def close_day(
    books: CloseBooks,
    chart: ChartOfAccounts,
    day: date,
    *,
    department: str | None,
    actor: str,
    now: datetime,
) -> Closed:
    covered = covered_days(day)  # 422 for a weekend day or a holiday: it is closed with the next banking day
    if day >= now.date():
        raise BusinessRuleError(
            f"{day} is not over yet: a day is closed once it has ended (UTC), as its totals are frozen",
            details=[{"field": "date", "reason": "today or later"}],
        )
    scope = department or ALL
    existing = books.store.get(day, scope)
    if existing is not None:
        return Closed(_checked(existing), created=False)
    if department is not None:
        chart.fund_of(department)  # a department the chart does not know: UnmappedCodeError, named
    build_day(books.journals, books.sources, chart, day, now=now)
    stored = day_batches(books.journals, day)
    lines = [line for _, journal in stored for line in journal.lines]
    deposits = [] if department is not None else _deposits(books.finance, books.drawers, *covered)
    currencies = {books.currency} | {x.currency for x in lines} | {d.currency for d in deposits}
    subledger = {c: _subledger(books.totals, c, *covered) for c in sorted(currencies)}
    close = close_rules(
        day,
        covered,
        department=department,
        subledger=subledger,
        lines=lines,
        chart=chart,
        deposits=deposits,
        batches=[(batch.batch_id, batch.json_sha256) for batch, _ in stored],
        currencies=currencies,
    )
    document = close_document(close, closed_at=now, closed_by=actor)
    record = StoredClose(day, scope, document, document_hash(document))
    if books.store.create(record, _audit(record, actor, now)):
        return Closed(record, created=True)
    first = books.store.get(day, scope)
    if first is None:
        raise ConflictError(f"the close of {day} ({scope}) was refused and is not there")
    return Closed(_checked(first), created=False)


def day_closes(store: DailyCloseStore, day: date) -> list[StoredClose]:
    """Every close of banking day ``day``: the agency's and any department's."""
    covered_days(day)
    found = store.day(day)
    if not found:
        raise NotFoundError(f"{day} has not been closed")
    return [_checked(c) for c in found]


def _checked(close: StoredClose) -> StoredClose:
    if document_hash(close.document) != close.sha256:
        raise DailyCloseAltered(f"the close of {close.business_date} ({close.scope}) does not match its hash")
    return close


def _subledger(totals: DailyTotalsStore, currency: str, first: date, last: date) -> Subledger:
    return subledger_of(fold(d.counters for d in totals.days(currency, first, last)))


def _deposits(finance: FinanceStore, drawers: DrawerCloseouts | None, first: date, last: date) -> list[DepositLine]:
    found: list[DepositLine] = []
    cursor: str | None = None
    while True:
        page = finance.deposits(first, last, status=None, limit=DEPOSITS_PAGE, cursor=cursor)
        for p in page.items:
            drawer = drawers.close_of_deposit(p.payout_id) if drawers and p.processor == COUNTER else None
            found.append(
                DepositLine(
                    p.payout_id,
                    p.processor,
                    p.amount,
                    p.currency,
                    confirmed=p.deposit_status == DepositStatus.DEPOSITED.value,
                    terminal=drawer.terminal_id if drawer else None,
                    over_short=dict(drawer.over_short) if drawer else {},
                )
            )
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def _audit(close: StoredClose, actor: str, now: datetime) -> AuditEvent:
    document: dict[str, Any] = close.document
    return AuditEvent(
        event_id=new_id("aud"),
        entity_type=ENTITY,
        entity_id=f"{close.business_date.isoformat()}#{close.scope}",
        action="day.closed",
        actor=actor,
        at=now,
        after={
            "business_date": close.business_date.isoformat(),
            "scope": close.scope,
            "sha256": close.sha256,
            "covered_from": document["covered_from"],
            "covered_to": document["covered_to"],
            "currencies": document["currencies"],
            "variances": [
                {k: v[k] for k in ("reason", "currency", "department", "amount")} for v in document["variances"]
            ],
            "journal_batches": document["journal_batches"],
        },
    )
