"""Collections and exceptions reports over a range of days: one Query per day of the activity index, the days
read side by side (each is independent), figures made by the pure rules in ``domain/reports.py``."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from arportal.domain.models import Approval, Payment
from arportal.domain.reports import (
    COLLECTED,
    EXCEPTIONS,
    CollectionsReport,
    DayExceptions,
    Tally,
    collections_of_day,
    collections_report,
    exceptions_of_day,
    report_days,
)
from arportal.domain.status import PaymentStatus
from arportal.ports import ActivityReader, DayActivity, PendingApprovals

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
    reader: ActivityReader, approvals: PendingApprovals, *, start: date, end: date, currency: str
) -> ExceptionsReport:
    days = report_days(start, end)
    read: list[DayActivity] = _each_day(
        days, lambda d: reader.day_activity(d, payment_statuses=EXCEPTIONS, interactions=True)
    )
    per_day = [
        exceptions_of_day(day, activity.payments, activity.interactions, currency=currency)
        for day, activity in zip(days, read, strict=True)
    ]
    newest_first = sorted((p for a in read for p in a.payments), key=lambda p: p.created_at, reverse=True)
    pending = [p for p in newest_first if p.status is PaymentStatus.PENDING]
    failed = [p for p in newest_first if p.status is PaymentStatus.FAILED]
    return ExceptionsReport(
        start=start,
        end=end,
        currency=currency,
        days=per_day,
        pending=sum((d.pending for d in per_day), Tally()),
        failed=sum((d.failed for d in per_day), Tally()),
        interactions=sum(sum(d.interactions.values()) for d in per_day),
        pending_payments=pending[:MAX_LISTED],
        failed_payments=failed[:MAX_LISTED],
        listed_all=len(pending) <= MAX_LISTED and len(failed) <= MAX_LISTED,
        approvals_waiting=approvals.pending_approvals(customer_id=None, limit=MAX_APPROVALS),
        complete=all(a.complete for a in read),
    )
