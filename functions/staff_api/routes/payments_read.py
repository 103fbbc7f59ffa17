"""Staff route: where a payment stands (authorized, posted, settled, ...), how it got there and what it paid."""

from __future__ import annotations

from datetime import timedelta

from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.api.parameters import PaymentIdPath
from arportal.config import settings
from arportal.domain.permissions import Permission
from arportal.services import payment_status_view
from arportal.wiring import staff
from staff_api.schemas_payments import PaymentStatusOut

router = new_router()


@router.get(
    "/v1/staff/payments/<paymentId>",
    tags=["staff"],
    summary="A payment's status with timestamps, who or what moved it, its allocations, receipt and audit trail, "
    "and the earlier payment it likely duplicates",
)
def get_payment(
    paymentId: PaymentIdPath,
) -> PaymentStatusOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    s = settings()
    view = payment_status_view.payment_status(
        staff.queries(),
        paymentId,
        duplicate_window=timedelta(minutes=s.duplicate_window_minutes),
    )
    return PaymentStatusOut.of(view)
