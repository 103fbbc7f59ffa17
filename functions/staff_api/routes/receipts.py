"""Staff route: email a receipt again (to a given address, else the payer's on file), logged as an interaction."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.idempotency import Outcome, idempotency_key, run_once
from arportal.api.identity import require_staff
from arportal.domain.permissions import Permission
from arportal.wiring import stores
from staff_api.schemas_actions import ReceiptEmailedOut, ReceiptEmailIn

router = new_router()


@router.post(
    "/v1/staff/receipts/<receiptId>/email",
    tags=["staff"],
    summary="Email a receipt again (Idempotency-Key); the customer's record logs it",
    responses={
        200: {
            "description": "Sent (or not: `problems`)",
            "content": {"application/json": {"model": ReceiptEmailedOut}},
        },
        404: {"description": "No such receipt"},
        422: {"description": "No address to send it to"},
    },
)
def email_receipt(
    receiptId: Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{3,40}$")],
    body: Annotated[ReceiptEmailIn, Body()],
) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.RECEIPTS_SEND)
    key = idempotency_key(router.current_event.headers)
    scope = f"staff:{caller.actor}"

    def work() -> Outcome:
        from arportal.services.staff_payments import resend_receipt
        from arportal.wiring import staff, stores

        sent = resend_receipt(
            receiptId.upper(),
            to=body.to,
            actor=caller.actor,
            idempotency_key=key,
            owners=stores.staff_action_store(),
            services=stores.receipt_services(),
            interactions=staff.interaction_store(),
            now=clock.now(),
        )
        return Outcome(int(HTTPStatus.OK), ReceiptEmailedOut.of(sent).model_dump(mode="json"))

    return run_once(
        "staff.receipt_email",
        scope=scope,
        key=key,
        payload={"receipt": receiptId.upper(), "body": body.model_dump(mode="json")},
        work=work,
        lambda_context=router.lambda_context,
        persistence=stores.idempotency_records(),
    )
