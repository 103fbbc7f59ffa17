"""The leadership metrics, from a range's summed daily counters (``domain/daily_totals.py``). The formulas are
published (``FORMULAS``, docs/finance.md "Metrics") and each figure names the counters it comes from.

- Payment success rate = succeeded ÷ attempted, per channel and method and overall. A payment record is an
  attempt; it succeeded unless it is ``failed`` (a decline, or an ACH debit the bank returned as failed).
  "With retries" would count a payer's later successful retry of a declined attempt as a success: the platform
  cannot know it from the ledger (the scheduled-charge retries happen inside the payment_retry machine and only
  the last attempt makes a payment record; an interactive decline is not linked to the payer's next try), so it
  is reported as not available, never estimated.
- Processing time per stage, in banking days (Federal Reserve calendar): average = sum ÷ count; p90 = the smallest
  whole number of banking days within which at least 90% of the stage's payments completed (from the histogram;
  the last bucket is "MAX_BUCKET or more").
- Revenue recognition accuracy = receipts right the first time ÷ receipts. A receipt is a collected payment; it is
  right the first time when it was never refunded (in part or whole), voided or reversed after posting: each of
  those is a correction of where the money went (the platform cannot see a fund or account mapped wrongly in the
  ERP, only the corrections made here). The subledger-to-GL variance needs GL journals: while none exist for the
  range it is not available.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from arportal.domain.daily_totals import MAX_BUCKET, STAGE_NAMES, share_of
from arportal.domain.models import Payment

FORMULAS = {
    "success_rate": "succeeded ÷ attempted (a payment record is an attempt; succeeded = not failed)",
    "success_rate_with_retries": "not available: retries are not linked to the attempts they follow in the ledger",
    "average_days": "Σ banking days of the stage ÷ payments that completed the stage",
    "p90_days": "smallest n with (payments completing the stage within n banking days) ≥ 90% of them",
    "recognition_accuracy": "receipts never refunded, voided or reversed after posting ÷ receipts (collected)",
    "gl_variance": "subledger collections - GL journal total for the range; not available without journals",
}


@dataclass(frozen=True)
class Rate:
    attempted: int
    succeeded: int
    failed: int

    @property
    def rate(self) -> float | None:
        return round(self.succeeded / self.attempted, 4) if self.attempted else None


@dataclass(frozen=True)
class StageTime:
    stage: str
    count: int
    average_days: float | None
    p90_days: int | None
    histogram: list[int]  # payments per whole banking days 0..MAX_BUCKET (the last: MAX_BUCKET or more)


@dataclass(frozen=True)
class Accuracy:
    receipts: int
    first_time: int

    @property
    def rate(self) -> float | None:
        return round(self.first_time / self.receipts, 4) if self.receipts else None


@dataclass(frozen=True)
class Metrics:
    overall: Rate
    by_channel_method: dict[str, Rate]  # "<channel>/<method>"
    stages: list[StageTime]
    accuracy: Accuracy


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


def metrics_of(counters: Mapping[str, int]) -> Metrics:
    rates: dict[str, Rate] = {}
    first_time = 0
    for name in counters:
        parts = name.split(".")
        if parts[0] != "m" or parts[3] != "attempted":
            continue
        prefix = ".".join(parts[:3])
        rates[f"{parts[1]}/{parts[2]}"] = Rate(
            counters[name], counters.get(f"{prefix}.succeeded", 0), counters.get(f"{prefix}.failed", 0)
        )
    first_time = sum(v for n, v in counters.items() if n.startswith("m.") and n.endswith(".first_time"))
    stages = []
    for stage in STAGE_NAMES:
        n = counters.get(f"st.{stage}.n", 0)
        histogram = [counters.get(f"st.{stage}.b{k}", 0) for k in range(MAX_BUCKET + 1)]
        average = round(counters.get(f"st.{stage}.sum", 0) / n, 2) if n else None
        stages.append(StageTime(stage, n, average, p90(histogram), histogram))
    overall = Rate(
        sum(r.attempted for r in rates.values()),
        sum(r.succeeded for r in rates.values()),
        sum(r.failed for r in rates.values()),
    )
    return Metrics(overall, dict(sorted(rates.items())), stages, Accuracy(counters.get("col.n", 0), first_time))


# The figures a drill-down lists the payments of; each is a counter of the payment's own share, so a figure and
# its list can never disagree.
FIGURES = ("attempted", "succeeded", "failed", "receipts", "first_time", "corrected", *STAGE_NAMES)


def in_figure(payment: Payment, figure: str, *, channel: str | None = None, method: str | None = None) -> bool:
    """Whether the payment is counted in ``figure`` (of ``channel`` and ``method``, when named)."""
    if (channel and payment.channel.value != channel) or (method and payment.method.type.value != method):
        return False
    counters = share_of(payment, []).counters
    mine = f"m.{payment.channel.value}.{payment.method.type.value}"
    if figure in ("attempted", "succeeded", "failed", "first_time"):
        return f"{mine}.{figure}" in counters
    if figure == "receipts":
        return "col.n" in counters
    if figure == "corrected":
        return "col.n" in counters and f"{mine}.first_time" not in counters
    return f"st.{figure}.n" in counters
