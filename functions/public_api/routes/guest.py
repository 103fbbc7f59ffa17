"""Public routes: a guest looks one invoice up (no account) and gets a 15-minute token for paying it.

Paying with the token (POST /v1/public/payments) lives in ``guest_pay.py``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from arportal import clock, wiring
from arportal.api.app import new_router
from arportal.api.errors import ApiError, error_response
from arportal.api.schemas import MoneyOut
from arportal.domain.portal_errors import RateLimitedError
from arportal.domain.values import MinorAmount
from arportal.services import guest
from public_api.schemas import GuestInvoiceOut, LookupOut

router = new_router()


@router.exception_handler(RateLimitedError)
def _rate_limited(error: RateLimitedError) -> Response[str]:
    response = error_response(HTTPStatus.TOO_MANY_REQUESTS, error.code, error.message, error.details)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


class LookupIn(BaseModel):
    """The invoice number and ONE proof: the postal code on file, or the exact amount due in minor units."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    invoice_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=32)]
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9 -]{3,10}$")] | None = (
        None
    )
    amount_due: Annotated[MinorAmount, Field(description="The balance in minor units (1234 = 12.34)")] | None = None


@router.post(
    "/v1/public/lookup",
    tags=["public"],
    summary="Find one invoice by its number and postal code or amount due; returns a short-lived guest token",
)
def lookup(body: LookupIn) -> LookupOut:
    if (body.postal_code is None) == (body.amount_due is None):
        raise ApiError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_failed",
            "give exactly one proof: the postal code on file or the amount due",
            [{"field": "body.postal_code", "reason": "exactly one of postal_code and amount_due"}],
        )
    from arportal.wiring import public, stores  # here: a cold start serving another route never loads them

    event = cast(APIGatewayProxyEvent, router.current_event)
    found = guest.lookup(
        public.guest_store(),
        stores.rate_counter(),
        invoice_number=body.invoice_number,
        postal_code=body.postal_code,
        amount_due=body.amount_due,
        client=event.request_context.identity.source_ip or "unknown",
        now=clock.now(),
        key=wiring.guest_token_key(),
    )
    invoice = found.invoice
    return LookupOut(
        guest_token=found.token,
        expires_at=found.grant.expires_at,
        invoice=GuestInvoiceOut(
            number=invoice.invoice_number,
            due_date=invoice.due_date,
            balance=MoneyOut.of(invoice.balance, invoice.currency),
            department=invoice.department,
            payee=found.payee,
        ),
    )
