"""Portal routes: the customer's accounts with their balances, and linking an account to the sign-in."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, StringConstraints

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.errors import ApiError
from arportal.api.identity import require_customer
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE
from arportal.config import settings
from arportal.domain.identity import Audience
from arportal.domain.linking import LinkDecision
from arportal.domain.portal_errors import RateLimitedError
from arportal.services import portal_views
from arportal.wiring import portal, stores
from portal_api.schemas import AccountListOut, AccountOut, LinkOut
from portal_api.schemas_views import page_cursor, page_start, rate_limited_response

router = new_router()
router.exception_handler(RateLimitedError)(rate_limited_response)


class LinkIn(BaseModel):
    """The account number plus ONE proof: an invoice number on that account, or the postal code on file."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    account_number: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=3, max_length=32)]
    invoice_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=32)] | None = None
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9 -]{3,10}$")] | None = (
        None
    )


@router.get("/v1/portal/accounts", tags=["portal"], summary="Your accounts, with what is open and overdue on each")
def list_accounts(
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size, 1-{MAX_PAGE}")] = DEFAULT_PAGE,
) -> AccountListOut:
    customer_id = require_customer(current_caller(router))
    start = page_start(cursor, portal.list_start(customer_id, "accounts"))
    today = clock.today()
    page = portal_views.accounts(portal.reader(), customer_id, today=today, limit=limit, start=start)
    currency = settings().currency
    return AccountListOut(
        accounts=[AccountOut.of(row, currency) for row in page.accounts], next_cursor=page_cursor(page.next_key)
    )


@router.post(
    "/v1/portal/accounts:link",
    tags=["portal"],
    summary="Link an account to this sign-in, proven by an invoice number on it or the postal code on file",
)
def link_account(body: LinkIn) -> LinkOut:
    caller = current_caller(router)
    if caller.audience is not Audience.CUSTOMER:  # a login without a customer record yet may link: no require_customer
        raise ApiError(HTTPStatus.FORBIDDEN, "forbidden", "this route is for customers")
    if (body.invoice_number is None) == (body.postal_code is None):
        raise ApiError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_failed",
            "give exactly one proof: an invoice number on the account, or the postal code on file",
            [{"field": "body.invoice_number", "reason": "exactly one of invoice_number and postal_code"}],
        )
    from arportal.services import profile

    result = profile.link_account(
        portal.linking_store(),
        portal.login_directory(),
        stores.rate_counter(),
        login_subject=caller.subject,
        login_customer_id=caller.customer_id,
        account_number=body.account_number,
        invoice_number=body.invoice_number,
        postal_code=body.postal_code,
        now=clock.now(),
    )
    return LinkOut(
        customer_id=result.customer_id,
        account_number=body.account_number,
        already_linked=result.decision is LinkDecision.ALREADY_LINKED,
        token_refresh_required=result.token_refresh_required,
    )
