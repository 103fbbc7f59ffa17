"""Staff route: a customer's likely duplicate payments (same amount toward the same invoice, minutes apart)."""

from __future__ import annotations

from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.api.parameters import CustomerIdPath
from arportal.config import settings
from arportal.domain.permissions import Permission
from arportal.services import duplicates
from arportal.wiring import stores
from staff_api.schemas_actions import DuplicateOut, DuplicatesOut

router = new_router()


@router.get(
    "/v1/staff/customers/<customerId>/duplicates",
    tags=["staff"],
    summary="Likely duplicate payments among the customer's newest 100 (DUPLICATE_WINDOW_MINUTES apart at most)",
)
def customer_duplicates(customerId: CustomerIdPath) -> DuplicatesOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    s = settings()
    cid = customerId.upper()
    pairs = duplicates.customer_duplicates(stores.staff_action_store(), cid, window_minutes=s.duplicate_window_minutes)
    return DuplicatesOut(
        customer_id=cid, window_minutes=s.duplicate_window_minutes, duplicates=[DuplicateOut.of(p) for p in pairs]
    )
