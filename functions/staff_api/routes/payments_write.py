"""Staff routes: take a payment during a call or at a counter (``POST /v1/staff/payments``, Idempotency-Key), and
the convenience fee it will carry, to show the agent before they confirm (``GET /v1/staff/payments:quote``).

One payment and one receipt for a cart of invoices and new fees (``services/staff_payments.with_cart``), through
the payments engine (the same guard, processor key and allocation rules as the portal). The answer names a
payment it likely repeats (``likely_duplicate_of``): a hint, never a refusal.

The fee: the agency's convenience fee schedule, the portal's, through the same domain rule
(``domain/fees.FeeSchedule.fee_for``), unless the deployment says staff channels charge none
(``staffConvenienceFees: false`` -> ``STAFF_CONVENIENCE_FEES``). ``staff_fees`` is the one schedule both the quote
and the charge use, so the fee the agent is shown is the fee the card is charged.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.errors import ErrorBody, ErrorResponse
from arportal.api.idempotency import Outcome, idempotency_key, run_once
from arportal.api.identity import require_staff
from arportal.api.schemas import MoneyOut
from arportal.config import settings
from arportal.domain.identity import Caller
from arportal.domain.models import PaymentMethodType
from arportal.domain.permissions import Permission
from arportal.domain.values import PositiveMinorAmount
from arportal.wiring import stores
from staff_api.schemas_actions import (
    StaffFeeQuoteOut,
    StaffMethod,
    StaffPayIn,
    StaffPaymentDeclinedOut,
    StaffPaymentTakenOut,
)

if TYPE_CHECKING:
    from arportal.domain.fees import FeeSchedule

router = new_router()


def staff_fees() -> FeeSchedule:
    """The fee schedule of payments staff take: the agency's, or none when staff channels charge no fee."""
    from arportal.domain.fees import FeeSchedule
    from arportal.services.payments import fee_schedule

    s = settings()
    return fee_schedule(s.convenience_fees) if s.staff_convenience_fees else FeeSchedule()


@router.get(
    "/v1/staff/payments:quote",
    tags=["staff"],
    summary="The convenience fee and total of a payment staff take, to show before the agent confirms",
)
def quote(
    amount: Annotated[PositiveMinorAmount, Query(description="Minor units: the sum of the cart's lines")],
    method: Annotated[StaffMethod, Query()],
) -> StaffFeeQuoteOut:
    require_staff(current_caller(router), Permission.PAYMENTS_TAKE)
    s = settings()
    fee = staff_fees().fee_for(PaymentMethodType(method), amount)
    return StaffFeeQuoteOut(
        method=method,
        amount=MoneyOut.of(amount, s.currency),
        fee=MoneyOut.of(fee, s.currency),
        total=MoneyOut.of(amount + fee, s.currency),
        staff_fees=s.staff_convenience_fees,
    )


@router.post(
    "/v1/staff/payments",
    tags=["staff"],
    summary="Take a payment for a cart of invoices and new fees: one payment, one receipt (Idempotency-Key)",
    responses={
        201: {
            "description": "Paid: the payment, its receipt, allocations, balances and likely_duplicate_of",
            "content": {"application/json": {"model": StaffPaymentTakenOut}},
        },
        402: {"description": "`payment_declined` (recorded)"},
        404: {"description": "An invoice or account that is not the customer's"},
        422: {"description": "Invalid cart, amount not the sum of the lines, `idempotency_key_reused`"},
    },
)
def take_payment(body: Annotated[StaffPayIn, Body()]) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.PAYMENTS_TAKE)
    key = idempotency_key(router.current_event.headers)
    scope = f"staff:{caller.actor}"
    return run_once(
        "staff.payments",
        scope=scope,
        key=key,
        payload=body.model_dump(mode="json"),
        work=lambda: _take(body, caller, key, scope),
        lambda_context=router.lambda_context,
        persistence=stores.idempotency_records(),
    )


def _take(body: StaffPayIn, caller: Caller, key: str, scope: str) -> Outcome:
    from arportal import wiring
    from arportal.domain.models import Channel
    from arportal.services.payments import PayCommand, PaymentsConfig
    from arportal.services.staff_payments import CartLine, take_payment

    s = settings()
    wired = wiring.payments(chained_audit=True)  # staff payments are on the staff audit chain too
    command = PayCommand(
        idempotency_key=key,
        scope=scope,
        customer_id=body.customer_id.upper(),
        amount=body.amount,
        currency=body.currency,
        method=PaymentMethodType(body.method),
        channel=Channel(body.channel),
        actor=caller.actor,
        token=body.token,
        terminal_id=body.terminal_id,
        drawer_id=body.drawer_id,
        cheque_number=body.cheque_number,
        description=f"{s.agency_name} payment",
        request_id=cast(APIGatewayProxyEvent, router.current_event).request_context.request_id,
    )
    lines = [CartLine(**line.model_dump()) for line in body.lines]
    taken = take_payment(
        command,
        lines,
        ledger=wired.ledger,
        processor=wired.processor,
        config=PaymentsConfig(s.currency, staff_fees(), wired.processor.name),
        services=wired.receipts,
        recent=stores.staff_action_store(),
        window_minutes=s.duplicate_window_minutes,
        now=clock.now(),
    )
    payment = taken.checkout.result.payment
    if payment.status.value == "failed":
        advice = taken.checkout.advice
        declined = ErrorBody(
            code="payment_declined",
            message=advice.message if advice else "the payment was declined",
            details=StaffPaymentDeclinedOut.of_declined(taken),
        )
        return Outcome(int(HTTPStatus.PAYMENT_REQUIRED), ErrorResponse(error=declined).model_dump(mode="json"))
    out = StaffPaymentTakenOut.of(taken).model_dump(mode="json")
    return Outcome(int(HTTPStatus.CREATED), out, {"Location": f"/v1/staff/payments/{payment.payment_id}"})
