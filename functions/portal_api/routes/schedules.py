"""Portal routes: the signed-in customer's schedules (autopay enrolments and payment plans), view only.

Enrolling and cancelling (POST/DELETE /v1/portal/schedules) live in ``autopay.py``.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_customer
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE
from arportal.api.record_schemas import ScheduleOut
from arportal.services import portal_views
from arportal.wiring import portal
from portal_api.schemas_autopay import ScheduleListOut
from portal_api.schemas_views import page_cursor, page_start

router = new_router()


@router.get(
    "/v1/portal/schedules",
    tags=["portal"],
    summary="Your autopay enrolments and payment plans, with each instalment's date, amount and status",
)
def list_schedules(
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size, 1-{MAX_PAGE}")] = DEFAULT_PAGE,
) -> ScheduleListOut:
    customer_id = require_customer(current_caller(router))
    start = page_start(cursor, portal.list_start(customer_id, "schedules"))
    page = portal_views.schedules(portal.reader(), customer_id, limit=limit, start=start)
    return ScheduleListOut(schedules=[ScheduleOut.of(s) for s in page.items], next_cursor=page_cursor(page.next_key))
