"""Customer portal API: ``/v1/portal/*``. Every route acts only on the caller's own customer record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from arportal.adapters.dynamodb.repository import DynamoLedger
from arportal.api.app import build_resolver, current_caller
from arportal.api.identity import require_customer
from arportal.api.schemas import ProfileOut
from arportal.config import settings
from arportal.services import customers
from portal_api.schemas import DashboardOut

logger = Logger()
app = build_resolver()


def _ledger() -> DynamoLedger:
    return DynamoLedger(settings().ledger_table)


@app.get("/v1/portal/me", tags=["portal"], summary="The signed-in customer's profile")
def get_me() -> ProfileOut:
    customer_id = require_customer(current_caller(app))
    return ProfileOut.of(customers.profile(_ledger(), customer_id))


@app.get("/v1/portal/dashboard", tags=["portal"], summary="What is owed, overdue and next, per account and in total")
def get_dashboard() -> DashboardOut:
    customer_id = require_customer(current_caller(app))
    today = datetime.now(UTC).date()
    board = customers.dashboard(_ledger(), customer_id, today=today, currency=settings().currency)
    return DashboardOut.of(board, today)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
