"""Portal routes: the signed-in customer's saved payment methods (for autopay and payment plans)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.errors import SECURITY_HEADERS
from arportal.api.idempotency import Outcome, idempotency_key, run_once
from arportal.api.identity import require_customer
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE, encode_cursor
from arportal.domain.models import PaymentMethodType
from arportal.wiring import portal, stores
from portal_api.schemas_autopay import MethodIn, MethodListOut, MethodOut
from portal_api.schemas_views import page_start

# Services are imported inside the routes, adapters built by the composition root on first use: a cold start
# serving another route never pays for them.
router = new_router()
_SAVED = {
    201: {"description": "Saved", "content": {"application/json": {"model": MethodOut}}},
    402: {
        "description": "`action_required`: the card's bank asks the payer to confirm (Stripe: details.client_secret); "
        "nothing is saved; send the same request with the same Idempotency-Key once they have"
    },
    422: {"description": "Invalid fields, `method_refused` (declined by the processor) or `idempotency_key_reused`"},
    503: {"description": "The processor or storage did not answer; retry with the same Idempotency-Key"},
}


@router.get("/v1/portal/payment-methods", tags=["portal"], summary="Your saved payment methods")
def list_methods(
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> MethodListOut:
    from arportal.services import payment_methods

    customer_id = require_customer(current_caller(router))
    start = page_start(cursor, portal.list_start(customer_id, "payment_methods"))
    page = payment_methods.list_methods(portal.payment_methods(), customer_id, limit=limit, start=start)
    today = clock.today()
    return MethodListOut(
        items=[MethodOut.of(method, today) for method in page.methods],
        next_cursor=encode_cursor(page.next_start),  # type: ignore[arg-type]
    )


@router.post(
    "/v1/portal/payment-methods",
    tags=["portal"],
    summary="Save a payment method from the secure payment form's token",
    responses=_SAVED,  # type: ignore[arg-type]
)
def save_method(body: MethodIn) -> Response[str]:
    from arportal.services import payment_methods

    customer_id = require_customer(current_caller(router))
    key = idempotency_key(router.current_event.headers)
    draft = payment_methods.MethodDraft(
        type=PaymentMethodType(body.type),
        token=body.token,
        last4=body.last4,
        brand=body.brand,
        exp_month=body.exp_month,
        exp_year=body.exp_year,
        nickname=body.nickname,
        make_default=body.is_default,
    )

    def work() -> Outcome:
        now = clock.now()
        saved = payment_methods.save_method(
            portal.payment_methods(),
            customer_id,
            draft,
            idempotency_key=key,
            now=now,
            processor=stores.processor(),
        )
        return Outcome(HTTPStatus.CREATED, MethodOut.of(saved.method, now.date()).model_dump(mode="json"))

    return run_once(
        "portal.save_payment_method",
        scope=customer_id,
        key=key,
        payload=body.model_dump(mode="json"),
        work=work,
        lambda_context=router.lambda_context,
        persistence=stores.idempotency_records(),
    )


@router.delete(
    "/v1/portal/payment-methods/<payment_method_id>",
    tags=["portal"],
    summary="Remove a saved payment method (refused while a schedule pays with it, unless replaced)",
    responses={204: {"description": "Removed"}},
)
def remove_method(
    payment_method_id: str,
    replacement: Annotated[str | None, Query(max_length=64, description="Move schedules to this method")] = None,
) -> Response[str]:
    from arportal.services import payment_methods

    customer_id = require_customer(current_caller(router))
    payment_methods.remove_method(
        portal.payment_methods(),
        stores.schedules(),
        customer_id,
        payment_method_id,
        replacement=replacement,
        now=clock.now(),
    )
    return Response(status_code=HTTPStatus.NO_CONTENT, body="", headers=dict(SECURITY_HEADERS))
