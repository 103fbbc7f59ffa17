"""Staff routes: collections by day, department and channel and the leadership metrics (both read from the daily
totals: one item a day, ranges up to five years), the payments behind each metric, and the day's exceptions
(pending, failed and interactions handled from the daily totals, the newest pending and failed payments from their
lists, approvals waiting; at most 92 days, an operational view). Leadership and
finance: ``reports.read``."""

from __future__ import annotations

from datetime import date
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from arportal.api.app import current_caller, new_router
from arportal.api.errors import ApiError
from arportal.api.identity import require_staff
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE, decode_cursor, encode_cursor
from arportal.config import settings
from arportal.domain.errors import BusinessRuleError
from arportal.domain.metrics import DEPOSIT_STAGE, FIGURES
from arportal.domain.models import Channel, PaymentMethodType
from arportal.domain.permissions import Permission
from arportal.domain.reports import report_days
from arportal.services import daily_totals, reports
from arportal.services.activity import ActivityCursor
from arportal.wiring import daily_totals as totals
from arportal.wiring import staff
from staff_api.schemas_common import PaymentOut
from staff_api.schemas_metrics import FigurePaymentsOut, MetricsOut
from staff_api.schemas_reports import CollectionsOut, ExceptionsOut

router = new_router()
From = Annotated[date, Query(alias="from", description="First day (UTC), inclusive")]
To = Annotated[date, Query(description="Last day (UTC), inclusive; at most 92 days after 'from'")]
LongTo = Annotated[date, Query(description="Last day (UTC), inclusive; at most five years after 'from'")]


@router.get(
    "/v1/staff/reports/collections",
    tags=["staff"],
    summary="Daily collections by department and by channel (posted and settled payments, split by allocations)",
)
def get_collections(from_: From, to: LongTo) -> CollectionsOut:
    require_staff(current_caller(router), Permission.REPORTS_READ)
    report = daily_totals.collections(totals.daily_totals(), start=from_, end=to, currency=settings().currency)
    return CollectionsOut.of(report)


@router.get(
    "/v1/staff/reports/exceptions",
    tags=["staff"],
    summary="Pending and failed payments by day, approvals waiting, interactions handled per day",
)
def get_exceptions(from_: From, to: To) -> ExceptionsOut:
    require_staff(current_caller(router), Permission.REPORTS_READ)
    report = reports.exceptions(
        totals.daily_totals(), staff.activity(), staff.queries(), start=from_, end=to, currency=settings().currency
    )
    return ExceptionsOut.of(report)


@router.get(
    "/v1/staff/reports/metrics",
    tags=["staff"],
    summary="Leadership metrics with their formulas: payment success rate (by channel and method), processing "
    "time per stage in banking days (average, p90), revenue recognition accuracy; each figure's formula is in "
    "the answer's 'formulas' and in docs/finance.md",
)
def get_metrics(from_: From, to: LongTo) -> MetricsOut:
    require_staff(current_caller(router), Permission.REPORTS_READ)
    currency = settings().currency
    found = daily_totals.metrics(
        totals.daily_totals(), start=from_, end=to, currency=currency, sources=totals.metrics_sources()
    )
    return MetricsOut.of(found, start=from_, end=to, currency=currency)


@router.get(
    "/v1/staff/reports/metrics/payments",
    tags=["staff"],
    summary="The payments behind a metric's figure, newest first, page by page (a page may hold fewer than "
    "'limit' and still have a next_cursor)",
)
def get_figure_payments(
    *,
    from_: From,
    to: LongTo,
    figure: Annotated[str, Query(pattern=f"^({'|'.join(FIGURES)})$", description="the figure: " + ", ".join(FIGURES))],
    channel: Annotated[Channel | None, Query()] = None,
    method: Annotated[PaymentMethodType | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> FigurePaymentsOut:
    require_staff(current_caller(router), Permission.REPORTS_READ)
    # A backwards or over-five-year range is a 422 naming the maximum, never a long walk.
    report_days(from_, to, max_days=daily_totals.MAX_RANGE_DAYS)
    named = {"channel": channel.value if channel else None, "method": method.value if method else None}
    if figure == DEPOSIT_STAGE:
        try:
            page = daily_totals.deposit_figure_payments(
                totals.metrics_sources(),
                start=from_,
                end=to,
                currency=settings().currency,
                limit=limit,
                cursor=cursor,
                **named,
            )
        except BusinessRuleError as exc:
            if exc.code != "invalid_cursor":
                raise
            raise _invalid_cursor() from exc
        return FigurePaymentsOut(
            figure=figure, payments=[PaymentOut.of(p) for p in page.payments], next_cursor=page.next_deposits
        )
    gl = None
    if figure in ("first_time", "corrected"):  # a GL correction makes a receipt not right the first time
        gl = daily_totals.gl_corrections(totals.metrics_sources(), start=from_, end=to)
    page = daily_totals.figure_payments(
        staff.activity(),
        start=from_,
        end=to,
        figure=figure,
        limit=limit,
        cursor=_decode(cursor, from_, daily_totals.reach_of(figure, to)),
        gl=gl,
        **named,
    )
    return FigurePaymentsOut(
        figure=figure, payments=[PaymentOut.of(p) for p in page.payments], next_cursor=_encode(page.next)
    )


def _encode(position: ActivityCursor | None) -> str | None:
    if position is None:
        return None
    return encode_cursor(staff.cursors().activity_key(position.day, position.key))


def _decode(cursor: str | None, start: date, end: date) -> ActivityCursor | None:
    key: dict[str, Any] | None = decode_cursor(cursor, expected={})
    if key is None:
        return None
    position = staff.cursors().activity_position(key)
    if position is None or not start <= position[0] <= end:
        raise _invalid_cursor()
    return ActivityCursor(position[0], position[1])


def _invalid_cursor() -> ApiError:
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        "invalid_cursor",
        "the cursor is not one this list gave out for this range; start again without it",
        [{"field": "query.cursor", "reason": "not a cursor from this list"}],
    )
