"""Portal routes: the signed-in customer's profile and dashboard."""

from __future__ import annotations

from arportal import clock
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_customer
from arportal.api.schemas import ProfileOut
from arportal.config import settings
from arportal.services import customers
from portal_api.schemas import DashboardOut

router = new_router()


def _ledger() -> DynamoCustomerRecords:
    return DynamoCustomerRecords(settings().ledger_table)


@router.get("/v1/portal/me", tags=["portal"], summary="The signed-in customer's profile")
def get_me() -> ProfileOut:
    customer_id = require_customer(current_caller(router))
    return ProfileOut.of(customers.profile(_ledger(), customer_id))


@router.get("/v1/portal/dashboard", tags=["portal"], summary="What is owed, overdue and next, per account and in total")
def get_dashboard() -> DashboardOut:
    customer_id = require_customer(current_caller(router))
    today = clock.today()
    board = customers.dashboard(_ledger(), customer_id, today=today, currency=settings().currency)
    return DashboardOut.of(board, today)
