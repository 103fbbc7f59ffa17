"""Portal routes: a support request, which staff see as an interaction on the customer's record."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel, ConfigDict, StringConstraints

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.idempotency import idempotency_key
from arportal.api.identity import require_customer
from arportal.domain.portal_errors import RateLimitedError
from arportal.domain.values import InvoiceId, PaymentId
from arportal.services import support
from arportal.wiring import portal, stores
from portal_api.schemas import SupportRequestOut
from portal_api.schemas_views import rate_limited_response

router = new_router()
router.exception_handler(RateLimitedError)(rate_limited_response)


class SupportRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=3500)]
    invoice_id: InvoiceId | None = None
    payment_id: PaymentId | None = None


@router.post(
    "/v1/portal/support-requests",
    tags=["portal"],
    summary="Ask the agency for help, about an invoice or a payment of yours or in general (Idempotency-Key)",
    status_code=201,
)
def create_support_request(body: SupportRequestIn) -> Response[SupportRequestOut]:
    customer_id = require_customer(current_caller(router))
    key = idempotency_key(router.current_event.headers)
    submitted = support.submit(
        portal.support_store(),
        stores.rate_counter(),
        support.SupportRequest(customer_id, body.subject, body.message, body.invoice_id, body.payment_id),
        idempotency_key=key,
        now=clock.now(),
    )
    # A repeat of the same request answers as the first did, with the same status and the same record.
    headers = {"Idempotent-Replayed": "true"} if submitted.replayed else {}
    return Response(201, content_types.APPLICATION_JSON, SupportRequestOut.of(submitted.interaction), headers=headers)
