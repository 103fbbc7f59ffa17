"""Bulk imports: where an import job is kept, where its files are, and what runs it.

The job and its chunk markers are ledger items; the markers are written once each (a conditional put), which is
what keeps a retried or resumed chunk from counting twice. The files (the upload, its chunks, their error files
and the merged report) are objects of the import bucket, reached by the people who send and read them only through
presigned URLs. The runner starts the import machine by the import's id, so a second start starts nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

from arportal.domain.imports import ChunkOutcome, ImportJob


class ImportJobStore(Protocol):
    def create(self, job: ImportJob) -> None: ...

    def get(self, import_id: str) -> ImportJob | None: ...

    def claim_start(self, job: ImportJob, *, read: ImportJob) -> bool:
        """Store ``job`` (now running) if the stored one is still as ``read``; False when another start won."""
        ...

    def release_start(self, job: ImportJob, *, read: ImportJob) -> None:
        """Put ``read`` back: the machine could not be started after ``job`` was claimed."""
        ...

    def record_split(self, import_id: str, *, records: int, chunks: int) -> None: ...

    def put_chunk(self, import_id: str, outcome: ChunkOutcome, *, at: datetime) -> bool:
        """The chunk's marker, written only if it has none; False when it had one (that one counts)."""
        ...

    def chunk(self, import_id: str, chunk: int) -> ChunkOutcome | None: ...

    def chunks(self, import_id: str) -> list[ChunkOutcome]: ...

    def finish(self, job: ImportJob, event: tuple[str, Mapping[str, Any]]) -> bool:
        """Store the finished ``job`` and its outbox event in one transaction if the stored one is still running;
        False when it had finished already (a re-run: nothing is written, no second event)."""
        ...


class ImportFiles(Protocol):
    def upload_url(self, key: str, *, content_type: str, expires_in: int) -> str: ...

    def download_url(self, key: str, *, filename: str, expires_in: int) -> str: ...

    def exists(self, key: str) -> bool: ...

    def stream(self, key: str) -> Iterator[bytes]:
        """The object's bytes as they arrive, in pieces."""
        ...

    def get(self, key: str) -> bytes: ...

    def put(self, key: str, body: bytes, *, content_type: str) -> None: ...


class ImportRunner(Protocol):
    def start(self, import_id: str, payload: Mapping[str, object]) -> bool:
        """Start the import machine, named by the import; False when an execution of that name exists."""
        ...
