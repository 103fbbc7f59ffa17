"""Staff route: browse payments by day (range of at most 92 days), filtered, newest first, page by page."""

from __future__ import annotations

from datetime import date
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from arportal.api.app import current_caller, new_router
from arportal.api.errors import ApiError
from arportal.api.identity import require_staff
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE, decode_cursor, encode_cursor
from arportal.api.parameters import DepartmentQuery
from arportal.domain.models import Channel
from arportal.domain.permissions import Permission
from arportal.domain.status import PaymentStatus
from arportal.ports import ActivityFilter
from arportal.services import activity
from arportal.wiring import staff
from staff_api.schemas_common import PaymentOut
from staff_api.schemas_reports import ActivityOut

router = new_router()


@router.get(
    "/v1/staff/activity",
    tags=["staff"],
    summary="Payments by day (at most 92 days), filtered by department, channel, terminal and status",
)
def get_activity(
    *,
    from_: Annotated[date, Query(alias="from", description="First day (UTC), inclusive")],
    to: Annotated[date, Query(description="Last day (UTC), inclusive; at most 92 days after 'from'")],
    department: DepartmentQuery = None,
    channel: Annotated[Channel | None, Query()] = None,
    terminal: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    status: Annotated[PaymentStatus | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> ActivityOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    where = ActivityFilter(
        department=department,
        channel=channel.value if channel else None,
        terminal=terminal,
        status=status.value if status else None,
    )
    page = activity.browse(
        staff.activity(),
        start=from_,
        end=to,
        where=where,
        limit=limit,
        cursor=_decode(cursor, from_, to),
    )
    return ActivityOut(payments=[PaymentOut.of(p) for p in page.payments], next_cursor=_encode(page.next))


def _encode(position: activity.ActivityCursor | None) -> str | None:
    if position is None:
        return None
    return encode_cursor(staff.cursors().activity_key(position.day, position.key))


def _decode(cursor: str | None, start: date, end: date) -> activity.ActivityCursor | None:
    """A cursor names a day of this range and, past that day's start, a whole index key within it."""
    key: dict[str, Any] | None = decode_cursor(cursor, expected={})
    if key is None:
        return None
    position = staff.cursors().activity_position(key)
    if position is None or not start <= position[0] <= end:
        raise ApiError(
            HTTPStatus.BAD_REQUEST,
            "invalid_cursor",
            "the cursor is not one this list gave out for this range; start again without it",
            [{"field": "query.cursor", "reason": "not a cursor from this list"}],
        )
    return activity.ActivityCursor(*position)
