"""What a back end reads back to keep its own books: the payments that changed (``GET /v1/integrations/payments``,
scope ``payments.read``), and which of its invoice balances differ from the platform's
(``POST /v1/integrations/balances:compare``, scope ``balances.read``).

Payments are read through the event feed's storage: the events about payments, in order, each page naming the
payments that changed (``services/event_feed.read_payment_changes``), so a page costs what it holds, however long
the history. The comparison reads the invoices it is sent by key, 100 a call, never a scan.
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from arportal import clock
from arportal.api.app import new_router
from arportal.api.errors import ApiError
from arportal.services import balance_comparison, event_feed
from arportal.wiring import integrations
from integration_api.caller import current_system
from integration_api.feed_cursors import cursor_of, start_of
from integration_api.routes.events import CURSOR_ERRORS
from integration_api.schemas_readback import (
    BalancesCompareIn,
    BalancesCompareOut,
    ChangedPaymentOut,
    ChangedPaymentsOut,
)

router = new_router()

PAYMENTS_PAGE = 50
PAYMENTS_MAX_PAGE = 100  # one BatchGetItem of the payments


@router.get(
    "/v1/integrations/payments",
    tags=["integrations"],
    summary="Payments whose status changed since an instant, oldest change first, with what each paid, by the "
    "source's invoice numbers (scope payments.read)",
    responses={
        200: {
            "description": "A page of changed payments and the cursor to go on from",
            "content": {"application/json": {"model": ChangedPaymentsOut}},
        },
        **CURSOR_ERRORS,
    },
)
def changed_payments(
    updated_after: Annotated[
        datetime | None,
        Query(description="Changes at or after this instant (with a time zone); needed without a cursor"),
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=2000, description="next_cursor of the previous page: go on from there")
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=PAYMENTS_MAX_PAGE, description=f"Page size, 1-{PAYMENTS_MAX_PAGE}")
    ] = PAYMENTS_PAGE,
) -> ChangedPaymentsOut:
    current_system(router, "payments.read")
    now = clock.now()
    if updated_after is None and not cursor:
        raise ApiError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_failed",
            "give updated_after, or the cursor of a previous page",
            [{"field": "query.updated_after", "reason": "required without a cursor"}],
        )
    start = start_of("payments", cursor, updated_after, now=now, names=("cursor", "updated_after"))
    page = event_feed.read_payment_changes(
        integrations.event_feed(), integrations.payment_readback(), after=start, limit=limit, now=now
    )
    return ChangedPaymentsOut(
        payments=[ChangedPaymentOut.of(c) for c in page.changes], next_cursor=cursor_of("payments", page.next_position)
    )


@router.post(
    "/v1/integrations/balances:compare",
    tags=["integrations"],
    summary="Which of these invoice balances differ from the platform's: only the differences, and the invoices it "
    "does not know (scope balances.read)",
)
def compare_balances(body: Annotated[BalancesCompareIn, Body()]) -> BalancesCompareOut:
    current_system(router, "balances.read")
    held = [invoice.held() for invoice in body.invoices]
    return BalancesCompareOut.of(balance_comparison.compare_balances(integrations.invoice_balances(), held))
