"""The leadership metrics, from a range's summed daily counters (``domain/daily_totals.py``), the deposits
arriving in the range and the GL journals of its days (``domain/gl_variance.py``). The formulas are published
(``FORMULAS``, docs/finance.md "Metrics") and each figure names the counters it comes from.

- Payment success rate = succeeded ÷ attempted, per channel and method and overall: every try counts (a decline
  records a ``failed`` payment; a scheduled charge's record stands for all the payment_retry machine's tries).
  With retries = series succeeded ÷ series: a series is a payer's tries at paying one thing (an interactive
  decline and the same payer's next try at the same invoices within 24 hours of the first; a scheduled charge's
  tries), counted once on its first attempt's day, channel and method, and succeeded when one of its tries did.
- Processing time per stage, in banking days (Federal Reserve calendar): average = sum ÷ count; p90 = the smallest
  whole number of banking days within which at least 90% of the stage's payments completed (from the histogram;
  the last bucket is "MAX_BUCKET or more"). ``paid_out_to_deposited`` is measured per deposit (a processor payout,
  or a counter deposit: the unit finance confirms): its arrival day -> the day finance confirmed it.
- Revenue recognition accuracy = receipts right the first time ÷ receipts. A receipt is a collected payment; it is
  right the first time when it was never refunded (in part or whole), voided or reversed after posting, and its
  GL lines were never reversed by a correction (every line of a corrected batch is: so none of the receipts its
  days took). The platform cannot see a fund or account mapped wrongly in the ERP, only the corrections here.
- Subledger-to-GL variance = what the subledger applied (``rcv.amt``) - what the journals credited to revenue and
  credit held for it, over the days the range's journals take; available when every one of them is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from arportal.domain.banking_days import NO_CLOSURES, banking_days_between
from arportal.domain.daily_totals import MAX_BUCKET, STAGE_NAMES, share_of
from arportal.domain.gl_variance import GlVariance
from arportal.domain.models import Payment

FORMULAS = {
    "success_rate": "succeeded ÷ attempted (every try is an attempt: a decline records a failed payment; a "
    "scheduled charge's record stands for all its tries; succeeded = not failed)",
    "success_rate_with_retries": "series succeeded ÷ series (a series: a payer's tries at paying the same invoices, "
    "a decline and the next try within 24 hours of the first, or a scheduled charge's tries; counted on its first "
    "attempt's day, channel and method; succeeded when one of its tries did)",
    "average_days": "Σ banking days of the stage ÷ payments that completed the stage",
    "p90_days": "smallest n with (payments completing the stage within n banking days) ≥ 90% of them",
    "paid_out_to_deposited": "per deposit arriving in the range and confirmed (a processor payout, or a counter "
    "deposit): banking days from its arrival to its confirmation; count, average and p90 are of deposits",
    "recognition_accuracy": "receipts never refunded, voided or reversed after posting, and whose GL lines no "
    "correction reversed ÷ receipts (collected)",
    "gl_variance": "subledger applied (payments posted, or ACH accepted) - GL journals' payment credits to revenue "
    "and credit held, over the days the range's journals take; available when each of those journals is stored",
}
DEPOSIT_STAGE = "paid_out_to_deposited"
ALL_STAGES = (*STAGE_NAMES, DEPOSIT_STAGE)


@dataclass(frozen=True)
class Rate:
    attempted: int
    succeeded: int
    failed: int
    series: int = 0
    series_succeeded: int = 0

    @property
    def rate(self) -> float | None:
        return round(self.succeeded / self.attempted, 4) if self.attempted else None

    @property
    def rate_with_retries(self) -> float | None:
        return round(self.series_succeeded / self.series, 4) if self.series else None


@dataclass(frozen=True)
class StageTime:
    stage: str
    count: int
    average_days: float | None
    p90_days: int | None
    histogram: list[int]  # payments (deposits, for the deposited stage) per whole banking days 0..MAX_BUCKET


@dataclass(frozen=True)
class Accuracy:
    receipts: int
    first_time: int
    gl_corrected: int = 0  # receipts otherwise right the first time whose journal a correction reversed

    @property
    def rate(self) -> float | None:
        return round(self.first_time / self.receipts, 4) if self.receipts else None


@dataclass(frozen=True)
class Metrics:
    overall: Rate
    by_channel_method: dict[str, Rate]  # "<channel>/<method>"
    stages: list[StageTime]
    accuracy: Accuracy
    gl: GlVariance | None = None  # None: the range reaches past the calendar's ends
    deposits: int = 0  # deposits measured for paid_out_to_deposited


@dataclass(frozen=True)
class DepositTime:
    """A deposit as the deposited stage measures it."""

    arrival: date
    deposited_on: date | None


def p90(histogram: list[int]) -> int | None:
    total = sum(histogram)
    if not total:
        return None
    running = 0
    for days, count in enumerate(histogram):
        running += count
        if running * 10 >= total * 9:
            return days
    return len(histogram) - 1


def stage_time(stage: str, n: int, total_days: int, histogram: list[int]) -> StageTime:
    average = round(total_days / n, 2) if n else None
    return StageTime(stage, n, average, p90(histogram), histogram)


def deposit_days(deposit: DepositTime, closures: frozenset[date] = NO_CLOSURES) -> int | None:
    """Banking days from a deposit's arrival to its confirmation; None while unconfirmed (or confirmed early)."""
    if deposit.deposited_on is None or deposit.deposited_on < deposit.arrival:
        return None
    return banking_days_between(deposit.arrival, deposit.deposited_on, closures)


def deposit_stage(deposits: Iterable[DepositTime], closures: frozenset[date] = NO_CLOSURES) -> StageTime:
    """Per deposit: a deposit is confirmed as a whole, so its payments all took the time it took."""
    measured = [d for d in (deposit_days(x, closures) for x in deposits) if d is not None]
    histogram = [0] * (MAX_BUCKET + 1)
    for days in measured:
        histogram[min(days, MAX_BUCKET)] += 1
    return stage_time(DEPOSIT_STAGE, len(measured), sum(measured), histogram)


def metrics_of(counters: Mapping[str, int]) -> Metrics:
    rates: dict[str, Rate] = {}
    for name in counters:
        parts = name.split(".")
        if parts[0] != "m" or parts[3] not in ("attempted", "series"):
            continue
        key = f"{parts[1]}/{parts[2]}"
        if key in rates:
            continue
        prefix = ".".join(parts[:3])
        rates[key] = Rate(*(counters.get(f"{prefix}.{n}", 0) for n in _RATE_COUNTERS))
    first_time = sum(v for n, v in counters.items() if n.startswith("m.") and n.endswith(".first_time"))
    stages = []
    for stage in STAGE_NAMES:
        histogram = [counters.get(f"st.{stage}.b{k}", 0) for k in range(MAX_BUCKET + 1)]
        stages.append(
            stage_time(stage, counters.get(f"st.{stage}.n", 0), counters.get(f"st.{stage}.sum", 0), histogram)
        )
    overall = Rate(*(sum(getattr(r, n) for r in rates.values()) for n in _RATE_COUNTERS))
    return Metrics(overall, dict(sorted(rates.items())), stages, Accuracy(counters.get("col.n", 0), first_time))


_RATE_COUNTERS = ("attempted", "succeeded", "failed", "series", "series_succeeded")

# The figures a drill-down lists the payments of; each is a counter of the payment's own share (the deposited
# stage: of the deposit that carried it), so a figure and its list can never disagree.
FIGURES = (
    "attempted",
    "succeeded",
    "failed",
    "series",
    "series_succeeded",
    "receipts",
    "first_time",
    "corrected",
    *ALL_STAGES,
)
_METHOD_FIGURES = frozenset({"attempted", "succeeded", "failed", "first_time", "series", "series_succeeded"})


@dataclass(frozen=True)
class GlCorrections:
    """The calendar days whose receipts a GL correction posted again (``gl_variance.corrected_days``)."""

    days: frozenset[date] = field(default_factory=frozenset)


def figure_days(
    payment: Payment,
    figure: str,
    *,
    channel: str | None = None,
    method: str | None = None,
    gl: GlCorrections | None = None,
) -> set[date]:
    """The days on which the payment is counted in ``figure`` (of ``channel`` and ``method``, when named): the
    days its own share holds the figure's counter; a series' success counts on the series' first day."""
    share = share_of(payment, [])
    if figure in _METHOD_FIGURES:
        found = set()
        for day, counters in share.by_day().items():
            for name in counters:
                _, ch, mt, what = name.split(".", 3) if name.startswith("m.") else ("", "", "", "")
                if what == figure and (not channel or ch == channel) and (not method or mt == method):
                    found.add(day)
        if figure == "first_time" and gl is not None:
            found -= gl.days
        return found
    if (channel and payment.channel.value != channel) or (method and payment.method.type.value != method):
        return set()
    counters = share.counters
    mine = f"m.{payment.channel.value}.{payment.method.type.value}"
    if figure == "receipts":
        hit = "col.n" in counters
    elif figure == "corrected":
        right = f"{mine}.first_time" in counters and not (gl is not None and share.day in gl.days)
        hit = "col.n" in counters and not right
    else:
        hit = f"st.{figure}.n" in counters
    return {share.day} if hit else set()


def in_figure(
    payment: Payment,
    figure: str,
    *,
    channel: str | None = None,
    method: str | None = None,
    start: date | None = None,
    end: date | None = None,
    gl: GlCorrections | None = None,
) -> bool:
    """Whether the payment is counted in ``figure`` (of ``channel`` and ``method``, when named), on a day of
    ``start``..``end`` when given."""
    days = figure_days(payment, figure, channel=channel, method=method, gl=gl)
    return any((start is None or d >= start) and (end is None or d <= end) for d in days)
