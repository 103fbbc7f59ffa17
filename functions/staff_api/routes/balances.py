"""Staff route: a customer's balance in each department, from the ledger or the department's own system."""

from __future__ import annotations

from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.api.parameters import CustomerIdPath
from arportal.config import settings
from arportal.domain.permissions import Permission
from arportal.services import balances
from arportal.wiring import staff
from staff_api.schemas_common import BalancesOut

router = new_router()


@router.get(
    "/v1/staff/customers/<customerId>/balances",
    tags=["staff"],
    summary="Balances per department from every connected system; a system that is down says so and shows its "
    "last known answer",
)
def get_balances(
    customerId: CustomerIdPath,
) -> BalancesOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    cid = customerId.upper()
    summary = balances.balances(staff.queries(), staff.balance_sources(), cid, currency=settings().currency)
    return BalancesOut.of(cid, summary)
