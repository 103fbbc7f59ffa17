"""Bulk imports: a connected system (or an administrator) uploads one NDJSON or CSV file of one kind of record,
and the import machine loads it in chunks through the same batch upserts as ``POST /v1/integrations/<kind>:batch``.

An import's life: ``awaiting_upload`` (created, with a presigned PUT for the file) -> ``running`` (started once the
file is there; the machine splits it into chunks of ``CHUNK_RECORDS`` and loads each) -> ``completed`` (every
chunk loaded; rejected records are in the error report) or ``failed`` (the file could not be read, nothing
loaded; or the machine gave up, with what was loaded until then counted).

Counting is per chunk and idempotent: a chunk's outcome is written once (a conditional put of its marker), so a
retried or resumed chunk never counts twice, and the totals are the sum of the markers.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum

from arportal.domain.errors import BusinessRuleError, ConflictError
from arportal.domain.event_entities import EventEntity
from arportal.domain.source_records import SourceKind

INTERRUPTED = "interrupted"  # the failure code of an import the machine stopped: starting it again resumes it
CHUNK_RECORDS = 500  # a chunk is one call of the batch service, which takes at most 500 records
UPLOAD_EXPIRES_S = 15 * 60
REPORT_EXPIRES_S = 15 * 60
SOURCE_NAME = "source"
CHUNKS_DIR = "chunks"
ERRORS_DIR = "errors"
ERROR_REPORT_NAME = "errors.csv"


class ImportKind(StrEnum):
    """What one file holds, named as the batch routes are (``/v1/integrations/<kind>:batch``)."""

    CUSTOMERS = "customers"
    ACCOUNTS = "accounts"
    INVOICES = "invoices"
    CREDIT_NOTES = "credit-notes"
    SALES_ORDERS = "sales-orders"

    @property
    def source_kind(self) -> SourceKind:
        return _SOURCE_KINDS[self]


_SOURCE_KINDS = {
    ImportKind.CUSTOMERS: SourceKind.CUSTOMER,
    ImportKind.ACCOUNTS: SourceKind.ACCOUNT,
    ImportKind.INVOICES: SourceKind.INVOICE,
    ImportKind.CREDIT_NOTES: SourceKind.CREDIT_NOTE,
    ImportKind.SALES_ORDERS: SourceKind.SALES_ORDER,
}


class ImportFormat(StrEnum):
    NDJSON = "ndjson"  # one record a line, as the batch API takes it (amounts in minor units)
    CSV = "csv"  # the documented columns of the kind (amounts as decimals), domain/import_columns.py


class ImportStatus(StrEnum):
    AWAITING_UPLOAD = "awaiting_upload"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True)
class ImportCounts:
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def __add__(self, other: ImportCounts) -> ImportCounts:
        return ImportCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ImportFailure:
    """Why an import failed: ``code`` is stable (``malformed_line``, ``unknown_column``, ``chunks_missing``, ...)."""

    code: str
    message: str


@dataclass(frozen=True)
class ChunkOutcome:
    """What one chunk did: its counts, and how many rows its error file holds (a record may have several)."""

    chunk: int
    counts: ImportCounts
    error_rows: int = 0


@dataclass(frozen=True)
class ImportJob:
    import_id: str
    kind: ImportKind
    format: ImportFormat
    dry_run: bool
    status: ImportStatus
    actor: str  # system:<client name> or staff:<email>: what the loaded records name as their writer
    channel: str  # integration or staff
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    records: int | None = None  # known once the file is split
    chunks: int | None = None
    counts: ImportCounts | None = None  # the final totals (while running, the sum of the chunk markers)
    failure: ImportFailure | None = None
    error_report: str | None = None  # the report's object key, when some record was rejected
    attempts: int = 0  # executions started: 1, and one more for each resume after an interruption

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.COMPLETED, ImportStatus.FAILED}

    @property
    def resumable(self) -> bool:
        """Failed because the machine stopped (not because of the file): starting it again resumes it."""
        return self.status is ImportStatus.FAILED and self.failure is not None and self.failure.code == INTERRUPTED

    @property
    def execution_name(self) -> str:
        """The machine's execution of this attempt: the import's id, then ``<id>-2``, ``<id>-3`` for resumes."""
        return self.import_id if self.attempts <= 1 else f"{self.import_id}-{self.attempts}"

    @property
    def event_entity(self) -> EventEntity:
        """What ``import.completed`` / ``import.failed`` are about: this import, at this run's attempt (a resumed
        import finishes again, in a later attempt; the job's finish is conditioned on the attempt read)."""
        return EventEntity("import", self.import_id, max(self.attempts, 1))

    def started(self, now: datetime) -> ImportJob:
        """Running, as ``POST .../{id}:start`` makes it: once from ``awaiting_upload``, or again after an
        interruption (the chunks already loaded are skipped); anything else is a 409."""
        if self.status is ImportStatus.AWAITING_UPLOAD:
            return replace(self, status=ImportStatus.RUNNING, started_at=now, attempts=1)
        if self.resumable:
            return replace(
                self, status=ImportStatus.RUNNING, attempts=self.attempts + 1, failure=None, finished_at=None
            )
        raise ImportAlreadyStartedError(
            f"import {self.import_id} is {self.status.value}: an import starts once",
            details={"status": self.status.value},
        )


def source_key(import_id: str) -> str:
    return f"imports/{import_id}/{SOURCE_NAME}"


def chunks_prefix(import_id: str) -> str:
    return f"imports/{import_id}/{CHUNKS_DIR}/"


def chunk_key(import_id: str, chunk: int) -> str:
    return f"{chunks_prefix(import_id)}{chunk:05d}.ndjson"


def chunk_number(import_id: str, key: str) -> int:
    """The chunk a key names (``imports/<id>/chunks/00012.ndjson`` -> 12); anything else is refused."""
    prefix = chunks_prefix(import_id)
    name = key[len(prefix) :] if key.startswith(prefix) else ""
    stem, _, extension = name.partition(".")
    if extension != "ndjson" or len(stem) != 5 or not stem.isdigit():
        raise ValueError(f"not a chunk of import {import_id}: {key!r}")
    return int(stem)


def chunk_errors_key(import_id: str, chunk: int) -> str:
    return f"imports/{import_id}/{ERRORS_DIR}/{chunk:05d}.ndjson"


def error_report_key(import_id: str) -> str:
    return f"imports/{import_id}/{ERROR_REPORT_NAME}"


class ImportAlreadyStartedError(ConflictError):
    code = "import_already_started"


class ImportNotUploadedError(ConflictError):
    code = "import_not_uploaded"


class ImportIncompleteError(BusinessRuleError):
    """Finishing found fewer chunk outcomes than chunks: some chunk never loaded (the machine must not finish)."""

    code = "chunks_missing"
