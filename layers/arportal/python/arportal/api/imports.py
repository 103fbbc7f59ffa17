"""The HTTP shape of bulk imports, shared by the integration API (``/v1/integrations/imports``) and the staff console
(``/v1/staff/integrations/imports``): the request and answer models, the 201 and 202 answers, and the CSV template.

Both APIs answer with the same models, so the console's page and a connected system read an import the same way.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import Field

from arportal.api.errors import SECURITY_HEADERS
from arportal.api.schemas import In, Out
from arportal.domain.import_columns import LAYOUTS, template
from arportal.domain.imports import ImportFormat, ImportKind, ImportStatus
from arportal.services.imports import ImportProgress, NewImport


class ImportIn(In):
    kind: ImportKind = Field(
        description="What the file holds: customers, accounts, invoices, credit-notes, sales-orders"
    )
    format: ImportFormat = Field(description="ndjson: one record a line, as the batch API takes it; csv: the columns")
    dry_run: bool = Field(default=False, description="true: every record is checked and reported, nothing is written")


class UploadOut(Out):
    url: str = Field(description="PUT the file here, once, within 15 minutes")
    method: str = Field(description="PUT")
    headers: dict[str, str] = Field(description="Send exactly these headers with the PUT (the URL is signed for them)")
    expires_at: datetime


class ImportCreatedOut(Out):
    import_id: str
    status: ImportStatus
    kind: ImportKind
    format: ImportFormat
    dry_run: bool
    upload: UploadOut


class ImportCountsOut(Out):
    records: int = Field(description="Records in the file (known once it is split)")
    created: int
    updated: int
    unchanged: int
    rejected: int = Field(description="Refused records: each is in the error report with its line and reason")


class ImportChunksOut(Out):
    total: int = Field(description="Chunks of 500 records (known once the file is split)")
    done: int = Field(description="Chunks loaded so far")


class ErrorReportOut(Out):
    url: str = Field(description="A CSV (line, source_id, field, code, message): GET it within 15 minutes")
    expires_at: datetime


class ImportFailureOut(Out):
    code: str = Field(
        description="Stable: not_utf8, malformed_line, malformed_csv, unknown_column, missing_column, "
        "duplicate_column, wrong_field_count, no_records, or interrupted (start it again to resume)"
    )
    message: str


class ImportOut(Out):
    import_id: str
    status: ImportStatus
    kind: ImportKind
    format: ImportFormat
    dry_run: bool
    channel: str = Field(description="integration (a connected system) or staff (the console)")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    counts: ImportCountsOut
    chunks: ImportChunksOut
    error_report: ErrorReportOut | None = Field(description="Once finished, when some record was rejected")
    failure: ImportFailureOut | None = Field(description="Why a failed import failed")

    @classmethod
    def of(cls, progress: ImportProgress) -> ImportOut:
        job, report = progress.job, progress.error_report
        return cls(
            import_id=job.import_id,
            status=job.status,
            kind=job.kind,
            format=job.format,
            dry_run=job.dry_run,
            channel=job.channel,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            counts=ImportCountsOut(**progress.counts.as_dict()),
            chunks=ImportChunksOut(total=job.chunks or 0, done=progress.chunks_done),
            error_report=ErrorReportOut(url=report.url, expires_at=report.expires_at) if report else None,
            failure=ImportFailureOut(code=job.failure.code, message=job.failure.message) if job.failure else None,
        )


class ImportColumnOut(Out):
    name: str
    required: bool = Field(description="The header must have it (its cells may still be empty for an optional field)")
    example: str
    meaning: str
    amount: bool = Field(description="A decimal in the currency's units (12.34), converted exactly to minor units")
    per_line: bool = Field(description="Invoices and sales orders: one row per line, this column is the line's")


class ImportTemplateOut(Out):
    kind: ImportKind
    rows: str = Field(description="How rows make records")
    grouped_by: str | None = Field(description="The column whose consecutive rows make one record (its lines)")
    columns: list[ImportColumnOut]
    template: list[list[str]] = Field(description="The CSV template's rows: the header, then the example")

    @classmethod
    def of(cls, kind: ImportKind) -> ImportTemplateOut:
        layout = LAYOUTS[kind]
        return cls(
            kind=kind,
            rows=layout.meaning,
            grouped_by=layout.grouped_by,
            columns=[
                ImportColumnOut(
                    name=c.name,
                    required=c.required,
                    example=c.example,
                    meaning=c.meaning,
                    amount=c.value == "amount",
                    per_line=c.per_line,
                )
                for c in layout.columns
            ],
            template=template(kind),
        )


CREATED: dict[int, OpenAPIResponse] = {
    201: {
        "description": "Created: PUT the file to `upload.url` with `upload.headers`, then start the import",
        "content": {"application/json": {"model": ImportCreatedOut}},
    }
}
STARTED: dict[int, OpenAPIResponse] = {
    202: {
        "description": "Started: poll the import for its progress",
        "content": {"application/json": {"model": ImportOut}},
    },
    409: {
        "description": "`import_not_uploaded`: no file was PUT yet; `import_already_started`: it runs or ran already"
    },
}
TEMPLATE: dict[int, OpenAPIResponse] = {
    200: {
        "description": "The CSV template: the header row and an example (UTF-8); with `Accept: application/json`, "
        "the kind's columns described",
        "content": {"application/json": {"model": ImportTemplateOut}, "text/csv": {"schema": {"type": "string"}}},
    }
}


def created(new: NewImport) -> Response[str]:
    job, upload = new.job, new.upload
    body = ImportCreatedOut(
        import_id=job.import_id,
        status=job.status,
        kind=job.kind,
        format=job.format,
        dry_run=job.dry_run,
        upload=UploadOut(url=upload.url, method=upload.method, headers=upload.headers, expires_at=upload.expires_at),
    )
    return _json(HTTPStatus.CREATED, body)


def started(progress: ImportProgress) -> Response[str]:
    return _json(HTTPStatus.ACCEPTED, ImportOut.of(progress))


def template_of(kind: ImportKind, *, accept: str | None) -> Response[bytes]:
    """The CSV template, or its columns described when the caller asks for JSON only (a browser or curl asks for
    anything: the CSV)."""
    wanted = (accept or "").lower()
    if "application/json" in wanted and "text/csv" not in wanted:
        return Response(
            status_code=HTTPStatus.OK,
            content_type=content_types.APPLICATION_JSON,
            body=ImportTemplateOut.of(kind).model_dump_json().encode(),
            headers=dict(SECURITY_HEADERS),
        )
    return template_csv(kind)


def template_csv(kind: ImportKind) -> Response[bytes]:
    """UTF-8 with a byte order mark (a spreadsheet then reads it as UTF-8), CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(template(kind))
    return Response(
        status_code=HTTPStatus.OK,
        content_type="text/csv; charset=utf-8",
        body="\ufeff".encode() + buffer.getvalue().encode(),
        headers={
            "Content-Disposition": f'attachment; filename="{kind.value}-import-template.csv"',
            **SECURITY_HEADERS,
        },
    )


def _json(status: HTTPStatus, body: Out) -> Response[str]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
        headers=dict(SECURITY_HEADERS),
    )
