"""The import machine's steps (``statemachines/source_import.asl.json``): split the uploaded file into chunks, load
each chunk through the batch service, then finish (totals, the error report, the event) or record the failure.

Resuming after a crash duplicates nothing, whichever step it happens in:

- **Split** reads the whole file before anything loads and writes the same chunks from the same file every time
  (a record's chunk and position depend only on the file), so running it again is harmless.
- **Load a chunk**: its marker is looked up first (a chunk loaded already is not loaded again); the records go
  through ``services/source_loads.load_records``, whose upserts are idempotent by the source's version (a record
  loaded before a crash is answered ``unchanged`` the second time); the marker is then put only if there is none,
  so a chunk loaded twice at once still counts once. The error file is written before the marker, so a marker
  always has its errors.
- **Finish** sums the markers (refusing to finish while a chunk has none), merges the chunks' error files into one
  CSV and marks the job completed with its ``import.completed`` event in one transaction conditioned on the job
  still running: a second finish writes nothing and publishes nothing.

A file that cannot be read (``FileFormatError``) fails the import with its reason and loads nothing; a machine that
gives up (a chunk failing after its retries) fails it as ``interrupted``, resumable by starting it again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from arportal.domain.errors import BusinessRuleError, NotFoundError
from arportal.domain.import_files import FileFormatError, chunked, decode_chunk, encode_chunk, read_records, text_lines
from arportal.domain.import_report import csv_header, csv_rows, decode_rows, encode_rows, error_rows
from arportal.domain.imports import (
    CHUNK_RECORDS,
    INTERRUPTED,
    ChunkOutcome,
    ImportCounts,
    ImportFailure,
    ImportIncompleteError,
    ImportJob,
    ImportStatus,
    chunk_errors_key,
    chunk_key,
    chunk_number,
    chunks_prefix,
    error_report_key,
    source_key,
)
from arportal.domain.upserts import Outcome
from arportal.ports import DocumentStore, ImportFiles, ImportJobStore, SourceRecordStore
from arportal.services.source_loads import LoadSettings, load_records

NDJSON = "application/x-ndjson"
MAX_CAUSE = 300


@dataclass(frozen=True)
class SplitResult:
    ok: bool
    records: int = 0
    chunks: int = 0
    chunks_prefix: str = ""
    failure: ImportFailure | None = None


class ImportNotRunningError(BusinessRuleError):
    code = "import_not_running"


def split_import(import_id: str, *, jobs: ImportJobStore, files: ImportFiles, currency: str) -> SplitResult:
    job = _job(jobs, import_id)
    if job.status is ImportStatus.COMPLETED and job.chunks is not None:
        return SplitResult(True, job.records or 0, job.chunks, chunks_prefix(import_id))  # a re-run: all there
    _require_running(job)
    records = read_records(text_lines(files.stream(source_key(import_id))), job.kind, job.format, currency=currency)
    count = chunks = 0
    try:
        for number, chunk in enumerate(chunked(records, CHUNK_RECORDS), start=1):
            files.put(chunk_key(import_id, number), encode_chunk(chunk), content_type=NDJSON)
            count, chunks = count + len(chunk), number
    except FileFormatError as exc:
        return SplitResult(False, failure=ImportFailure(exc.code, exc.message))
    jobs.record_split(import_id, records=count, chunks=chunks)
    return SplitResult(True, count, chunks, chunks_prefix(import_id))


def load_chunk(
    import_id: str,
    key: str,
    *,
    jobs: ImportJobStore,
    files: ImportFiles,
    store: SourceRecordStore,
    documents: DocumentStore,
    settings: LoadSettings,
    now: datetime,
) -> ChunkOutcome:
    number = chunk_number(import_id, key)
    done = jobs.chunk(import_id, number)
    if done is not None:
        return done
    job = _job(jobs, import_id)
    _require_running(job)
    records = decode_chunk(files.get(key))
    sent = [record for record in records if not record.errors]
    result = load_records(
        [(job.kind.source_kind, record.record) for record in sent],
        store=store,
        files=documents,
        settings=settings,
        actor=job.actor,
        now=now,
        dry_run=job.dry_run,
        request_id=f"{import_id}/{number}",
        channel=job.channel,
    )
    tally = dict.fromkeys(Outcome, 0)
    rows = []
    for record in records:
        if record.errors:
            tally[Outcome.REJECTED] += 1
            rows += error_rows(record, record.errors, job.kind, job.format)
    for record, answer in zip(sent, result.results, strict=True):
        tally[answer.outcome] += 1
        if answer.outcome is Outcome.REJECTED:
            rows += error_rows(record, answer.errors, job.kind, job.format)
    counts = ImportCounts(
        len(records), tally[Outcome.CREATED], tally[Outcome.UPDATED], tally[Outcome.UNCHANGED], tally[Outcome.REJECTED]
    )
    if rows:
        files.put(chunk_errors_key(import_id, number), encode_rows(rows), content_type=NDJSON)
    outcome = ChunkOutcome(number, counts, len(rows))
    if jobs.put_chunk(import_id, outcome, at=now):
        return outcome
    return jobs.chunk(import_id, number) or outcome  # loaded at the same time by another attempt: that one counts


def finish_import(import_id: str, *, jobs: ImportJobStore, files: ImportFiles, now: datetime) -> ImportJob:
    job = _job(jobs, import_id)
    if job.finished:
        return job  # a re-run: finished once, reported once
    _require_running(job)
    outcomes = sorted(jobs.chunks(import_id), key=lambda o: o.chunk)
    expected = job.chunks or 0
    if len(outcomes) < expected:
        missing = sorted(set(range(1, expected + 1)) - {o.chunk for o in outcomes})
        raise ImportIncompleteError(
            f"{len(missing)} of {expected} chunks were not loaded (first: {missing[0]})",
            details={"missing": missing[:20]},
        )
    counts = sum((o.counts for o in outcomes), ImportCounts())
    report = _merge_errors(import_id, outcomes, files)
    finished = replace(
        job,
        status=ImportStatus.COMPLETED,
        finished_at=now,
        counts=replace(counts, records=job.records or counts.records),
        error_report=report,
    )
    jobs.finish(finished, ("import.completed", _detail(finished)))
    return jobs.get(import_id) or finished


def fail_import(
    import_id: str,
    *,
    code: str,
    message: str,
    jobs: ImportJobStore,
    now: datetime,
    interrupted: bool = False,
) -> ImportJob:
    """Record why the import failed (the file's reason, or ``interrupted`` with the machine's error); once only."""
    job = _job(jobs, import_id)
    if job.status is not ImportStatus.RUNNING:
        return job
    failure = ImportFailure(code, message)
    if interrupted:
        reason = f"{code}: {message}"[:MAX_CAUSE]
        failure = ImportFailure(
            INTERRUPTED,
            f"the import stopped ({reason}); start it again to resume: chunks already loaded are not loaded again",
        )
    outcomes = jobs.chunks(import_id)
    counts = sum((o.counts for o in outcomes), ImportCounts())
    failed = replace(
        job,
        status=ImportStatus.FAILED,
        finished_at=now,
        failure=failure,
        counts=replace(counts, records=job.records or 0),
    )
    jobs.finish(failed, ("import.failed", _detail(failed)))
    return jobs.get(import_id) or failed


def _merge_errors(import_id: str, outcomes: list[ChunkOutcome], files: ImportFiles) -> str | None:
    with_errors = [o.chunk for o in outcomes if o.error_rows]
    if not with_errors:
        return None
    parts = [csv_header()]
    for number in with_errors:
        parts.append(csv_rows(decode_rows(files.get(chunk_errors_key(import_id, number)))))
    key = error_report_key(import_id)
    files.put(key, b"".join(parts), content_type="text/csv; charset=utf-8")
    return key


def _detail(job: ImportJob) -> dict[str, Any]:
    return {
        "import_id": job.import_id,
        "kind": job.kind.value,
        "format": job.format.value,
        "dry_run": job.dry_run,
        "status": job.status.value,
        "actor": job.actor,
        "channel": job.channel,
        "records": job.records,
        "chunks": job.chunks,
        "counts": job.counts.as_dict() if job.counts else None,
        "error_report": job.error_report is not None,
        "failure": {"code": job.failure.code, "message": job.failure.message} if job.failure else None,
    }


def _job(jobs: ImportJobStore, import_id: str) -> ImportJob:
    job = jobs.get(import_id)
    if job is None:
        raise NotFoundError(f"no import {import_id}")
    return job


def _require_running(job: ImportJob) -> None:
    if job.status is not ImportStatus.RUNNING:
        raise ImportNotRunningError(
            f"import {job.import_id} is {job.status.value}: only a started import is split and loaded",
            details={"status": job.status.value},
        )
