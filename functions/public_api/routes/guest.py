"""Public routes: a guest looks one invoice up (no account) and gets a 15-minute token for paying it.

Paying with the token (POST /v1/public/payments) lives in ``guest_pay.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from http import HTTPStatus
from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from arportal import clock, wiring
from arportal.api.app import new_router
from arportal.api.errors import ApiError, error_response
from arportal.api.schemas import MoneyOut, Out
from arportal.config import settings
from arportal.domain.portal_errors import RateLimitedError
from arportal.services import guest

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
    amount_due: (
        Annotated[int, Field(ge=0, le=10**13, description="The balance in minor units (1234 = 12.34)")] | None
    ) = None


class GuestInvoiceOut(Out):
    number: str
    due_date: date
    balance: MoneyOut
    department: str
    payee: str = Field(description="The payee's initials only, e.g. 'J. R.'")


class LookupOut(Out):
    guest_token: str = Field(description="Send as 'Authorization: Guest <token>' to pay this invoice")
    expires_at: datetime
    invoice: GuestInvoiceOut


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
    from arportal.adapters.dynamodb.portal_commands import DynamoGuestStore
    from arportal.adapters.dynamodb.rate_limits import DynamoRateCounter

    event = cast(APIGatewayProxyEvent, router.current_event)
    table = settings().ledger_table
    found = guest.lookup(
        DynamoGuestStore(table),
        DynamoRateCounter(table),
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
