"""Staff routes: the daily close of a banking day (docs/finance.md, "Daily close"): closed once, by finance, with
its control totals and variances frozen and hashed in the audit chain; read by finance and supervisors."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.domain.permissions import Permission
from arportal.services import daily_close
from arportal.wiring import daily_close as wired
from staff_api.schemas_finance_close import DailyCloseIn, DailyCloseOut, DailyClosesOut

router = new_router()
ROUTE = "/v1/staff/finance/close"


@router.post(
    ROUTE,
    tags=["staff"],
    summary="Close a banking day (for the agency, or one department): control totals and variances, frozen once",
    responses={
        200: {
            "description": "Closed already: the first close, unchanged",
            "content": {"application/json": {"model": DailyCloseOut}},
        },
        201: {"description": "Closed now", "content": {"application/json": {"model": DailyCloseOut}}},
        409: {"description": "`daily_close_altered`: the stored close no longer matches its recorded hash"},
        422: {
            "description": "Not a banking day, or `unmapped_gl_code`: the chart of accounts does not map a "
            "department or fee code of the day (the close fails; nothing goes to a suspense account)"
        },
    },
)
def close_day(body: Annotated[DailyCloseIn, Body()]) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.FINANCE_MANAGE)
    closed = daily_close.close_day(
        wired.books(), wired.chart(), body.date, department=body.department, actor=caller.actor, now=clock.now()
    )
    return Response(
        status_code=201 if closed.created else 200,
        content_type="application/json",
        body=DailyCloseOut.of(closed.close).model_dump_json(),
    )


@router.get(
    ROUTE,
    tags=["staff"],
    summary="The closes of a banking day: the agency's and any department's",
    responses={
        200: {"description": "The day's closes", "content": {"application/json": {"model": DailyClosesOut}}},
        404: {"description": "The day has not been closed"},
        422: {"description": "Not a banking day (it is closed with the next banking day)"},
    },
)
def day_closes(date_: Annotated[date, Query(alias="date")]) -> DailyClosesOut:
    require_staff(current_caller(router), Permission.FINANCE_READ)
    found = daily_close.day_closes(wired.close_store(), date_)
    return DailyClosesOut(date=date_, closes=[DailyCloseOut.of(c) for c in found])
