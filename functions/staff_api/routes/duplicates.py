"""Staff route: a customer's likely duplicate payments (same amount toward the same invoice, minutes apart)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from arportal.adapters.dynamodb.staff_actions import DynamoStaffActionStore
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.config import settings
from arportal.domain.permissions import Permission
from arportal.services import duplicates
from staff_api.schemas_actions import DuplicateOut, DuplicatesOut
from staff_api.schemas_common import CUSTOMER_ID_PATTERN

router = new_router()


@router.get(
    "/v1/staff/customers/<customerId>/duplicates",
    tags=["staff"],
    summary="Likely duplicate payments among the customer's newest 100 (DUPLICATE_WINDOW_MINUTES apart at most)",
)
def customer_duplicates(customerId: Annotated[str, Path(pattern=CUSTOMER_ID_PATTERN)]) -> DuplicatesOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    s = settings()
    cid = customerId.upper()
    pairs = duplicates.customer_duplicates(
        DynamoStaffActionStore(s.ledger_table, s.audit_table), cid, window_minutes=s.duplicate_window_minutes
    )
    return DuplicatesOut(
        customer_id=cid, window_minutes=s.duplicate_window_minutes, duplicates=[DuplicateOut.of(p) for p in pairs]
    )
