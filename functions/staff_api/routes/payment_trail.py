"""Staff route: the trail of a payment, from the charge to the GL (``services/payment_trail.py``)."""

from __future__ import annotations

from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.api.parameters import PaymentIdPath
from arportal.domain.permissions import Permission
from arportal.services import payment_trail
from arportal.wiring import payment_trail as wiring
from staff_api.schemas_payment_trail import PaymentTrailOut

router = new_router()


@router.get(
    "/v1/staff/payments/<paymentId>/trail",
    tags=["staff"],
    summary="A payment's trail: authorized, posted, settled, paid out, deposited, in the GL, bank line; each stage "
    "done, pending or not applicable, with who, when and the records it comes from",
)
def get_payment_trail(paymentId: PaymentIdPath) -> PaymentTrailOut:
    # Whoever may read the payment may follow its money: the trail shows nothing of other payments.
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    return PaymentTrailOut.of(payment_trail.trail(wiring.reads(), paymentId))
