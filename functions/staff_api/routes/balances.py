"""Staff route: a customer's balance in each department, from the ledger or the department's own system."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from arportal.adapters.dynamodb.staff_queries import DynamoStaffQueries
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.config import settings
from arportal.domain.permissions import Permission
from arportal.services import balances
from staff_api.schemas_common import CUSTOMER_ID_PATTERN, BalancesOut

router = new_router()


@router.get(
    "/v1/staff/customers/<customerId>/balances",
    tags=["staff"],
    summary="Balances per department from every connected system; a system that is down says so and shows its "
    "last known answer",
)
def get_balances(
    customerId: Annotated[str, Path(pattern=CUSTOMER_ID_PATTERN)],
) -> BalancesOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    from arportal.adapters.balances import sources_for

    s = settings()
    cid = customerId.upper()
    summary = balances.balances(DynamoStaffQueries(s.ledger_table), sources_for(s), cid, currency=s.currency)
    return BalancesOut.of(cid, summary)
