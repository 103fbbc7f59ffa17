"""Staff routes: find any record by a key a customer can read out, or browse activity with filters."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from arportal.adapters.dynamodb.repository import DynamoLedger
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.config import settings
from arportal.domain.permissions import Permission
from arportal.domain.search import SearchKind
from arportal.services import search as search_service
from staff_api.schemas import SearchOut

router = new_router()


@router.get("/v1/staff/search", tags=["staff"], summary="Find a record by any key a customer can read out")
def search(
    q: Annotated[str, Query(min_length=1, max_length=100, description="Customer id, invoice, receipt, txn, account")],
    type: Annotated[SearchKind | None, Query(description="Restrict to one kind of key")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    result = search_service.search(DynamoLedger(settings().ledger_table), q, kind=type, limit=limit)
    return SearchOut.of(result)
