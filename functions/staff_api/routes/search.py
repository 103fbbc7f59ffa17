"""Staff routes: find any record by a key a customer can read out, or a customer by any word of their name or the
start of their email address or phone number; and the agency's departments, to filter by."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.api.schemas import Out
from arportal.config import settings
from arportal.domain.permissions import Permission
from arportal.domain.search import SearchKind
from arportal.services import search as search_service
from arportal.wiring import staff, stores
from staff_api.schemas import SearchOut

router = new_router()


@router.get(
    "/v1/staff/search",
    tags=["staff"],
    summary="Find a record by any key a customer can read out, or a customer by any word of a name, or by email "
    "or phone prefix",
)
def search(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="Customer id, remittance reference (RF...), invoice, receipt, transaction or account "
            "number; or the start of any word of a name, or of an email address or phone number",
        ),
    ],
    type: Annotated[SearchKind | None, Query(description="Restrict to one kind of key or contact detail")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    result = search_service.search(stores.customer_records(), q, kind=type, limit=limit, prefixes=staff.queries())
    return SearchOut.of(result)


class DepartmentOut(Out):
    code: str
    name: str


class DepartmentsOut(Out):
    departments: list[DepartmentOut]


@router.get(
    "/v1/staff/departments",
    tags=["staff"],
    summary="The agency's departments (code and name), sorted by name: what staff filter payments by",
)
def departments() -> DepartmentsOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    s = settings()
    configured = [*(s.chart_of_accounts.departments if s.chart_of_accounts else ()), *s.balance_sources]
    found = search_service.departments(staff.queries(), configured)
    return DepartmentsOut(departments=[DepartmentOut(code=d.code, name=d.name) for d in found])
