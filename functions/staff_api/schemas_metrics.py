"""Response models of the leadership metrics and of the payments behind each figure."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from arportal.api.schemas import Out
from arportal.domain.metrics import FORMULAS, Metrics, Rate, StageTime
from staff_api.schemas_common import StaffPaymentOut


class RateOut(Out):
    name: str = Field(description="'all', or '<channel>/<method>'")
    attempted: int
    succeeded: int
    failed: int
    rate: float | None = Field(description=FORMULAS["success_rate"] + "; null when nothing was attempted")

    @classmethod
    def of(cls, name: str, r: Rate) -> RateOut:
        return cls(name=name, attempted=r.attempted, succeeded=r.succeeded, failed=r.failed, rate=r.rate)


class StageOut(Out):
    stage: str = Field(description="authorized_to_posted, posted_to_settled or settled_to_paid_out")
    count: int = Field(description="payments that completed the stage")
    average_days: float | None = Field(description=FORMULAS["average_days"])
    p90_days: int | None = Field(description=FORMULAS["p90_days"])
    histogram: list[int] = Field(description="payments per whole banking days 0, 1, ..., 10 (the last: 10 or more)")

    @classmethod
    def of(cls, s: StageTime) -> StageOut:
        return cls(
            stage=s.stage, count=s.count, average_days=s.average_days, p90_days=s.p90_days, histogram=s.histogram
        )


class AccuracyOut(Out):
    receipts: int = Field(description="collected payments")
    first_time: int = Field(description="receipts never refunded, voided or reversed after posting")
    rate: float | None = Field(description=FORMULAS["recognition_accuracy"])
    gl_variance: int | None = Field(description=FORMULAS["gl_variance"])
    gl_variance_available: bool


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

    @classmethod
    def of(cls, m: Metrics, *, start: date, end: date, currency: str, days_read: int) -> MetricsOut:
        return cls(
            start=start,
            end=end,
            currency=currency,
            success_rate=RateOut.of("all", m.overall),
            success_rate_by_channel_method=[RateOut.of(n, r) for n, r in m.by_channel_method.items()],
            success_rate_with_retries=None,
            processing_time=[StageOut.of(s) for s in m.stages],
            recognition_accuracy=AccuracyOut(
                receipts=m.accuracy.receipts,
                first_time=m.accuracy.first_time,
                rate=m.accuracy.rate,
                gl_variance=None,
                gl_variance_available=False,
            ),
            formulas=dict(FORMULAS),
            days_read=days_read,
        )


class FigurePaymentsOut(Out):
    figure: str
    payments: list[StaffPaymentOut]
    next_cursor: str | None
