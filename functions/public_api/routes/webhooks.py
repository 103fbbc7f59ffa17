"""Public routes: the processor's webhooks (``POST /v1/processor/webhooks/{processor}``).

The signature is the only authentication: ``processor.parse_webhook`` verifies it over the exact bytes received
(400 and nothing applied when it fails). A verified event is applied at most once per event id
(``services/payment_status.py``); every verified event is answered 200, including one for an unknown transaction
or one already applied, because a processor resends anything else for days.
"""

from __future__ import annotations

import base64
from http import HTTPStatus
from typing import cast

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal import clock
from arportal.api.app import new_router
from arportal.api.errors import ApiError
from arportal.config import settings
from arportal.ports import WebhookSignatureError
from arportal.services import payment_status
from public_api.schemas import WebhookOut

router = new_router()
_RESPONSES: dict[int, OpenAPIResponse] = {
    400: {"description": "`invalid_signature`: the signature or its timestamp did not verify; nothing was applied"},
    404: {"description": "Not this deployment's processor"},
}


@router.post(
    "/v1/processor/webhooks/<processor>",
    tags=["processor"],
    summary="A payment processor reports a charge's outcome (signed)",
    responses={200: {"description": "Received", "content": {"application/json": {"model": WebhookOut}}}, **_RESPONSES},
)
def processor_webhook(processor: str) -> WebhookOut:
    from arportal.wiring import public, stores  # here: a cold start serving another route never loads them

    if processor != settings().processor:
        raise ApiError(HTTPStatus.NOT_FOUND, "not_found", f"this deployment does not take {processor!r} webhooks")
    event = cast(APIGatewayProxyEvent, router.current_event)
    raw = base64.b64decode(event.body or "") if event.is_base64_encoded else (event.body or "").encode()
    try:
        reported = stores.processor().parse_webhook(event.headers, raw)
    except WebhookSignatureError as exc:
        raise ApiError(
            HTTPStatus.BAD_REQUEST, "invalid_signature", "the webhook's signature did not verify; nothing was applied"
        ) from exc
    result = payment_status.handle_processor_event(
        reported,
        processor=processor,
        store=public.status_changes(),
        receipts=stores.receipt_services(),
        now=clock.now(),
    )
    if result.reason == payment_status.NO_PAYMENT and reported.charge_key:
        result = _decided_intent(reported.charge_key) or result
    return WebhookOut(
        outcome=result.outcome.value,
        ignored=result.outcome is payment_status.EventOutcome.IGNORED,
        duplicate=result.outcome is payment_status.EventOutcome.DUPLICATE,
        payment_id=result.payment_id,
        status=result.status.value if result.status else None,
        reason=result.reason,
    )


def _decided_intent(charge_key: str) -> payment_status.EventResult | None:
    """A charge with no payment yet: one that waited for the payer's action (3-D Secure) and was decided while
    the payer was away from the page. Its intent is posted or closed now, as the reconciler would."""
    from arportal.services.reconciliation import reconcile_intent
    from arportal.wiring import jobs, payments

    wired = payments()  # as the portal's and the guest's payments are posted
    report = reconcile_intent(
        charge_key,
        intents=jobs.payment_intents(),
        ledger=wired.ledger,
        processor=wired.processor,
        config=wired.config,
        now=clock.now(),
    )
    if report.posted:
        return payment_status.EventResult(
            payment_status.EventOutcome.APPLIED, report.posted[0], reason="posted from the payment's intent"
        )
    if report.closed:
        return payment_status.EventResult(payment_status.EventOutcome.APPLIED, reason="the payment's intent closed")
    return None
