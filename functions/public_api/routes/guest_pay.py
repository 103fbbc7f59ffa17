"""Public routes: a guest pays the one invoice their guest token names (``Authorization: Guest <token>``).

The token comes from ``POST /v1/public/lookup`` (``guest.py``) and is good for 15 minutes. A guest pays at most the
invoice's balance (there is no account to hold credit on), by card, debit card or wallet: bank payments clear days
later and may be returned, and a guest leaves nowhere to send that news. The payment is recorded on the invoice's
owner with channel ``guest``; Idempotency-Keys are scoped to the invoice (``guest:<invoice_id>``), and the receipt
is emailed only to the ``receipt_email`` given here.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Literal, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import BaseModel, ConfigDict, Field

from arportal import clock, wiring
from arportal.api.app import new_router
from arportal.api.errors import ApiError
from arportal.api.idempotency import idempotency_key, run_once
from arportal.api.parameters import AmountQuery
from arportal.api.pay import PayOut, QuoteOut, Token, outcome_of, quote_out
from arportal.api.schemas import DeliverableEmail, StrictCents, StrictMinorAmount
from arportal.config import settings
from arportal.domain.models import Channel, PaymentMethodType
from arportal.domain.values import Currency

router = new_router()
GuestMethod = Literal["card", "debit", "wallet"]
_RESPONSES: dict[int, OpenAPIResponse] = {
    201: {"description": "Paid", "content": {"application/json": {"model": PayOut}}},
    400: {"description": "The Idempotency-Key header is missing or not valid"},
    401: {"description": "`invalid_guest_token`: no token, or one that expired or was altered; look up again"},
    402: {"description": "Declined: `payment_declined` with the decline code and what to do next"},
    409: {"description": "`request_in_progress`: the same key is still being processed (Retry-After)"},
    422: {"description": "Invalid fields, more than the balance, or `idempotency_key_reused`"},
    503: {"description": "The processor or storage did not answer; retry with the same Idempotency-Key"},
}


class GuestPayIn(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    amount: StrictCents
    currency: Currency
    method: GuestMethod
    token: Token
    receipt_email: DeliverableEmail | None = Field(default=None, description="Where to send the receipt")
    expected_fee: StrictMinorAmount | None = None


@router.get(
    "/v1/public/payments:quote",
    tags=["public"],
    summary="The convenience fee and total of a guest payment, to show before confirming",
)
def guest_quote(
    amount: AmountQuery,
    method: Annotated[GuestMethod, Query()],
) -> QuoteOut:
    return quote_out(amount, method)


@router.post(
    "/v1/public/payments",
    tags=["public"],
    summary="Pay one invoice as a guest (Authorization: Guest <token>; needs an Idempotency-Key header)",
    responses=_RESPONSES,
)
def guest_payment(body: GuestPayIn) -> Response[str]:
    from arportal.services.guest import verify_guest_token
    from arportal.services.payments import PayCommand
    from arportal.services.receipts import Contact
    from arportal.wiring import stores

    event = cast(APIGatewayProxyEvent, router.current_event)
    token = _guest_token(event.headers.get("Authorization"))
    grant = verify_guest_token(token, key=wiring.guest_token_key(), now=clock.now())
    key = idempotency_key(event.headers)
    scope = f"guest:{grant.invoice_id}"
    command = PayCommand(
        idempotency_key=key,
        scope=scope,
        customer_id=grant.customer_id,
        amount=body.amount,
        currency=body.currency,
        method=PaymentMethodType(body.method),
        channel=Channel.GUEST,
        actor=f"guest:{grant.invoice_number}",
        token=body.token,
        invoices=((grant.invoice_id, body.amount),),
        expected_fee=body.expected_fee,
        description=f"{settings().agency_name} invoice {grant.invoice_number}",
        request_id=event.request_context.request_id,
        allow_credit=False,
    )
    contact = Contact("Guest payer", body.receipt_email)
    return run_once(
        "public.guest_payments",
        scope=scope,
        key=key,
        payload=body.model_dump(mode="json"),
        work=lambda: outcome_of(wiring.checkout(command, contact=contact), location=None),
        lambda_context=router.lambda_context,
        persistence=stores.idempotency_records(),
    )


def _guest_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "guest" or not token.strip():
        raise ApiError(
            HTTPStatus.UNAUTHORIZED,
            "invalid_guest_token",
            "send 'Authorization: Guest <token>' with the token from looking the invoice up",
        )
    return token.strip()
