"""Staff routes: the unmatched queue of bank lines and staff's decisions on them, and the ACH return-rate monitor
(docs/bank-files.md). Reading takes finance.read; deciding takes finance.manage."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.domain.permissions import Permission
from arportal.services import bank_lines
from arportal.wiring import bank_application as wired
from staff_api.schemas_finance_bank_lines import (
    LINE_ID,
    LineDecisionIn,
    LineDecisionOut,
    QueuedLineOut,
    QueuedLinePageOut,
    ReturnRatesOut,
)

router = new_router()
Cursor = Annotated[str | None, Query(max_length=600, description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size, 1-200")]
LineKey = Annotated[str, Path(pattern=LINE_ID, description="The line's line_id")]


@router.get(
    "/v1/staff/finance/bank-lines",
    tags=["staff"],
    summary="Bank lines by status: the unmatched queue (unmatched, suggested), and matched or decided ones",
)
def bank_lines_list(
    status: Annotated[Literal["unmatched", "suggested", "matched", "decided"], Query()] = "unmatched",
    cursor: Cursor = None,
    limit: Limit = 50,
) -> QueuedLinePageOut:
    require_staff(current_caller(router), Permission.FINANCE_READ)
    page = bank_lines.lines(wired.bank_line_queue(), status, limit=limit, cursor=cursor)
    return QueuedLinePageOut(lines=[QueuedLineOut.of(r) for r in page.lines], next_cursor=page.cursor)


@router.get(
    "/v1/staff/finance/bank-lines/<lineKey>",
    tags=["staff"],
    summary="One bank line: what the bank said, its suggestions with scores and reasons, and any decision",
    responses={
        200: {"description": "The line", "content": {"application/json": {"model": QueuedLineOut}}},
        404: {"description": "No such line"},
    },
)
def bank_line(lineKey: LineKey) -> QueuedLineOut:
    require_staff(current_caller(router), Permission.FINANCE_READ)
    return QueuedLineOut.of(bank_lines.line(wired.bank_line_queue(), bank_lines.line_key_of_id(lineKey)))


@router.post(
    "/v1/staff/finance/bank-lines/<lineKey>/decision",
    tags=["staff"],
    summary="Decide a queued line: confirm a suggestion, split it over invoices, hold it as credit, or ignore it",
    responses={
        200: {"description": "The line, decided", "content": {"application/json": {"model": LineDecisionOut}}},
        404: {"description": "No such line"},
        409: {"description": "Decided already (the first decision is in the details), or not in the queue"},
    },
)
def decide(lineKey: LineKey, body: Annotated[LineDecisionIn, Body()]) -> LineDecisionOut:
    caller = require_staff(current_caller(router), Permission.FINANCE_MANAGE)
    record, applied = bank_lines.decide(
        bank_lines.line_key_of_id(lineKey),
        body.decision(),
        actor=caller.actor,
        services=wired.line_services(),
        now=clock.now(),
    )
    return LineDecisionOut.of(record, applied)


@router.get(
    "/v1/staff/finance/return-rates",
    tags=["staff"],
    summary="ACH return rates over the rolling 60 days against the NACHA limits (unauthorized, administrative, all)",
)
def rates() -> ReturnRatesOut:
    require_staff(current_caller(router), Permission.FINANCE_READ)
    return ReturnRatesOut.of(wired.return_rates_on(clock.today()))
