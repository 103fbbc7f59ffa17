"""Staff routes: the agency's bank accounts and its bank files (docs/bank-files.md). Reading takes finance.read;
sending a file takes finance.manage (it applies payments). The file is the raw body, any Content-Type
(``application/octet-stream`` keeps its bytes exact), at most 10 MiB, with an optional ``X-Filename``."""

from __future__ import annotations

from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal.api import bank_files as shapes
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.domain.errors import NotFoundError
from arportal.domain.permissions import Permission
from arportal.wiring import bank_files

router = new_router()
FILE_ID = r"^bkf_[0-9a-f]{16,64}$"


@router.get(
    "/v1/staff/finance/bank-accounts",
    tags=["staff"],
    summary="The agency's bank accounts and what each receives (whole account numbers for finance.manage only)",
)
def bank_accounts() -> shapes.BankAccountsOut:
    caller = require_staff(current_caller(router), Permission.FINANCE_READ)
    return shapes.BankAccountsOut(accounts=[shapes.BankAccountOut.of(a, reader=caller) for a in bank_files.accounts()])


@router.post(
    "/v1/staff/finance/bank-files",
    tags=["staff"],
    summary="Import a bank file (BAI2, camt.053/054, lockbox CSV): the raw file as the body; matched lines applied",
    responses=shapes.IMPORTED,
)
def import_bank_file() -> Response[str]:
    caller = require_staff(current_caller(router), Permission.FINANCE_MANAGE)
    event = cast(APIGatewayProxyEvent, router.current_event)
    done = bank_files.receive(
        shapes.body_bytes(event), filename=shapes.filename_of(event), source="console", actor=caller.actor
    )
    return shapes.imported(done)


@router.get("/v1/staff/finance/bank-files", tags=["staff"], summary="Imported bank files, newest first, paged")
def list_bank_files(
    cursor: Annotated[str | None, Query(max_length=400, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size, 1-200")] = 50,
) -> shapes.BankFilePageOut:
    require_staff(current_caller(router), Permission.FINANCE_READ)
    page = bank_files.files(limit=limit, cursor=cursor)
    return shapes.BankFilePageOut(
        files=[shapes.BankFileSummaryOut.of(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/v1/staff/finance/bank-files/<fileId>",
    tags=["staff"],
    summary="A bank file and each line it brought, with its match (score, reasons, suggestions)",
    responses=shapes.FILE,
)
def get_bank_file(fileId: Annotated[str, Path(pattern=FILE_ID)]) -> shapes.BankFileOut:
    require_staff(current_caller(router), Permission.FINANCE_READ)
    found = bank_files.file(fileId)
    if found is None:
        raise NotFoundError("no such bank file")
    record, lines = found
    summary = shapes.BankFileSummaryOut.of(record)
    ordered = sorted(lines, key=lambda s: (s.line.booking_date, s.line.line_key))
    return shapes.BankFileOut(**summary.model_dump(), lines=[shapes.BankLineOut.of(s, record.file_id) for s in ordered])
