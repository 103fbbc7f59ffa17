"""Portal routes: paying (``POST /v1/portal/payments``) and the convenience fee shown before confirming.

A payment runs at most once per ``Idempotency-Key`` (``arportal.api.idempotency``): a retry, a double click or a
lost answer gets the first answer again (201 or 402, same body); a key reused with a different body is a 422; a
duplicate arriving while the first still runs is a 409 with ``Retry-After``. Underneath, the processor is
charged with a key derived from the same header and the posting is guarded by it, so even a retry after the
replay record expired (24 h) charges and posts nothing twice.

What the guest payment route (``public_api/routes/guest_pay.py``) shares with this one lives in ``arportal``: the
answers and the fee quote in ``arportal/api/pay.py``, charging and posting in ``arportal.wiring.checkout``.
"""

from __future__ import annotations

from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal import wiring
from arportal.api.app import current_caller, new_router
from arportal.api.idempotency import idempotency_key, run_once
from arportal.api.identity import require_customer
from arportal.api.parameters import AmountQuery
from arportal.api.pay import Method, PayOut, QuoteOut, outcome_of, quote_out
from arportal.config import settings
from arportal.domain.models import Channel, PaymentMethodType
from arportal.wiring import stores
from portal_api.schemas_pay import PayIn

router = new_router()
_RESPONSES: dict[int, OpenAPIResponse] = {
    201: {
        "description": "Paid (card, debit, wallet) or accepted and clearing (ACH: status pending)",
        "content": {"application/json": {"model": PayOut}},
    },
    400: {"description": "The Idempotency-Key header is missing or not valid"},
    402: {"description": "Declined: `payment_declined` with the decline code and what to do next (recorded)"},
    409: {"description": "`request_in_progress`: the same key is still being processed (Retry-After)"},
    422: {"description": "Invalid fields, a card number in the body, a changed fee, or `idempotency_key_reused`"},
    503: {"description": "The processor or storage did not answer; retry with the same Idempotency-Key"},
}


@router.get(
    "/v1/portal/payments:quote",
    tags=["portal"],
    summary="The convenience fee and total of a payment, to show before the payer confirms",
)
def quote(
    amount: AmountQuery,
    method: Annotated[Method, Query()],
) -> QuoteOut:
    require_customer(current_caller(router))
    return quote_out(amount, method)


@router.post(
    "/v1/portal/payments",
    tags=["portal"],
    summary="Pay invoices (needs an Idempotency-Key header)",
    responses=_RESPONSES,
)
def create_payment(body: PayIn) -> Response[str]:
    from arportal.services.payments import PayCommand

    caller = current_caller(router)
    customer_id = require_customer(caller)
    key = idempotency_key(router.current_event.headers)
    scope = f"customer:{customer_id}"
    command = PayCommand(
        idempotency_key=key,
        scope=scope,
        customer_id=customer_id,
        amount=body.amount,
        currency=body.currency,
        method=PaymentMethodType(body.method),
        channel=Channel.PORTAL,
        actor=caller.actor,
        token=body.token,
        invoices=tuple((p.invoice_id, p.amount) for p in body.invoices) if body.invoices else None,
        account_number=body.account_number,
        expected_fee=body.expected_fee,
        description=f"{settings().agency_name} payment",
        request_id=cast(APIGatewayProxyEvent, router.current_event).request_context.request_id,
    )
    return run_once(
        "portal.payments",
        scope=scope,
        key=key,
        payload=body.model_dump(mode="json"),
        work=lambda: outcome_of(wiring.checkout(command, contact=None), location="/v1/portal/payments"),
        lambda_context=router.lambda_context,
        persistence=stores.idempotency_records(),
    )
