"""Daily totals: what each payment adds to the day it was taken, kept as flat counters so a year of reports reads
one item per day instead of every payment.

The counters are state-based, not event-based: a payment's share (``share_of``) is worked out from the payment as
it stands (and its allocations), and its day's item moves by the difference from the share it last added
(``difference``). So folding the same payment's events twice, or in any order, leaves the same totals: only a
share from a newer version of the payment replaces the one held (the adapter's condition), and the totals are
always the sum of the latest shares. The collections rules are ``domain/reports.py``'s, applied one payment at a
time, so ``collections_from_counters`` answers what ``collections_of_day`` answers.

Counter names (``.`` separates parts; department, channel and method codes hold no ``.``):
    col.n, col.amt                 collected payments and their gross amount
    ch.<channel>.n / .amt          the same by channel
    dep.<department>.n / .amt      the same by department (by allocations; ``unallocated`` for the rest)
    out.fees / .refunded / .fees_returned / .reversed    what became of them (``reports.Outcome``)
    m.<channel>.<method>.attempted / .succeeded / .failed / .first_time    for the metrics: tries, and what became
                                   of them (a scheduled charge's record stands for all its tries: ``tries_of``)
    m.<channel>.<method>.series / .series_succeeded    series of tries at paying one thing (``Payment.series``):
                                   counted on the series' first attempt's day, channel and method; succeeded
                                   when one of its attempts did (that attempt's share adds it to the first's day)
    rcv.amt                        the amount of payments ever applied (posted, or an ACH debit accepted): what
                                   the day's GL journal credits to revenue and credit held (``gl_variance.py``)
    exc.<pending|failed>.n / .amt  payments that stand pending or failed (the exceptions report): state-based like
                                   the rest, so a pending payment that posts leaves the day's pending count
    st.<stage>.n / .sum / .b<k>    stage durations in banking days: count, sum, histogram (k = 0..MAX_BUCKET; the
                                   last bucket holds MAX_BUCKET or more)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from arportal.domain.banking_days import NO_CLOSURES, banking_days_between
from arportal.domain.models import Allocation, Payment
from arportal.domain.reports import (
    EXCEPTIONS,
    DayCollections,
    DayExceptions,
    Outcome,
    Tally,
    allocates_more_than_paid,
    collected,
    department_split,
    outcome_of,
)
from arportal.domain.status import PaymentStatus

P = PaymentStatus
MAX_BUCKET = 10
INTERACTION_PREFIX = "int."  # interaction counters, int.<kind>: kept apart from payments' (daily_total_items)
# The stages a payment moves through, each from the first status to the second (the first one reached of each set).
STAGES: dict[str, tuple[frozenset[PaymentStatus], frozenset[PaymentStatus]]] = {
    "authorized_to_posted": (frozenset({P.AUTHORIZED, P.PENDING}), frozenset({P.POSTED})),
    "posted_to_settled": (frozenset({P.POSTED}), frozenset({P.SETTLED})),
}
# And ``settled_to_paid_out``: settled -> the day the processor's payout carrying it reached the agency's bank
# (``Payment.paid_out_on``, set by settlement from payouts), measured when both are known.
STAGE_NAMES = (*STAGES, "settled_to_paid_out")
# Reapplied or given back after posting: not "right the first time".
CORRECTED = frozenset({P.REFUNDED, P.PARTIALLY_REFUNDED, P.VOIDED, P.REVERSED})

Counters = dict[str, int]


@dataclass(frozen=True)
class Share:
    """One payment's share of its day: the counters it adds, and whether it is a discrepancy to look at."""

    day: date
    currency: str
    counters: Counters = field(default_factory=dict)
    discrepancy: bool = False
    # Counters on other days of the same currency: a retry that succeeded, on its series' first day.
    elsewhere: dict[date, Counters] = field(default_factory=dict)

    def by_day(self) -> dict[date, Counters]:
        return {self.day: self.counters, **{d: c for d, c in self.elsewhere.items() if c}}


def _add(counters: Counters, name: str, value: int) -> None:
    if value:
        counters[name] = counters.get(name, 0) + value


def stage_days(payment: Payment, closures: frozenset[date] = NO_CLOSURES) -> dict[str, int]:
    """Banking days each stage took, for the stages the payment has gone through."""
    days: dict[str, int] = {}
    for stage, (starts, ends) in STAGES.items():
        start = next((c.at for c in payment.history if c.status in starts), None)
        if start is None and starts & {P.AUTHORIZED, P.PENDING}:
            start = payment.created_at  # an interactive payment is authorized and posted in the same request
        end = next((c.at for c in payment.history if c.status in ends), None)
        if start is not None and end is not None and end >= start:
            days[stage] = banking_days_between(start.date(), end.date(), closures)
    # Settlement from payouts stamps when the processor settled it and the day its payout reached the bank.
    if (
        payment.settled_at is not None
        and payment.paid_out_on is not None
        and payment.paid_out_on >= payment.settled_at.date()
    ):
        days["settled_to_paid_out"] = banking_days_between(payment.settled_at.date(), payment.paid_out_on, closures)
    return days


def tries_of(payment: Payment) -> int:
    """The tries a payment record stands for: one that starts its series holds tries 1..attempt (the
    payment_retry machine makes one record for a scheduled charge however many tries it took, each earlier one
    failed, or it would not have tried again); a later attempt of an interactive series holds its own try."""
    return payment.attempt if payment.series is None else 1


# Statuses that mean the payment's money was applied when it was taken (and journaled that day).
APPLIED = frozenset({P.POSTED, P.PENDING, P.SETTLED})


def series_counters(payment: Payment) -> tuple[date, Counters]:
    """The day and counters the payment adds for its series: a series is counted once, by the attempt that
    starts it; its success by the attempt that succeeded, on the first attempt's day, channel and method. A pure
    function of this payment alone (a later attempt carries its series' start), so folding is order-free."""
    failed = payment.status is P.FAILED
    ref = payment.series
    if ref is None:
        method = f"m.{payment.channel.value}.{payment.method.type.value}"
        return payment.created_at.date(), {
            f"{method}.series": 1,
            **({} if failed else {f"{method}.series_succeeded": 1}),
        }
    if failed:
        return ref.started_at.date(), {}
    return ref.started_at.date(), {f"m.{ref.channel.value}.{ref.method.value}.series_succeeded": 1}


def share_of(payment: Payment, allocations: Sequence[Allocation], closures: frozenset[date] = NO_CLOSURES) -> Share:
    counters: Counters = {}
    day = payment.created_at.date()
    method = f"m.{payment.channel.value}.{payment.method.type.value}"
    tries = tries_of(payment)
    failed = payment.status is P.FAILED
    _add(counters, f"{method}.attempted", tries)
    _add(counters, f"{method}.failed", tries - 1 + int(failed))
    _add(counters, f"{method}.succeeded", int(not failed))
    series_day, in_series = series_counters(payment)
    elsewhere: dict[date, Counters] = {}
    for name, value in in_series.items():
        _add(counters if series_day == day else elsewhere.setdefault(series_day, {}), name, value)
    if any(c.status in APPLIED for c in payment.history):
        _add(counters, "rcv.amt", payment.amount)
    if payment.status in EXCEPTIONS:
        _add(counters, f"exc.{payment.status.value}.n", 1)
        _add(counters, f"exc.{payment.status.value}.amt", payment.amount)
    if not collected(payment):
        return Share(day, payment.currency, counters, elsewhere=elsewhere)
    if not any(c.status in CORRECTED for c in payment.history):
        _add(counters, f"{method}.first_time", 1)
    _add(counters, "col.n", 1)
    _add(counters, "col.amt", payment.amount)
    _add(counters, f"ch.{payment.channel.value}.n", 1)
    _add(counters, f"ch.{payment.channel.value}.amt", payment.amount)
    for department, amount in department_split(payment, allocations).items():
        _add(counters, f"dep.{department}.n", 1)
        _add(counters, f"dep.{department}.amt", amount)
    outcome = outcome_of(payment)
    for name in ("fees", "refunded", "fees_returned", "reversed"):
        _add(counters, f"out.{name}", getattr(outcome, name))
    for stage, days in stage_days(payment, closures).items():
        _add(counters, f"st.{stage}.n", 1)
        _add(counters, f"st.{stage}.sum", days)
        _add(counters, f"st.{stage}.b{min(days, MAX_BUCKET)}", 1)
    discrepancy = allocates_more_than_paid(payment, allocations)
    return Share(day, payment.currency, counters, discrepancy, elsewhere)


def difference(new: Counters, old: Counters) -> Counters:
    """What moves a day's counters from holding ``old`` to holding ``new`` (zeros left out)."""
    names = set(new) | set(old)
    return {n: new.get(n, 0) - old.get(n, 0) for n in sorted(names) if new.get(n, 0) != old.get(n, 0)}


def fold(shares: Iterable[Mapping[str, int]]) -> Counters:
    total: Counters = {}
    for counters in shares:
        for name, value in counters.items():
            _add(total, name, value)
    return {n: v for n, v in total.items() if v}


def _tallies(counters: Mapping[str, int], prefix: str) -> dict[str, Tally]:
    keys = sorted({name.split(".")[1] for name in counters if name.startswith(prefix)})
    return {
        k: Tally(counters.get(f"{prefix}{k}.n", 0), counters.get(f"{prefix}{k}.amt", 0))
        for k in keys
        if counters.get(f"{prefix}{k}.n", 0)
    }


def collections_from_counters(day: date, counters: Mapping[str, int], discrepancies: Iterable[str]) -> DayCollections:
    """The day's collections as ``reports.collections_of_day`` gives them, from the day's counters."""
    return DayCollections(
        day,
        Tally(counters.get("col.n", 0), counters.get("col.amt", 0)),
        _tallies(counters, "dep."),
        _tallies(counters, "ch."),
        Outcome(*(counters.get(f"out.{n}", 0) for n in ("fees", "refunded", "fees_returned", "reversed"))),
        tuple(sorted(discrepancies)),
    )


def exceptions_from_counters(day: date, counters: Mapping[str, int], interactions: Mapping[str, int]) -> DayExceptions:
    """The day's exceptions as ``reports.exceptions_of_day`` gives them, from the day's payment counters and its
    interaction counters (``int.<kind>``, kept by the interactions' own writes)."""
    p = INTERACTION_PREFIX
    kinds = {name[len(p) :]: n for name, n in interactions.items() if name.startswith(p) and n}
    return DayExceptions(
        day,
        Tally(counters.get("exc.pending.n", 0), counters.get("exc.pending.amt", 0)),
        Tally(counters.get("exc.failed.n", 0), counters.get("exc.failed.amt", 0)),
        dict(sorted(kinds.items())),
    )
