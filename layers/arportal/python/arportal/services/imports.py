"""Bulk imports as their callers see them (the integration API, channel ``integration``; the staff console,
channel ``staff``): create one and get a presigned upload, start it once the file is there, watch its progress and
fetch its error report.

- **Create**: the job (``awaiting_upload``) and a presigned PUT of ``imports/<id>/source`` for 15 minutes, with the
  one header the upload must send (the signed ``Content-Type``).
- **Start**: 409 ``import_not_uploaded`` while there is no file, 409 ``import_already_started`` once started. The
  job is claimed (a conditional write on the state read) before the machine is started by its execution name, so
  two starts at once start one machine; if the machine cannot be started, the claim is put back. An import the
  machine stopped (failure ``interrupted``) is started again the same way: that resumes it.
- **Progress**: the job, and while it runs the sum of its chunk markers; the error report as a presigned GET.

A connected system sees only the imports it created (another's is a 404); an administrator sees every import.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from arportal.domain.errors import NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.imports import (
    REPORT_EXPIRES_S,
    UPLOAD_EXPIRES_S,
    ImportAlreadyStartedError,
    ImportCounts,
    ImportFormat,
    ImportJob,
    ImportKind,
    ImportNotUploadedError,
    ImportStatus,
    source_key,
)
from arportal.ports import ImportFiles, ImportJobStore, ImportRunner

CONTENT_TYPES = {ImportFormat.CSV: "text/csv", ImportFormat.NDJSON: "application/x-ndjson"}


@dataclass(frozen=True)
class PresignedUrl:
    url: str
    expires_at: datetime
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NewImport:
    job: ImportJob
    upload: PresignedUrl


@dataclass(frozen=True)
class ImportProgress:
    job: ImportJob
    counts: ImportCounts
    chunks_done: int
    error_report: PresignedUrl | None


def create_import(
    kind: ImportKind,
    file_format: ImportFormat,
    *,
    dry_run: bool,
    actor: str,
    channel: str,
    jobs: ImportJobStore,
    files: ImportFiles,
    now: datetime,
) -> NewImport:
    import_id = new_id("imp", now_ms=int(now.timestamp() * 1000))
    job = ImportJob(import_id, kind, file_format, dry_run, ImportStatus.AWAITING_UPLOAD, actor, channel, now)
    jobs.create(job)
    content_type = CONTENT_TYPES[file_format]
    url = files.upload_url(source_key(import_id), content_type=content_type, expires_in=UPLOAD_EXPIRES_S)
    upload = PresignedUrl(url, now + timedelta(seconds=UPLOAD_EXPIRES_S), "PUT", {"Content-Type": content_type})
    return NewImport(job, upload)


def start_import(
    import_id: str,
    *,
    visible_to: str | None,
    jobs: ImportJobStore,
    files: ImportFiles,
    runner: ImportRunner,
    max_concurrency: int,
    now: datetime,
) -> ImportJob:
    """Start (or, after an interruption, resume) the import machine for an uploaded file."""
    read = _visible(jobs, import_id, visible_to)
    started = read.started(now)  # 409 import_already_started unless awaiting its upload or interrupted
    if not files.exists(source_key(import_id)):
        raise ImportNotUploadedError(
            f"import {import_id} has no file yet: PUT it to the upload URL, then start it",
            details={"status": read.status.value},
        )
    if not jobs.claim_start(started, read=read):
        raise ImportAlreadyStartedError(
            f"import {import_id} was started by another request at the same time", details={"status": "running"}
        )
    payload = {"import_id": import_id, "max_concurrency": max_concurrency}
    try:
        runner.start(started.execution_name, payload)
    except Exception:
        jobs.release_start(started, read=read)
        raise
    return started


def import_progress(
    import_id: str, *, visible_to: str | None, jobs: ImportJobStore, files: ImportFiles, now: datetime
) -> ImportProgress:
    job = _visible(jobs, import_id, visible_to)
    if job.status is ImportStatus.AWAITING_UPLOAD:
        return ImportProgress(job, ImportCounts(), 0, None)
    outcomes = jobs.chunks(import_id)
    if job.counts is not None and job.status is ImportStatus.COMPLETED:
        counts = job.counts
    else:
        counts = replace(sum((o.counts for o in outcomes), ImportCounts()), records=job.records or 0)
    report = None
    if job.error_report is not None and job.finished:
        filename = f"import-{import_id}-errors.csv"
        url = files.download_url(job.error_report, filename=filename, expires_in=REPORT_EXPIRES_S)
        report = PresignedUrl(url, now + timedelta(seconds=REPORT_EXPIRES_S))
    return ImportProgress(job, counts, len(outcomes), report)


def _visible(jobs: ImportJobStore, import_id: str, visible_to: str | None) -> ImportJob:
    job = jobs.get(import_id)
    if job is None or (visible_to is not None and job.actor != visible_to):
        raise NotFoundError(f"no import {import_id}")
    return job
