"""Daily totals: folding the ledger's events into per-day counters, and the reports and metrics read from them.

Folding is state-based (``domain/daily_totals.py``): an event about a payment makes the builder read the payment
as it stands and replace the share it last added to its day, in one transaction conditioned on that share. A
repeated or late event finds the share already at the payment's version and changes nothing, so the stream's
at-least-once delivery counts each payment once, and events folded in any order leave the same totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from arportal.domain import gl_variance
from arportal.domain.daily_totals import collections_from_counters, fold, share_of
from arportal.domain.errors import ConflictError
from arportal.domain.metrics import (
    DEPOSIT_STAGE,
    Accuracy,
    DepositTime,
    GlCorrections,
    Metrics,
    deposit_stage,
    in_figure,
    metrics_of,
)
from arportal.domain.models import Interaction, Payment
from arportal.domain.reports import CollectionsReport, collections_report, report_days
from arportal.domain.status import PaymentStatus
from arportal.ports import ActivityFilter, ActivityReader, DailyTotalsStore
from arportal.ports.daily_totals import MetricsSources
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
    journal_days: int = 0  # banking days whose journals were read (their batches, by id)


def metrics(
    store: DailyTotalsStore,
    *,
    start: date,
    end: date,
    currency: str,
    sources: MetricsSources | None = None,
    closures: frozenset[date] = frozenset(),
) -> RangeMetrics:
    """The metrics of the range; with ``sources``, also the deposited stage, the GL variance and the GL side of
    recognition accuracy (the daily totals are then read over the days the range's journals take)."""
    report_days(start, end, max_days=MAX_RANGE_DAYS)
    if sources is None:
        days = store.days(currency, start, end)
        return RangeMetrics(metrics_of(fold(d.counters for d in days)), len(days))
    try:
        banking = gl_variance.journal_days(start, end, closures)
        period = gl_variance.covered(banking, closures)
    except OverflowError:  # the range touches the calendar's ends: no journal can take those days
        banking, period = [], (start, end)
    wide = store.days(currency, min(start, period[0]), max(end, period[1]))
    mine = [d for d in wide if start <= d.day <= end]
    found = metrics_of(fold(d.counters for d in mine))
    deposits = [x for x in sources.deposits(start, end) if x.currency == currency]
    stage = deposit_stage((DepositTime(x.arrival, x.deposited_on) for x in deposits), closures)
    measured = sum(1 for x in deposits if x.deposited_on is not None)
    found = replace(found, stages=[*found.stages, stage], deposits=measured)
    if not banking:
        return RangeMetrics(found, len(wide))
    journals = sources.journal_days(banking)
    received = {d.day: d.counters.get("rcv.amt", 0) for d in wide}
    variance = gl_variance.gl_variance(received, journals, currency=currency, closures=closures)
    # A correction posted every receipt of the days its journal took again: none of them was right the first time.
    corrected = gl_variance.corrected_days(journals, closures)
    lost = sum(v for d in mine if d.day in corrected for n, v in d.counters.items() if n.endswith(".first_time"))
    accuracy = Accuracy(found.accuracy.receipts, found.accuracy.first_time - lost, lost)
    return RangeMetrics(replace(found, accuracy=accuracy, gl=variance), len(wide), len(banking))


def gl_corrections(
    sources: MetricsSources | None, *, start: date, end: date, closures: frozenset[date] = frozenset()
) -> GlCorrections | None:
    """The days of the range whose receipts a GL correction posted again (for the accuracy figures' lists)."""
    if sources is None:
        return None
    try:
        banking = gl_variance.journal_days(start, end, closures)
    except OverflowError:
        return GlCorrections()
    return GlCorrections(frozenset(gl_variance.corrected_days(sources.journal_days(banking), closures)))


def rebuild(
    store: DailyTotalsStore, reader: ActivityReader, *, start: date, end: date, closures: frozenset[date] = frozenset()
) -> int:
    """Fold every payment taken in the range, as events would (a backfill: payments from before the builder, or
    loaded without events); safe to run again, and beside the builder. Returns how many shares moved."""
    moved = 0
    for day in report_days(start, end, max_days=MAX_RANGE_DAYS):
        activity = reader.day_activity(day, payment_statuses=frozenset(PaymentStatus), interactions=True, whole=True)
        for payment in activity.payments:
            owner = payment.customer_id or ""
            moved += fold_payment(store, owner, payment.payment_id, closures=closures)
            reader.list_exception(payment)  # one that stands pending or failed and was written off its list
        _recount_interactions(store, reader, day, activity.interactions)
    return moved


def _recount_interactions(
    store: DailyTotalsStore, reader: ActivityReader, day: date, interactions: list[Interaction]
) -> None:
    """The day's interaction counters from the interactions themselves (those recorded before they were counted,
    or loaded without them); an interaction counted meanwhile makes it read the day again."""
    for _ in range(_RACES):
        counts: dict[str, int] = {}
        for interaction in interactions:
            counts[interaction.kind.value] = counts.get(interaction.kind.value, 0) + 1
        if store.recount_interactions(day, counts):
            return
        again = reader.day_activity(day, payment_statuses=frozenset(), interactions=True, whole=True)
        interactions = again.interactions
    raise ConflictError(f"the interactions of {day} kept being recorded; run the rebuild again")


@dataclass(frozen=True)
class FigurePage:
    payments: list[Payment]
    next: ActivityCursor | None
    next_deposits: str | None = None  # the deposited stage pages through deposits, not days


# A retry's success counts on its series' first day; the retry is taken within a day of it (SERIES_WINDOW), so
# the payments behind those figures are looked for one day past the range too.
_SERIES_FIGURES = frozenset({"series_succeeded"})


def reach_of(figure: str, end: date) -> date:
    """The last day whose payments a figure's list reads: a series' success may be taken the day after its first."""
    return end + timedelta(days=1) if figure in _SERIES_FIGURES and end < date.max else end


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
    gl: GlCorrections | None = None,
) -> FigurePage:
    """The payments behind a figure, newest first, a page at a time (a page may hold fewer than ``limit`` and
    still have a cursor: the payments read are filtered by the figure's own rule, ``metrics.in_figure``)."""
    if figure == DEPOSIT_STAGE:
        raise ValueError("the deposited stage lists the payments of its deposits: deposit_figure_payments")
    report_days(start, end, max_days=MAX_RANGE_DAYS)  # the range asked for; the day past it is only looked at
    reach = reach_of(figure, end)
    own_channel = channel if figure not in _SERIES_FIGURES else None  # a series' channel is its first try's
    where = ActivityFilter(channel=own_channel, status=PaymentStatus.FAILED.value if figure == "failed" else None)
    page = browse(reader, start=start, end=reach, where=where, limit=limit, cursor=cursor, max_days=MAX_RANGE_DAYS + 1)
    found = [
        p for p in page.payments if in_figure(p, figure, channel=channel, method=method, start=start, end=end, gl=gl)
    ]
    return FigurePage(found, page.next)


def deposit_figure_payments(
    sources: MetricsSources,
    *,
    start: date,
    end: date,
    currency: str,
    channel: str | None,
    method: str | None,
    limit: int,
    cursor: str | None,
) -> FigurePage:
    """The payments of the deposits the deposited stage measured (confirmed, arriving in the range)."""
    report_days(start, end, max_days=MAX_RANGE_DAYS)
    page = sources.deposit_payments(start, end, currency=currency, limit=limit, cursor=cursor)
    found = [
        p
        for p in page.payments
        if (not channel or p.channel.value == channel) and (not method or p.method.type.value == method)
    ]
    return FigurePage(found, None, page.next)
