"""Staff routes: refunds, voids, reversals, adjustments and write-offs (Idempotency-Key required).

Each answers 201 when carried out at once, or 202 with the approval filed when a second staff member must
decide (``domain/approvals.needs_approval``). The answer is stored per staff member and key and replayed.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.idempotency import Outcome, idempotency_key, run_once
from arportal.api.identity import require_staff
from arportal.api.parameters import PaymentIdPath
from arportal.domain.approvals import StaffAction
from arportal.domain.identity import Caller
from arportal.domain.permissions import Permission
from arportal.wiring import stores
from staff_api.schemas_actions import ActionDoneOut, AdjustmentIn, ApprovalFiledOut, RefundIn, ReversalIn, VoidIn

if TYPE_CHECKING:  # loaded on the first staff action, not in every cold start of the staff API
    from arportal.services.staff_actions import ActionDone, ApprovalFiled, Order

router = new_router()
RESPONSES: dict[int, OpenAPIResponse] = {
    201: {
        "description": "Carried out: the payment's or invoice's new status and balances",
        "content": {"application/json": {"model": ActionDoneOut}},
    },
    202: {
        "description": "Filed for approval: `approval_id`, status `pending` (Location: the approvals queue)",
        "content": {"application/json": {"model": ApprovalFiledOut}},
    },
    400: {"description": "The Idempotency-Key header is missing or not valid"},
    404: {"description": "No such payment or invoice"},
    409: {"description": "`request_in_progress`, or the record kept changing"},
    422: {
        "description": "`refund_exceeds_refundable`, `void_after_settlement`, `action_not_allowed`, "
        "`adjustment_exceeds_balance`, `processor_refused`, `idempotency_key_reused`, invalid fields"
    },
}


@router.post(
    "/v1/staff/payments/<paymentId>/refunds", tags=["staff"], summary="Refund part or all", responses=RESPONSES
)
def refund(paymentId: PaymentIdPath, body: Annotated[RefundIn, Body()]) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.EXCEPTIONS_REQUEST)
    return _run(caller, StaffAction.REFUND, target_id=paymentId, amount=body.amount, body=body)


@router.post(
    "/v1/staff/payments/<paymentId>/voids", tags=["staff"], summary="Void before settlement", responses=RESPONSES
)
def void(paymentId: PaymentIdPath, body: Annotated[VoidIn, Body()]) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.EXCEPTIONS_REQUEST)
    return _run(caller, StaffAction.VOID, target_id=paymentId, amount=None, body=body)


@router.post(
    "/v1/staff/payments/<paymentId>/reversals",
    tags=["staff"],
    summary="Reverse after settlement (NSF, chargeback)",
    responses=RESPONSES,
)
def reversal(paymentId: PaymentIdPath, body: Annotated[ReversalIn, Body()]) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.EXCEPTIONS_REQUEST)
    return _run(caller, StaffAction.REVERSAL, target_id=paymentId, amount=None, body=body)


@router.post(
    "/v1/staff/adjustments", tags=["staff"], summary="Adjust an invoice or write off its balance", responses=RESPONSES
)
def adjustment(body: Annotated[AdjustmentIn, Body()]) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.EXCEPTIONS_REQUEST)
    action = StaffAction.WRITE_OFF if body.kind == "write_off" else StaffAction.ADJUSTMENT
    return _run(
        caller, action, target_id=body.invoice_id, amount=body.amount, body=body, customer_id=body.customer_id.upper()
    )


def _run(
    caller: Caller,
    action: StaffAction,
    *,
    target_id: str,
    amount: int | None,
    body: RefundIn | VoidIn | ReversalIn | AdjustmentIn,
    customer_id: str | None = None,
) -> Response[str]:
    from arportal.domain.staff_actions import ReasonCode
    from arportal.services.staff_actions import Order

    key = idempotency_key(router.current_event.headers)
    scope = f"staff:{caller.actor}"
    order = Order(
        action=action,
        target_id=target_id,
        amount=amount,
        reason_code=ReasonCode(body.reason_code),
        note=body.note,
        requested_by=caller.actor,
        scope=scope,
        key=key,
        customer_id=customer_id,
        request_id=cast(APIGatewayProxyEvent, router.current_event).request_context.request_id,
    )
    return run_once(
        f"staff.{action.value}",
        scope=scope,
        key=key,
        payload={"target_id": target_id, "body": body.model_dump(mode="json")},
        work=lambda: _outcome(_request(order, caller)),
        lambda_context=router.lambda_context,
        persistence=stores.idempotency_records(),
    )


def _request(order: Order, caller: Caller) -> ActionDone | ApprovalFiled:
    from arportal.services.staff_actions import request_staff_action
    from arportal.wiring import stores

    return request_staff_action(order, roles=caller.roles, services=stores.staff_action_services(), now=clock.now())


def _outcome(result: ActionDone | ApprovalFiled) -> Outcome:
    from arportal.services.staff_actions import ApprovalFiled

    if isinstance(result, ApprovalFiled):
        filed = ApprovalFiledOut.of(result.approval)
        return Outcome(
            int(HTTPStatus.ACCEPTED), filed.model_dump(mode="json"), {"Location": "/v1/staff/approvals?status=pending"}
        )
    return Outcome(int(HTTPStatus.CREATED), ActionDoneOut.of(result).model_dump(mode="json"))
