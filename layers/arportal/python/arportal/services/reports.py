"""Collections read from the payments (one Query per day of the activity index, the days read side by side: the
oracle the daily totals are tested against), and the exceptions report, read from the daily totals and the lists
of payments standing pending or failed; figures made by the pure rules in ``domain/reports.py`` and
``domain/daily_totals.py``."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from arportal.domain.daily_totals import exceptions_from_counters
from arportal.domain.models import Approval, Payment
from arportal.domain.reports import (
    COLLECTED,
    CollectionsReport,
    DayExceptions,
    Tally,
    collections_of_day,
    collections_report,
    report_days,
)
from arportal.domain.status import PaymentStatus
from arportal.ports import ActivityReader, DailyTotalsStore, PendingApprovals

PARALLEL_DAYS = 8
MAX_LISTED = 200  # pending and failed payments listed by the exceptions report (counts are complete)
MAX_APPROVALS = 100
T = TypeVar("T")


def _each_day(days: list[date], read: Callable[[date], T]) -> list[T]:
    with ThreadPoolExecutor(max_workers=min(PARALLEL_DAYS, len(days))) as pool:
        return list(pool.map(read, days))


def collections(reader: ActivityReader, *, start: date, end: date, currency: str) -> CollectionsReport:
    days = report_days(start, end)
    read = _each_day(days, lambda d: reader.day_activity(d, payment_statuses=COLLECTED, allocations=True))
    per_day = [
        collections_of_day(day, activity.payments, activity.allocations, currency=currency)
        for day, activity in zip(days, read, strict=True)
    ]
    return collections_report(start, end, currency, per_day, complete=all(a.complete for a in read))


@dataclass(frozen=True)
class ExceptionsReport:
    start: date
    end: date
    currency: str
    days: list[DayExceptions]
    pending: Tally
    failed: Tally
    interactions: int
    pending_payments: list[Payment]  # newest first, at most MAX_LISTED
    failed_payments: list[Payment]
    listed_all: bool  # False when more pending or failed payments exist than are listed
    approvals_waiting: list[Approval]  # oldest first
    complete: bool


def exceptions(
    totals: DailyTotalsStore,
    reader: ActivityReader,
    approvals: PendingApprovals,
    *,
    start: date,
    end: date,
    currency: str,
) -> ExceptionsReport:
    """From the daily totals (one item a day: the pending and failed counts, and the interactions' own counters)
    and the two lists of payments standing pending or failed (one Query each, newest first): about five round
    trips, read side by side, whatever the range's days or payments."""
    days = report_days(start, end)
    with ThreadPoolExecutor(max_workers=5) as pool:
        held = pool.submit(totals.days, currency, start, end)
        handled = pool.submit(totals.interaction_days, start, end)
        lists = {
            status: pool.submit(reader.exception_payments, currency, status, start=start, end=end, limit=MAX_LISTED)
            for status in (PaymentStatus.PENDING, PaymentStatus.FAILED)
        }
        waiting = pool.submit(approvals.pending_approvals, customer_id=None, limit=MAX_APPROVALS)
    counters = {d.day: d.counters for d in held.result()}
    interactions = {d.day: d.counters for d in handled.result()}
    per_day = [exceptions_from_counters(day, counters.get(day, {}), interactions.get(day, {})) for day in days]
    pending, more_pending = lists[PaymentStatus.PENDING].result()
    failed, more_failed = lists[PaymentStatus.FAILED].result()
    return ExceptionsReport(
        start=start,
        end=end,
        currency=currency,
        days=per_day,
        pending=sum((d.pending for d in per_day), Tally()),
        failed=sum((d.failed for d in per_day), Tally()),
        interactions=sum(sum(d.interactions.values()) for d in per_day),
        pending_payments=pending,
        failed_payments=failed,
        listed_all=not (more_pending or more_failed),
        approvals_waiting=waiting.result(),
        complete=True,
    )
