"""Bulk import jobs in the ledger table: the job, and one marker per loaded chunk, in the job's own partition.

    IMPORT#<import_id>   IMPORT          the job: kind, format, status, who started it, totals, failure, report
    IMPORT#<import_id>   CHUNK#<00012>   what chunk 12 did (counts), written once (attribute_not_exists)

The markers sit beside the job, so the job's progress is one Query of its partition; they expire with the job's
files (``EXPIRES_AFTER``), the job itself stays.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from arportal.domain.imports import (
    ChunkOutcome,
    ImportCounts,
    ImportFailure,
    ImportFormat,
    ImportJob,
    ImportKind,
    ImportStatus,
)

IMPORT = "IMPORT"
CHUNK = "CHUNK#"
EXPIRES_AFTER = timedelta(days=30)


def import_pk(import_id: str) -> str:
    return f"{IMPORT}#{import_id}"


def job_key(import_id: str) -> dict[str, str]:
    return {"PK": import_pk(import_id), "SK": IMPORT}


def chunk_key(import_id: str, chunk: int) -> dict[str, str]:
    return {"PK": import_pk(import_id), "SK": f"{CHUNK}{chunk:05d}"}


def job_item(job: ImportJob) -> dict[str, Any]:
    item: dict[str, Any] = {
        **job_key(job.import_id),
        "type": "import",
        "import_id": job.import_id,
        "kind": job.kind.value,
        "format": job.format.value,
        "dry_run": job.dry_run,
        "status": job.status.value,
        "actor": job.actor,
        "channel": job.channel,
        "created_at": job.created_at.isoformat(),
        "attempts": job.attempts,
    }
    optional = {
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "records": job.records,
        "chunks": job.chunks,
        "counts": job.counts.as_dict() if job.counts else None,
        "failure": {"code": job.failure.code, "message": job.failure.message} if job.failure else None,
        "error_report": job.error_report,
    }
    return item | {name: value for name, value in optional.items() if value is not None}


def job_from_item(item: dict[str, Any]) -> ImportJob:
    failure = item.get("failure")
    counts = item.get("counts")
    return ImportJob(
        import_id=str(item["import_id"]),
        kind=ImportKind(str(item["kind"])),
        format=ImportFormat(str(item["format"])),
        dry_run=bool(item["dry_run"]),
        status=ImportStatus(str(item["status"])),
        actor=str(item["actor"]),
        channel=str(item["channel"]),
        created_at=datetime.fromisoformat(str(item["created_at"])),
        started_at=_instant(item.get("started_at")),
        finished_at=_instant(item.get("finished_at")),
        records=int(item["records"]) if item.get("records") is not None else None,
        chunks=int(item["chunks"]) if item.get("chunks") is not None else None,
        counts=ImportCounts(**{k: int(v) for k, v in counts.items()}) if counts else None,
        failure=ImportFailure(str(failure["code"]), str(failure["message"])) if failure else None,
        error_report=str(item["error_report"]) if item.get("error_report") else None,
        attempts=int(item.get("attempts", 0)),
    )


def chunk_item(import_id: str, outcome: ChunkOutcome, *, at: datetime) -> dict[str, Any]:
    return {
        **chunk_key(import_id, outcome.chunk),
        "type": "import_chunk",
        "chunk": outcome.chunk,
        "counts": outcome.counts.as_dict(),
        "error_rows": outcome.error_rows,
        "loaded_at": at.isoformat(),
        "expires_at": int((at + EXPIRES_AFTER).timestamp()),
    }


def chunk_from_item(item: dict[str, Any]) -> ChunkOutcome:
    counts = ImportCounts(**{k: int(v) for k, v in dict(item["counts"]).items()})
    return ChunkOutcome(int(item["chunk"]), counts, int(item.get("error_rows", 0)))


def _instant(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None
