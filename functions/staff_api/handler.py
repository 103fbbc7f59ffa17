"""Staff console API: ``/v1/staff/*``. Every route names the permission it needs."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from arportal.adapters.dynamodb.repository import DynamoLedger
from arportal.api.app import build_resolver, current_caller
from arportal.api.identity import require_staff
from arportal.config import settings
from arportal.domain.permissions import Permission
from arportal.domain.search import SearchKind
from arportal.services import search as search_service
from staff_api.schemas import SearchOut

logger = Logger()
app = build_resolver()


@app.get("/v1/staff/search", tags=["staff"], summary="Find a record by any key a customer can read out")
def search(
    q: Annotated[str, Query(min_length=1, max_length=100, description="Customer id, invoice, receipt, txn, account")],
    type: Annotated[SearchKind | None, Query(description="Restrict to one kind of key")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchOut:
    require_staff(current_caller(app), Permission.CUSTOMERS_READ)
    result = search_service.search(DynamoLedger(settings().ledger_table), q, kind=type, limit=limit)
    return SearchOut.of(result)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
