"""Daily totals: folding the ledger's events into per-day counters, and the reports and metrics read from them.

Folding is state-based (``domain/daily_totals.py``): an event about a payment makes the builder read the payment
as it stands and replace the share it last added to its day, in one transaction conditioned on that share. A
repeated or late event finds the share already at the payment's version and changes nothing, so the stream's
at-least-once delivery counts each payment once, and events folded in any order leave the same totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from arportal.domain.daily_totals import collections_from_counters, fold, share_of
from arportal.domain.errors import ConflictError
from arportal.domain.metrics import Metrics, in_figure, metrics_of
from arportal.domain.models import Payment
from arportal.domain.reports import CollectionsReport, collections_report, report_days
from arportal.domain.status import PaymentStatus
from arportal.ports import ActivityFilter, ActivityReader, DailyTotalsStore
from arportal.services.activity import ActivityCursor, browse

MAX_RANGE_DAYS = 5 * 366 + 1  # five years, whatever the leap years
_RACES = 5


def fold_payment(
    store: DailyTotalsStore, customer_id: str, payment_id: str, *, closures: frozenset[date] = frozenset()
) -> bool:
    """Bring the payment's share of its day up to date; True if the totals moved."""
    for _ in range(_RACES):
        now = store.payment_now(customer_id, payment_id)
        if now is None:
            return False
        payment, allocations = now
        held = store.held_share(customer_id, payment_id)
        if held is not None and held.version >= payment.version:
            return False  # a repeated or late event: the share is already this version's (or a newer one's)
        try:
            store.replace_share(
                customer_id,
                payment_id,
                held=held,
                version=payment.version,
                share=share_of(payment, allocations, closures),
            )
            return True
        except ConflictError:
            continue  # another fold moved the share first: read again
    raise ConflictError(f"the daily share of payment {payment_id} kept changing; the event will be retried")


@dataclass(frozen=True)
class PaymentRef:
    customer_id: str
    payment_id: str


def payment_of_event(detail: Mapping[str, Any]) -> PaymentRef | None:
    """The payment an outbox event is about, if any (``entity.type`` is ``payment``; docs/events.md)."""
    entity = detail.get("entity") or {}
    payment_id = detail.get("payment_id")
    if entity.get("type") != "payment" or not payment_id:
        return None
    return PaymentRef(str(detail.get("customer_id") or ""), str(payment_id))


def fold_events(
    store: DailyTotalsStore, details: Iterable[Mapping[str, Any]], *, closures: frozenset[date] = frozenset()
) -> int:
    """Fold a batch of outbox events' details; returns how many moved the totals."""
    moved = 0
    for detail in details:
        ref = payment_of_event(detail)
        if ref is not None and fold_payment(store, ref.customer_id, ref.payment_id, closures=closures):
            moved += 1
    return moved


def collections(store: DailyTotalsStore, *, start: date, end: date, currency: str) -> CollectionsReport:
    """The collections report from one item per day (``reports.collections`` reads every payment)."""
    held = {d.day: d for d in store.days(currency, start, end)}
    days = [
        collections_from_counters(day, held[day].counters, held[day].discrepancies)
        if day in held
        else collections_from_counters(day, {}, ())
        for day in report_days(start, end, max_days=MAX_RANGE_DAYS)
    ]
    return collections_report(start, end, currency, days, complete=True)


@dataclass(frozen=True)
class RangeMetrics:
    metrics: Metrics
    days_read: int  # daily totals items read: one per day with activity, whatever the number of payments


def metrics(store: DailyTotalsStore, *, start: date, end: date, currency: str) -> RangeMetrics:
    report_days(start, end, max_days=MAX_RANGE_DAYS)
    days = store.days(currency, start, end)
    return RangeMetrics(metrics_of(fold(d.counters for d in days)), len(days))


def rebuild(
    store: DailyTotalsStore, reader: ActivityReader, *, start: date, end: date, closures: frozenset[date] = frozenset()
) -> int:
    """Fold every payment taken in the range, as events would (a backfill: payments from before the builder, or
    loaded without events); safe to run again, and beside the builder. Returns how many shares moved."""
    moved = 0
    for day in report_days(start, end, max_days=MAX_RANGE_DAYS):
        for payment in reader.day_activity(day, payment_statuses=frozenset(PaymentStatus)).payments:
            owner = payment.customer_id or ""
            moved += fold_payment(store, owner, payment.payment_id, closures=closures)
    return moved


@dataclass(frozen=True)
class FigurePage:
    payments: list[Payment]
    next: ActivityCursor | None


def figure_payments(
    reader: ActivityReader,
    *,
    start: date,
    end: date,
    figure: str,
    channel: str | None,
    method: str | None,
    limit: int,
    cursor: ActivityCursor | None,
) -> FigurePage:
    """The payments behind a figure, newest first, a page at a time (a page may hold fewer than ``limit`` and
    still have a cursor: the payments read are filtered by the figure's own rule, ``metrics.in_figure``)."""
    where = ActivityFilter(channel=channel, status=PaymentStatus.FAILED.value if figure == "failed" else None)
    page = browse(reader, start=start, end=end, where=where, limit=limit, cursor=cursor, max_days=MAX_RANGE_DAYS)
    found = [p for p in page.payments if in_figure(p, figure, channel=channel, method=method)]
    return FigurePage(found, page.next)
