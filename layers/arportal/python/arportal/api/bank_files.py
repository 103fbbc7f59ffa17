"""The HTTP shape of bank files, shared by the console (``/v1/staff/finance/bank-files``) and connected systems
(``/v1/integrations/bank-files``): the raw body read as bytes, the answer to an import (201, or 200 for a
duplicate), a file with its lines and their matches, and the agency's bank accounts."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import Field

from arportal.api.errors import SECURITY_HEADERS, ApiError
from arportal.api.schemas import Out
from arportal.domain.bank_accounts import BankAccount
from arportal.domain.bank_matches import Candidate, LineMatch
from arportal.domain.identity import Caller
from arportal.domain.permissions import Permission
from arportal.ports.bank_files import BankFileRecord, StoredLine
from arportal.services.bank_files import BankFileImport

FILENAME_HEADER = "x-filename"


class BankFileImportOut(Out):
    file_id: str = Field(
        description="bkf_ and the first 40 hex digits of the file's SHA-256: the same bytes, the same id"
    )
    format: str = Field(description="bai2, camt.053, camt.054 or lockbox_csv")
    lines: int = Field(description="Lines in the file")
    matched: int = Field(description="New lines matched and applied without a person")
    suggested: int = Field(description="New lines in the unmatched queue, with suggestions")
    unmatched: int = Field(description="New lines in the unmatched queue, with none")
    ignored: int = Field(description="New lines that are not receivables (bank fees, transfers out): recorded only")
    already_seen: int = Field(description="Lines an earlier file brought: neither matched nor applied again")
    accounts: list[str] = Field(description="The configured bank accounts its statements are for")
    duplicate: bool = Field(description="true: these bytes were imported before; this is that import's result")
    sha256: str
    received_at: datetime

    @classmethod
    def of(cls, done: BankFileImport) -> BankFileImportOut:
        r = done.record
        return cls(
            file_id=r.file_id,
            format=r.format,
            **r.counts.as_dict(),
            accounts=list(r.accounts),
            duplicate=done.duplicate,
            sha256=r.sha256,
            received_at=r.received_at,
        )


class BankAllocationOut(Out):
    invoice_id: str
    customer_id: str
    amount: int


class BankCandidateOut(Out):
    target: str = Field(description="deposit, invoices, account_credit, return or none")
    score: int = Field(description="0-100")
    reasons: list[str]
    deposit_id: str | None = None
    deposit_ids: list[str] = Field(default_factory=list)
    customer_id: str | None = None
    allocations: list[BankAllocationOut] = Field(default_factory=list)
    payment_id: str | None = None
    return_code: str | None = None
    may_represent: bool = False

    @classmethod
    def of(cls, c: Candidate) -> BankCandidateOut:
        return cls(
            target=c.target.value,
            score=c.score,
            reasons=list(c.reasons),
            deposit_id=c.deposit_id,
            deposit_ids=list(c.deposit_ids),
            customer_id=c.customer_id,
            allocations=[
                BankAllocationOut(invoice_id=a.invoice_id, customer_id=a.customer_id, amount=a.amount)
                for a in c.allocations
            ],
            payment_id=c.payment_id,
            return_code=c.return_code,
            may_represent=c.may_represent,
        )


class BankMatchOut(Out):
    outcome: str = Field(description="matched, suggested, unmatched or ignored")
    best: BankCandidateOut | None
    suggestions: list[BankCandidateOut]

    @classmethod
    def of(cls, m: LineMatch) -> BankMatchOut:
        return cls(
            outcome=m.outcome.value,
            best=BankCandidateOut.of(m.best) if m.best else None,
            suggestions=[BankCandidateOut.of(c) for c in m.suggestions],
        )


class BankLineOut(Out):
    line_key: str
    account_id: str
    status: str = Field(description="received, matched, suggested, unmatched, ignored or decided")
    booking_date: date
    value_date: date | None
    amount: int = Field(description="Minor units, signed: a credit to the agency is positive")
    currency: str
    kind: str
    type_code: str
    bank_reference: str | None
    customer_reference: str | None
    trace_number: str | None
    payer_name: str | None
    remittance: str
    return_code: str | None
    first_file: bool = Field(description="false: an earlier file brought this line; its match is that file's")
    match: BankMatchOut | None
    applied: dict[str, Any] | None = Field(description="What applying it did, once applied")

    @classmethod
    def of(cls, stored: StoredLine, file_id: str) -> BankLineOut:
        line = stored.line
        return cls(
            line_key=line.line_key,
            account_id=stored.account_id,
            status=stored.status,
            booking_date=line.booking_date,
            value_date=line.value_date,
            amount=line.amount,
            currency=line.currency,
            kind=line.kind.value,
            type_code=line.type_code,
            bank_reference=line.bank_reference,
            customer_reference=line.customer_reference,
            trace_number=line.trace_number,
            payer_name=line.payer_name,
            remittance=line.remittance,
            return_code=line.return_code,
            first_file=stored.file_id == file_id,
            match=BankMatchOut.of(stored.match) if stored.match else None,
            applied=stored.applied,
        )


class BankFileSummaryOut(Out):
    file_id: str
    format: str
    status: str = Field(description="importing (stopped half way: send it again to finish) or imported")
    sha256: str
    size: int
    received_at: datetime
    received_by: str
    source: str = Field(description="console, integration or s3")
    filename: str | None
    file_reference: str | None
    accounts: list[str]
    counts: dict[str, int]

    @classmethod
    def of(cls, r: BankFileRecord) -> BankFileSummaryOut:
        return cls(
            file_id=r.file_id,
            format=r.format,
            status=r.status,
            sha256=r.sha256,
            size=r.size,
            received_at=r.received_at,
            received_by=r.received_by,
            source=r.source,
            filename=r.filename,
            file_reference=r.file_reference,
            accounts=list(r.accounts),
            counts=r.counts.as_dict(),
        )


class BankFileOut(BankFileSummaryOut):
    lines: list[BankLineOut] = Field(description="The lines this file brought first, by line key")


class BankFilePageOut(Out):
    files: list[BankFileSummaryOut]
    next_cursor: str | None


class BankAccountOut(Out):
    account_id: str
    name: str
    bank_name: str
    account_number: str = Field(description="In full for finance.manage; otherwise its last four digits")
    routing_number: str
    currency: str
    receives: list[str]

    @classmethod
    def of(cls, a: BankAccount, *, reader: Caller) -> BankAccountOut:
        """Finance (finance.manage) sees the whole account number; others who may read finance (supervisors) its
        last four digits: they never need more, and the number is what a fraudulent debit needs."""
        full_number = reader.can(Permission.FINANCE_MANAGE)
        return cls(
            account_id=a.account_id,
            name=a.name,
            bank_name=a.bank_name,
            account_number=a.account_number if full_number else a.masked_number,
            routing_number=a.routing_number,
            currency=a.currency,
            receives=sorted(r.value for r in a.receives),
        )


class BankAccountsOut(Out):
    accounts: list[BankAccountOut]


FILE: dict[int, OpenAPIResponse] = {
    200: {"description": "The file and its lines", "content": {"application/json": {"model": BankFileOut}}},
    404: {"description": "No such bank file"},
}
IMPORTED: dict[int, OpenAPIResponse] = {
    201: {"description": "Imported", "content": {"application/json": {"model": BankFileImportOut}}},
    200: {
        "description": "These bytes were imported before: that import's result, `duplicate: true`, nothing applied",
        "content": {"application/json": {"model": BankFileImportOut}},
    },
    413: {"description": "`body_too_large`: over 10 MiB; drop larger files in the import bucket's bank-files/inbox/"},
    422: {
        "description": "`bank_file_rejected`: the file is refused whole, with the reason (unreadable, a control total "
        "off, truncated, a DOCTYPE, an account the agency has not configured); nothing applied"
    },
}


def body_bytes(event: APIGatewayProxyEvent) -> bytes:
    """The raw body: base64-decoded when API Gateway encoded it (a binary media type), else the text's UTF-8."""
    raw = event.body or ""
    if not event.is_base64_encoded:
        data = raw.encode("utf-8", "surrogatepass")
    else:
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ApiError(HTTPStatus.BAD_REQUEST, "malformed_body", "the body's base64 encoding is broken") from exc
    if not data:
        raise ApiError(HTTPStatus.BAD_REQUEST, "empty_body", "send the bank file as the request body")
    return data


def filename_of(event: APIGatewayProxyEvent) -> str | None:
    """``X-Filename`` names the file (its extension helps the parser tell a lockbox CSV), at most 200 characters."""
    name = (event.headers.get(FILENAME_HEADER) or event.headers.get("X-Filename") or "").strip()
    return name[:200] or None


def imported(done: BankFileImport) -> Response[str]:
    return Response(
        status_code=HTTPStatus.OK if done.duplicate else HTTPStatus.CREATED,
        content_type=content_types.APPLICATION_JSON,
        body=BankFileImportOut.of(done).model_dump_json(),
        headers=dict(SECURITY_HEADERS),
    )
