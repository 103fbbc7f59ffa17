"""Response models of the leadership metrics and of the payments behind each figure."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from arportal.api.schemas import Out
from arportal.domain.gl_variance import GlVariance
from arportal.domain.metrics import FORMULAS, Rate, StageTime
from arportal.services.daily_totals import RangeMetrics
from staff_api.schemas_common import StaffPaymentOut


class RateOut(Out):
    name: str = Field(description="'all', or '<channel>/<method>'")
    attempted: int = Field(description="tries (a scheduled charge's record stands for all its tries)")
    succeeded: int
    failed: int
    rate: float | None = Field(description=FORMULAS["success_rate"] + "; null when nothing was attempted")
    series: int = Field(description="series of tries started (on their first attempt's day, channel and method)")
    series_succeeded: int = Field(description="series one of whose tries succeeded")
    rate_with_retries: float | None = Field(description=FORMULAS["success_rate_with_retries"] + "; null: no series")

    @classmethod
    def of(cls, name: str, r: Rate) -> RateOut:
        return cls(
            name=name,
            attempted=r.attempted,
            succeeded=r.succeeded,
            failed=r.failed,
            rate=r.rate,
            series=r.series,
            series_succeeded=r.series_succeeded,
            rate_with_retries=r.rate_with_retries,
        )


class StageOut(Out):
    stage: str = Field(
        description="authorized_to_posted, posted_to_settled, settled_to_paid_out or paid_out_to_deposited "
        "(" + FORMULAS["paid_out_to_deposited"] + ")"
    )
    count: int = Field(description="payments that completed the stage (deposits, for paid_out_to_deposited)")
    average_days: float | None = Field(description=FORMULAS["average_days"])
    p90_days: int | None = Field(description=FORMULAS["p90_days"])
    histogram: list[int] = Field(description="payments per whole banking days 0, 1, ..., 10 (the last: 10 or more)")

    @classmethod
    def of(cls, s: StageTime) -> StageOut:
        return cls(
            stage=s.stage, count=s.count, average_days=s.average_days, p90_days=s.p90_days, histogram=s.histogram
        )


class GlVarianceOut(Out):
    period_start: date = Field(description="the first calendar day the compared journals take")
    period_end: date = Field(description="the last (a range ending on a weekend reaches the next banking day)")
    subledger: int = Field(description="payments applied in the period (posted, or ACH accepted), minor units")
    gl: int = Field(description="the journals' payment credits to revenue and credit held, minor units")
    variance: int = Field(description="subledger - gl")
    missing_days: list[date] = Field(description="banking days of the period without a stored journal")

    @classmethod
    def of(cls, v: GlVariance) -> GlVarianceOut:
        return cls(
            period_start=v.period_start,
            period_end=v.period_end,
            subledger=v.subledger,
            gl=v.gl,
            variance=v.variance,
            missing_days=v.missing_days,
        )


class AccuracyOut(Out):
    receipts: int = Field(description="collected payments")
    first_time: int = Field(
        description="receipts never refunded, voided or reversed after posting, and whose GL lines no correction "
        "reversed"
    )
    gl_corrected: int = Field(description="receipts otherwise right the first time that a GL correction posted again")
    rate: float | None = Field(description=FORMULAS["recognition_accuracy"])
    gl_variance: int | None = Field(
        description=FORMULAS["gl_variance"] + "; null only for a range at the calendar's ends"
    )
    gl_variance_available: bool = Field(description="every journal of the compared period is stored")
    gl: GlVarianceOut | None = Field(
        description="how the variance was worked out: the period, both sides, the banking days without a journal"
    )


class MetricsOut(Out):
    start: date
    end: date
    currency: str
    success_rate: RateOut
    success_rate_by_channel_method: list[RateOut]
    success_rate_with_retries: float | None = Field(description=FORMULAS["success_rate_with_retries"])
    processing_time: list[StageOut] = Field(description="per stage, in banking days (Federal Reserve calendar)")
    recognition_accuracy: AccuracyOut
    formulas: dict[str, str] = Field(description="each figure's published formula (docs/finance.md, Metrics)")
    days_read: int = Field(description="daily totals items read to answer (one per day with activity)")
    journal_days_read: int = Field(description="banking days whose journal batches were read (by id)")
    deposits_measured: int = Field(description="confirmed deposits the paid_out_to_deposited stage measured")

    @classmethod
    def of(cls, found: RangeMetrics, *, start: date, end: date, currency: str) -> MetricsOut:
        m = found.metrics
        return cls(
            start=start,
            end=end,
            currency=currency,
            success_rate=RateOut.of("all", m.overall),
            success_rate_by_channel_method=[RateOut.of(n, r) for n, r in m.by_channel_method.items()],
            success_rate_with_retries=m.overall.rate_with_retries,
            processing_time=[StageOut.of(s) for s in m.stages],
            recognition_accuracy=AccuracyOut(
                receipts=m.accuracy.receipts,
                first_time=m.accuracy.first_time,
                gl_corrected=m.accuracy.gl_corrected,
                rate=m.accuracy.rate,
                gl_variance=m.gl.variance if m.gl else None,
                gl_variance_available=bool(m.gl and m.gl.available),
                gl=GlVarianceOut.of(m.gl) if m.gl else None,
            ),
            formulas=dict(FORMULAS),
            days_read=found.days_read,
            journal_days_read=found.journal_days,
            deposits_measured=m.deposits,
        )


class FigurePaymentsOut(Out):
    figure: str
    payments: list[StaffPaymentOut]
    next_cursor: str | None
