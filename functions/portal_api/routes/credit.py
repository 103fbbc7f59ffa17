"""Portal route: applying the customer's held credit to their open invoices (``POST /v1/portal/credit-applications``).

The customer id comes from the token, never from the request: the chosen invoices are looked up among the
caller's own open invoices only, so another customer's invoice id is "not an open invoice of yours" (422).
"""

from __future__ import annotations

from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal import wiring
from arportal.api.app import current_caller, new_router
from arportal.api.credit import CREDIT_RESPONSES, CreditApplicationIn, respond
from arportal.api.idempotency import idempotency_key
from arportal.api.identity import require_customer
from arportal.wiring import stores

router = new_router()


@router.post(
    "/v1/portal/credit-applications",
    tags=["portal"],
    summary="Apply my held credit to my open invoices (Idempotency-Key required)",
    responses=CREDIT_RESPONSES,
)
def apply_my_credit(body: Annotated[CreditApplicationIn, Body()]) -> Response[str]:
    from arportal.services.credit import ApplyCredit

    caller = current_caller(router)
    customer_id = require_customer(caller)
    event = cast(APIGatewayProxyEvent, router.current_event)
    command = ApplyCredit(
        customer_id=customer_id,
        scope=f"customer:{customer_id}",
        idempotency_key=idempotency_key(event.headers),
        actor=caller.actor,
        invoice_ids=tuple(body.invoice_ids) if body.invoice_ids else None,
        account_number=body.account_number,
        request_id=event.request_context.request_id,
    )
    return respond(
        command,
        apply=wiring.apply_credit,
        operation="portal.credit_applications",
        payload=body.model_dump(mode="json"),
        lambda_context=router.lambda_context,
        persistence=stores.idempotency_records(),
    )
