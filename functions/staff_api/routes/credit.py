"""Staff route: applying a customer's held credit on their behalf (permission ``payments.take``), audited with the
staff member as the actor (``POST /v1/staff/customers/{customerId}/credit-applications``)."""

from __future__ import annotations

from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal import wiring
from arportal.api.app import current_caller, new_router
from arportal.api.credit import CREDIT_RESPONSES, CreditApplicationIn, respond
from arportal.api.idempotency import idempotency_key
from arportal.api.identity import require_staff
from arportal.api.parameters import CustomerIdPath
from arportal.domain.permissions import Permission
from arportal.wiring import stores

router = new_router()


@router.post(
    "/v1/staff/customers/<customerId>/credit-applications",
    tags=["staff"],
    summary="Apply a customer's held credit to their open invoices (Idempotency-Key required)",
    responses=CREDIT_RESPONSES,
)
def apply_customer_credit(
    customerId: CustomerIdPath,
    body: Annotated[CreditApplicationIn, Body()],
) -> Response[str]:
    from arportal.services.credit import ApplyCredit

    caller = require_staff(current_caller(router), Permission.PAYMENTS_TAKE)
    event = cast(APIGatewayProxyEvent, router.current_event)
    customer_id = customerId.upper()
    command = ApplyCredit(
        customer_id=customer_id,
        scope=f"staff:{caller.actor}",
        idempotency_key=idempotency_key(event.headers),
        actor=caller.actor,
        invoice_ids=tuple(body.invoice_ids) if body.invoice_ids else None,
        account_number=body.account_number,
        request_id=event.request_context.request_id,
    )
    return respond(
        command,
        apply=wiring.apply_credit,
        operation=f"staff.credit_applications.{customer_id}",
        payload=body.model_dump(mode="json"),
        lambda_context=router.lambda_context,
        persistence=stores.idempotency_records(),
    )
