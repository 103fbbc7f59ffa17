"""Portal routes: the customer's accounts with their balances, and linking an account to the sign-in."""

from __future__ import annotations

from datetime import date
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from arportal import clock
from arportal.adapters.dynamodb import keys
from arportal.adapters.dynamodb.portal_queries import DynamoPortalReader
from arportal.api.app import current_caller, new_router
from arportal.api.errors import ApiError
from arportal.api.identity import require_customer
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE
from arportal.api.schemas import AddressOut, MoneyOut, Out
from arportal.config import settings
from arportal.domain.identity import Audience
from arportal.domain.linking import LinkDecision
from arportal.domain.portal_errors import RateLimitedError
from arportal.services import portal_views
from arportal.services.portal_views import AccountBalance
from portal_api.schemas_views import page_cursor, page_start, rate_limited_response

router = new_router()
router.exception_handler(RateLimitedError)(rate_limited_response)


class AccountOut(Out):
    account_number: str
    department: str
    description: str
    status: str
    opened_on: date
    service_address: AddressOut | None
    balance: MoneyOut
    overdue: MoneyOut
    open_invoices: int
    credit: MoneyOut

    @classmethod
    def of(cls, row: AccountBalance, currency: str) -> AccountOut:
        a = row.account
        return cls(
            account_number=a.account_number,
            department=a.department,
            description=a.description,
            status=a.status.value,
            opened_on=a.opened_on,
            service_address=AddressOut.of(a.service_address) if a.service_address else None,
            balance=MoneyOut.of(row.balance, currency),
            overdue=MoneyOut.of(row.overdue, currency),
            open_invoices=row.open_invoices,
            credit=MoneyOut.of(row.credit, currency),
        )


class AccountListOut(Out):
    accounts: list[AccountOut]
    next_cursor: str | None


class LinkIn(BaseModel):
    """The account number plus ONE proof: an invoice number on that account, or the postal code on file."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    account_number: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=3, max_length=32)]
    invoice_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=32)] | None = None
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9 -]{3,10}$")] | None = (
        None
    )


class LinkOut(Out):
    customer_id: str
    account_number: str
    already_linked: bool
    token_refresh_required: bool = Field(description="Refresh the sign-in's tokens to see the linked records")


@router.get("/v1/portal/accounts", tags=["portal"], summary="Your accounts, with what is open and overdue on each")
def list_accounts(
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size, 1-{MAX_PAGE}")] = DEFAULT_PAGE,
) -> AccountListOut:
    customer_id = require_customer(current_caller(router))
    start = page_start(cursor, customer_id, keys.account_sk(""))
    today = clock.today()
    page = portal_views.accounts(
        DynamoPortalReader(settings().ledger_table), customer_id, today=today, limit=limit, start=start
    )
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
    from arportal.adapters.cognito import CognitoLoginDirectory
    from arportal.adapters.dynamodb.portal_commands import DynamoLinkingStore
    from arportal.adapters.dynamodb.rate_limits import DynamoRateCounter
    from arportal.services import profile

    s = settings()
    result = profile.link_account(
        DynamoLinkingStore(s.ledger_table),
        CognitoLoginDirectory(s.customer_pool_id),
        DynamoRateCounter(s.ledger_table),
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
