"""Staff routes: the processor's payouts, the deposits they are, and the reconciliation items settlement opened
(docs/finance.md). Reading takes finance.read; confirming a deposit and resolving an item take finance.manage."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.domain.permissions import Permission
from arportal.services import finance_settlement
from arportal.wiring.finance_settlement import finance_store
from staff_api.schemas_finance_settlement import (
    DEPOSIT_ID,
    ITEM_ID,
    DepositPageOut,
    PayoutOut,
    PayoutPageOut,
    ReconciliationItemOut,
    ReconciliationPageOut,
    ResolveIn,
)

router = new_router()
DEFAULT_DAYS = 31
Cursor = Annotated[str | None, Query(max_length=400, description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size, 1-200")]
From = Annotated[date | None, Query(alias="from", description="First arrival date (default: 31 days back)")]
To = Annotated[date | None, Query(alias="to", description="Last arrival date (default: today)")]


def _range(since: date | None, until: date | None) -> tuple[date, date]:
    until = until or clock.today()
    return since or until - timedelta(days=DEFAULT_DAYS), until


@router.get("/v1/staff/finance/payouts", tags=["staff"], summary="The processor's payouts by arrival date, paged")
def payouts(from_: From = None, to: To = None, cursor: Cursor = None, limit: Limit = 50) -> PayoutPageOut:
    require_staff(current_caller(router), Permission.FINANCE_READ)
    page = finance_settlement.payouts(finance_store(), *_range(from_, to), limit=limit, cursor=cursor)
    return PayoutPageOut(payouts=[PayoutOut.of(p) for p in page.items], next_cursor=page.next_cursor)


@router.get(
    "/v1/staff/finance/deposits",
    tags=["staff"],
    summary="Deposits expected on the agency's bank account (each processor payout), by status and arrival date",
)
def deposits(
    status: Annotated[Literal["expected", "deposited"] | None, Query()] = None,
    from_: From = None,
    to: To = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> DepositPageOut:
    require_staff(current_caller(router), Permission.FINANCE_READ)
    page = finance_settlement.deposits(finance_store(), *_range(from_, to), status=status, limit=limit, cursor=cursor)
    return DepositPageOut(deposits=[PayoutOut.of(p) for p in page.items], next_cursor=page.next_cursor)


@router.post(
    "/v1/staff/finance/deposits/<depositId>/confirm",
    tags=["staff"],
    summary="Confirm by hand that a deposit reached the bank (expected -> deposited); asked again, the first stands",
    responses={
        200: {"description": "The deposit as it stands", "content": {"application/json": {"model": PayoutOut}}},
        404: {"description": "No such deposit"},
    },
)
def confirm_deposit(depositId: Annotated[str, Path(pattern=DEPOSIT_ID)]) -> PayoutOut:
    caller = require_staff(current_caller(router), Permission.FINANCE_MANAGE)
    confirmed = finance_settlement.confirm_deposit(finance_store(), depositId, actor=caller.actor, now=clock.now())
    return PayoutOut.of(confirmed)


@router.get(
    "/v1/staff/finance/reconciliation-items",
    tags=["staff"],
    summary="What settlement could not match: unknown transactions, amount mismatches, payments missing a payout",
)
def reconciliation_items(
    status: Annotated[Literal["open", "resolved"], Query()] = "open",
    reason: Annotated[
        Literal["unknown_transaction", "amount_mismatch", "missing_from_processor", "drawer_currency_mismatch"] | None,
        Query(),
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> ReconciliationPageOut:
    require_staff(current_caller(router), Permission.FINANCE_READ)
    page = finance_settlement.reconciliation_items(finance_store(), status, reason=reason, limit=limit, cursor=cursor)
    return ReconciliationPageOut(items=[ReconciliationItemOut.of(i) for i in page.items], next_cursor=page.next_cursor)


@router.post(
    "/v1/staff/finance/reconciliation-items/<itemId>/resolve",
    tags=["staff"],
    summary="Resolve an item with a note (who and when, audited); asked again, the first resolution stands",
    responses={
        200: {
            "description": "The item as it stands",
            "content": {"application/json": {"model": ReconciliationItemOut}},
        },
        404: {"description": "No such item"},
    },
)
def resolve_item(
    itemId: Annotated[str, Path(pattern=ITEM_ID)], body: Annotated[ResolveIn, Body()]
) -> ReconciliationItemOut:
    caller = require_staff(current_caller(router), Permission.FINANCE_MANAGE)
    resolved = finance_settlement.resolve_item(
        finance_store(), itemId, note=body.note, actor=caller.actor, now=clock.now()
    )
    return ReconciliationItemOut.of(resolved)
