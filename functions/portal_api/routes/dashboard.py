"""Portal routes: the signed-in customer's profile and dashboard."""

from __future__ import annotations

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_customer
from arportal.api.schemas import ProfileOut
from arportal.config import settings
from arportal.services import customers
from arportal.wiring import stores
from portal_api.schemas import DashboardOut

router = new_router()


@router.get("/v1/portal/me", tags=["portal"], summary="The signed-in customer's profile")
def get_me() -> ProfileOut:
    customer_id = require_customer(current_caller(router))
    return ProfileOut.of(customers.profile(stores.customer_records(), customer_id))


@router.get("/v1/portal/dashboard", tags=["portal"], summary="What is owed, overdue and next, per account and in total")
def get_dashboard() -> DashboardOut:
    customer_id = require_customer(current_caller(router))
    today = clock.today()
    board = customers.dashboard(stores.customer_records(), customer_id, today=today, currency=settings().currency)
    return DashboardOut.of(board, today)
