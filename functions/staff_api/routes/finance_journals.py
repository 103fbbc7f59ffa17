"""Staff routes: the day's GL journal batches, their files as stored, marked imported into the ERP, and
corrections (a reversal batch plus a new batch) filed by one finance user and decided by another."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.domain.permissions import Permission
from arportal.services import journal_batches
from arportal.wiring import journals
from staff_api.schemas_finance_journals import (
    BATCH_ID,
    CORRECTION_ID,
    CorrectionDecisionIn,
    CorrectionIn,
    JournalBatchOut,
    JournalCorrectionOut,
    JournalDayOut,
)

router = new_router()


@router.get(
    "/v1/staff/finance/journals",
    tags=["staff"],
    summary="A banking day's GL journal batches, with their lines (amounts in minor units) and source records",
)
def day_journals(date_: Annotated[date, Query(alias="date")]) -> JournalDayOut:
    require_staff(current_caller(router), Permission.FINANCE_READ)
    found = journal_batches.day_batches(journals.books(), date_)
    return JournalDayOut(date=date_, batches=[JournalBatchOut.of(b, j) for b, j in found])


@router.get(
    "/v1/staff/finance/journals/<batchId>",
    tags=["staff"],
    summary="A batch's file as stored (CSV with header, detail and trailer, or JSON), as a download",
    responses={
        200: {
            "description": "The stored file, byte for byte",
            "content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "string"}}},
        },
        404: {"description": "No such batch"},
        409: {"description": "`journal_file_altered`: the stored bytes no longer hash to the recorded SHA-256"},
    },
)
def journal_file(
    batchId: Annotated[str, Path(pattern=BATCH_ID)],
    format_: Annotated[Literal["csv", "json"], Query(alias="format")] = "csv",
) -> Response[bytes]:
    require_staff(current_caller(router), Permission.FINANCE_READ)
    file = journal_batches.batch_file(journals.books(), batchId, format_)
    return Response(
        status_code=200,
        content_type=file.content_type,
        body=file.data,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "no-store",
            "X-Content-SHA256": file.sha256,
        },
    )


@router.post(
    "/v1/staff/finance/journals/<batchId>/imported",
    tags=["staff"],
    summary="Mark a batch imported into the ERP (who and when); asked again, the first mark stands",
    responses={
        200: {
            "description": "The batch, marked imported (by whoever marked it first)",
            "content": {"application/json": {"model": JournalBatchOut}},
        },
        404: {"description": "No such batch"},
    },
)
def mark_imported(batchId: Annotated[str, Path(pattern=BATCH_ID)]) -> JournalBatchOut:
    caller = require_staff(current_caller(router), Permission.FINANCE_MANAGE)
    books = journals.books()
    marked = journal_batches.mark_imported(books, batchId, actor=caller.actor, now=clock.now())
    return JournalBatchOut.of(marked, journal_batches.stored_journal(books, marked))


@router.post(
    "/v1/staff/finance/journals/<batchId>/corrections",
    tags=["staff"],
    summary="Ask for a batch to be corrected (a reversal batch plus a new one), for another finance user to decide",
    responses={
        201: {
            "description": "Filed, pending a decision",
            "content": {"application/json": {"model": JournalCorrectionOut}},
        },
        404: {"description": "No such batch"},
        409: {"description": "The batch was reversed already"},
        422: {"description": "The batch is itself a reversal"},
    },
)
def request_correction(
    batchId: Annotated[str, Path(pattern=BATCH_ID)], body: Annotated[CorrectionIn, Body()]
) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.FINANCE_MANAGE)
    filed = journal_batches.request_correction(
        journals.books(), batchId, reason=body.reason, actor=caller.actor, now=clock.now()
    )
    return Response(
        status_code=201,
        content_type="application/json",
        body=JournalCorrectionOut.of(filed).model_dump_json(),
    )


@router.post(
    "/v1/staff/finance/journals/corrections/<correctionId>/decision",
    tags=["staff"],
    summary="Approve or reject a correction (not your own); approved, its reversal and new batch are stored",
    responses={
        200: {
            "description": "Decided: the correction as it stands",
            "content": {"application/json": {"model": JournalCorrectionOut}},
        },
        403: {"description": "`forbidden` (no finance.manage) or `self_approval`"},
        404: {"description": "No such correction"},
        409: {"description": "`correction_not_pending`: decided the other way already"},
        422: {"description": "`unmapped_gl_code`: the new batch cannot be mapped by the chart of accounts"},
    },
)
def decide_correction(
    correctionId: Annotated[str, Path(pattern=CORRECTION_ID)], body: Annotated[CorrectionDecisionIn, Body()]
) -> JournalCorrectionOut:
    caller = require_staff(current_caller(router), Permission.FINANCE_MANAGE)
    decided = journal_batches.decide_correction(
        journals.books(),
        journals.sources(),
        journals.chart(),
        correctionId,
        approve=body.decision == "approve",
        actor=caller.actor,
        now=clock.now(),
    )
    return JournalCorrectionOut.of(decided)
