"""Staff routes: collections by day, department and channel; the day's exceptions (pending, failed, approvals
waiting, interactions handled). Leadership and finance: ``reports.read``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.config import settings
from arportal.domain.permissions import Permission
from arportal.services import reports
from arportal.wiring import staff
from staff_api.schemas_reports import CollectionsOut, ExceptionsOut

router = new_router()
From = Annotated[date, Query(alias="from", description="First day (UTC), inclusive")]
To = Annotated[date, Query(description="Last day (UTC), inclusive; at most 92 days after 'from'")]


@router.get(
    "/v1/staff/reports/collections",
    tags=["staff"],
    summary="Daily collections by department and by channel (posted and settled payments, split by allocations)",
)
def get_collections(from_: From, to: To) -> CollectionsOut:
    require_staff(current_caller(router), Permission.REPORTS_READ)
    report = reports.collections(staff.activity(), start=from_, end=to, currency=settings().currency)
    return CollectionsOut.of(report)


@router.get(
    "/v1/staff/reports/exceptions",
    tags=["staff"],
    summary="Pending and failed payments by day, approvals waiting, interactions handled per day",
)
def get_exceptions(from_: From, to: To) -> ExceptionsOut:
    require_staff(current_caller(router), Permission.REPORTS_READ)
    report = reports.exceptions(staff.activity(), staff.queries(), start=from_, end=to, currency=settings().currency)
    return ExceptionsOut.of(report)
