"""The import machine's Tasks (``statemachines/source_import.asl.json``): split the uploaded file into chunks, load
one chunk (each item of the Distributed Map), finish the import, or record why it failed.

Each returns small JSON: the Distributed Map's results are discarded (``ResultPath: null``), the totals live in the
chunk markers, so a 500,000-record import never carries its counts through the machine's 256 KB state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from arportal.domain.imports import ImportJob
from arportal.wiring import imports

_ID = Field(pattern=r"^[A-Za-z0-9_-]{1,128}$")


class _Input(BaseModel):
    model_config = ConfigDict(extra="ignore")

    import_id: str = _ID


class ChunkInput(_Input):
    key: str = Field(min_length=1, max_length=1024)


class FailInput(_Input):
    code: str | None = None  # the file's reason (Split refused it)
    message: str | None = None
    error: str | None = None  # or the machine's error (a Catch), with its cause
    cause: str | None = None


def split_import(event: dict[str, Any]) -> dict[str, Any]:
    data = _Input.model_validate(event)
    result = imports.split(data.import_id)
    failure = result.failure
    return {
        "ok": result.ok,
        "records": result.records,
        "chunks": result.chunks,
        "chunks_prefix": result.chunks_prefix,
        "code": failure.code if failure else None,
        "message": failure.message if failure else None,
    }


def load_chunk(event: dict[str, Any]) -> dict[str, Any]:
    data = ChunkInput.model_validate(event)
    outcome = imports.load_chunk(data.import_id, data.key)
    return {"chunk": outcome.chunk, "counts": outcome.counts.as_dict(), "error_rows": outcome.error_rows}


def finish_import(event: dict[str, Any]) -> dict[str, Any]:
    data = _Input.model_validate(event)
    return _summary(imports.finish(data.import_id))


def fail_import(event: dict[str, Any]) -> dict[str, Any]:
    data = FailInput.model_validate(event)
    if data.error is not None:
        job = imports.fail(data.import_id, code=data.error, message=_reason(data.cause), interrupted=True)
    else:
        job = imports.fail(
            data.import_id, code=data.code or "unreadable_file", message=data.message or "", interrupted=False
        )
    return _summary(job)


def _reason(cause: str | None) -> str:
    """A Lambda error's cause is its JSON error payload: keep its message, not its stack trace."""
    if not cause:
        return "no cause given"
    try:
        payload = json.loads(cause)
    except ValueError:
        return cause
    return str(payload.get("errorMessage") or cause) if isinstance(payload, dict) else cause


def _summary(job: ImportJob) -> dict[str, Any]:
    return {
        "import_id": job.import_id,
        "status": job.status.value,
        "counts": job.counts.as_dict() if job.counts else None,
        "error_report": job.error_report is not None,
        "failure": asdict(job.failure) if job.failure else None,
    }


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "split_import": split_import,
    "load_chunk": load_chunk,
    "finish_import": finish_import,
    "fail_import": fail_import,
}
