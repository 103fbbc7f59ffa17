"""The import use cases with in-memory stores (``services/imports.py``, ``services/import_pipeline.py``): one start
per import (a lost claim, a runner that fails), a resume after an interruption, a chunk that counts once however
often it runs, and a finish that happens once and never with a chunk missing."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from arportal.domain.errors import DependencyError, NotFoundError
from arportal.domain.imports import (
    ChunkOutcome,
    ImportAlreadyStartedError,
    ImportCounts,
    ImportFormat,
    ImportIncompleteError,
    ImportJob,
    ImportKind,
    ImportNotUploadedError,
    ImportStatus,
    chunk_key,
    source_key,
)
from arportal.services import import_pipeline, imports
from arportal.services.source_loads import LoadSettings
from tests.source_load_fakes import InMemorySourceRecords, NoFiles

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
ACTOR = "system:demo-erp"


@dataclass
class Jobs:
    jobs: dict[str, ImportJob] = field(default_factory=dict)
    markers: dict[tuple[str, int], ChunkOutcome] = field(default_factory=dict)
    events: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    lose_claim: bool = False

    def create(self, job: ImportJob) -> None:
        self.jobs[job.import_id] = job

    def get(self, import_id: str) -> ImportJob | None:
        return self.jobs.get(import_id)

    def claim_start(self, job: ImportJob, *, read: ImportJob) -> bool:
        if self.lose_claim or self.jobs[job.import_id] != read:
            return False
        self.jobs[job.import_id] = job
        return True

    def release_start(self, job: ImportJob, *, read: ImportJob) -> None:
        if self.jobs[job.import_id] == job:
            self.jobs[job.import_id] = read

    def record_split(self, import_id: str, *, records: int, chunks: int) -> None:
        self.jobs[import_id] = replace(self.jobs[import_id], records=records, chunks=chunks)

    def put_chunk(self, import_id: str, outcome: ChunkOutcome, *, at: datetime) -> bool:
        if (import_id, outcome.chunk) in self.markers:
            return False
        self.markers[(import_id, outcome.chunk)] = outcome
        return True

    def chunk(self, import_id: str, chunk: int) -> ChunkOutcome | None:
        return self.markers.get((import_id, chunk))

    def chunks(self, import_id: str) -> list[ChunkOutcome]:
        return [o for (i, _), o in self.markers.items() if i == import_id]

    def finish(self, job: ImportJob, event: tuple[str, Mapping[str, Any]]) -> bool:
        if self.jobs[job.import_id].status is not ImportStatus.RUNNING:
            return False
        self.jobs[job.import_id] = job
        self.events.append(event)
        return True


@dataclass
class Files:
    objects: dict[str, bytes] = field(default_factory=dict)

    def upload_url(self, key: str, *, content_type: str, expires_in: int) -> str:
        return f"https://bucket/{key}?put&expires={expires_in}"

    def download_url(self, key: str, *, filename: str, expires_in: int) -> str:
        return f"https://bucket/{key}?get={filename}"

    def exists(self, key: str) -> bool:
        return key in self.objects

    def stream(self, key: str) -> Iterator[bytes]:
        data = self.objects[key]
        yield from (data[i : i + 5] for i in range(0, len(data), 5))

    def get(self, key: str) -> bytes:
        return self.objects[key]

    def put(self, key: str, body: bytes, *, content_type: str) -> None:
        self.objects[key] = body


@dataclass
class Runner:
    started: list[tuple[str, Mapping[str, object]]] = field(default_factory=list)
    fail: bool = False

    def start(self, import_id: str, payload: Mapping[str, object]) -> bool:
        if self.fail:
            raise DependencyError("the import could not be started")
        self.started.append((import_id, payload))
        return True


@dataclass
class World:
    jobs: Jobs = field(default_factory=Jobs)
    files: Files = field(default_factory=Files)
    runner: Runner = field(default_factory=Runner)
    records: InMemorySourceRecords = field(default_factory=InMemorySourceRecords)

    def create(self, body: bytes | None = None, *, kind: ImportKind = ImportKind.CUSTOMERS) -> str:
        new = imports.create_import(
            kind, ImportFormat.NDJSON, dry_run=False, actor=ACTOR, channel="integration", jobs=self.jobs,
            files=self.files, now=NOW,
        )  # fmt: skip
        if body is not None:
            self.files.objects[source_key(new.job.import_id)] = body
        return new.job.import_id

    def start(self, import_id: str) -> ImportJob:
        return imports.start_import(
            import_id, visible_to=ACTOR, jobs=self.jobs, files=self.files, runner=self.runner, max_concurrency=5,
            now=NOW,
        )  # fmt: skip

    def load(self, import_id: str, chunk: int) -> ChunkOutcome:
        return import_pipeline.load_chunk(
            import_id, chunk_key(import_id, chunk), jobs=self.jobs, files=self.files, store=self.records,
            documents=NoFiles(), settings=LoadSettings("USD"), now=NOW,
        )  # fmt: skip


def customers(*ids: str) -> bytes:
    return "".join(json.dumps({"customer_id": i, "name": "Ada", "source_version": 1}) + "\n" for i in ids).encode()


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr(import_pipeline, "CHUNK_RECORDS", 2)
    return World()


def test_an_import_starts_once_its_file_is_there_and_only_once(world: World) -> None:
    import_id = world.create()
    with pytest.raises(ImportNotUploadedError):
        world.start(import_id)
    world.files.objects[source_key(import_id)] = customers("CUS-0001")
    started = world.start(import_id)
    assert (started.status, started.attempts, started.execution_name) == (ImportStatus.RUNNING, 1, import_id)
    assert world.runner.started == [(import_id, {"import_id": import_id, "max_concurrency": 5})]
    with pytest.raises(ImportAlreadyStartedError):
        world.start(import_id)
    with pytest.raises(NotFoundError):
        imports.start_import(
            import_id, visible_to="system:other", jobs=world.jobs, files=world.files, runner=world.runner,
            max_concurrency=5, now=NOW,
        )  # fmt: skip


def test_a_start_that_loses_the_claim_or_cannot_reach_the_machine_changes_nothing(world: World) -> None:
    import_id = world.create(customers("CUS-0001"))
    world.jobs.lose_claim = True
    with pytest.raises(ImportAlreadyStartedError):
        world.start(import_id)
    world.jobs.lose_claim, world.runner.fail = False, True
    with pytest.raises(DependencyError):
        world.start(import_id)
    assert world.jobs.jobs[import_id].status is ImportStatus.AWAITING_UPLOAD and world.runner.started == []


def test_a_chunk_counts_once_however_often_it_runs(world: World) -> None:
    import_id = world.create(customers("CUS-0001", "CUS-0002", "CUS-0003"))
    world.start(import_id)
    split = import_pipeline.split_import(import_id, jobs=world.jobs, files=world.files, currency="USD")
    assert (split.ok, split.records, split.chunks) == (True, 3, 2)
    first = world.load(import_id, 1)
    assert first.counts == ImportCounts(2, created=2)
    writes = len(world.records.transactions)
    assert world.load(import_id, 1) == first and len(world.records.transactions) == writes  # not loaded again
    # the marker was lost after the load (a crash): loading again answers unchanged, and the marker is put once
    del world.jobs.markers[(import_id, 1)]
    assert world.load(import_id, 1).counts == ImportCounts(2, unchanged=2)


def test_finish_needs_every_chunk_and_happens_once(world: World) -> None:
    import_id = world.create(customers("CUS-0001", "CUS-0002", "CUS-0003", "CUS-0001"))
    world.start(import_id)
    import_pipeline.split_import(import_id, jobs=world.jobs, files=world.files, currency="USD")
    world.load(import_id, 1)
    with pytest.raises(ImportIncompleteError) as missing:
        import_pipeline.finish_import(import_id, jobs=world.jobs, files=world.files, now=NOW)
    assert missing.value.details == {"missing": [2]}
    world.load(import_id, 2)
    done = import_pipeline.finish_import(import_id, jobs=world.jobs, files=world.files, now=NOW)
    assert done.status is ImportStatus.COMPLETED and done.counts == ImportCounts(4, created=3, rejected=1)
    assert done.error_report == f"imports/{import_id}/errors.csv"
    report = world.files.objects[done.error_report].decode("utf-8-sig").splitlines()
    assert report == ["line,source_id,field,code,message", "4,CUS-0001,customer_id,duplicate_in_file,"
                      "line 1 has the same customer_id; the first one counts"]  # fmt: skip
    assert import_pipeline.finish_import(import_id, jobs=world.jobs, files=world.files, now=NOW) == done
    assert [detail_type for detail_type, _ in world.jobs.events] == ["import.completed"]
    progress = imports.import_progress(import_id, visible_to=ACTOR, jobs=world.jobs, files=world.files, now=NOW)
    assert progress.chunks_done == 2 and progress.error_report is not None


def test_an_interrupted_import_resumes_where_it_stopped(world: World) -> None:
    import_id = world.create(customers("CUS-0001", "CUS-0002", "CUS-0003"))
    world.start(import_id)
    import_pipeline.split_import(import_id, jobs=world.jobs, files=world.files, currency="USD")
    world.load(import_id, 1)
    failed = import_pipeline.fail_import(
        import_id, code="RuntimeError", message="killed", jobs=world.jobs, now=NOW, interrupted=True
    )
    assert failed.resumable and failed.counts == ImportCounts(3, created=2)
    assert "start it again" in (failed.failure.message if failed.failure else "")
    resumed = world.start(import_id)
    assert (resumed.attempts, resumed.execution_name, resumed.failure) == (2, f"{import_id}-2", None)
    assert world.load(import_id, 1).counts == ImportCounts(2, created=2)  # skipped: its marker counts
    world.load(import_id, 2)
    done = import_pipeline.finish_import(import_id, jobs=world.jobs, files=world.files, now=NOW)
    assert done.counts == ImportCounts(3, created=3)
    assert [t for t, _ in world.jobs.events] == ["import.failed", "import.completed"]


def test_a_file_that_cannot_be_read_fails_for_good(world: World) -> None:
    import_id = world.create(customers("CUS-0001") + b"{broken\n")
    world.start(import_id)
    split = import_pipeline.split_import(import_id, jobs=world.jobs, files=world.files, currency="USD")
    assert not split.ok and split.failure is not None and split.failure.code == "malformed_line"
    assert not any("/chunks/" in key for key in world.files.objects) or split.chunks == 0
    failed = import_pipeline.fail_import(
        import_id, code=split.failure.code, message=split.failure.message, jobs=world.jobs, now=NOW
    )
    assert failed.status is ImportStatus.FAILED and not failed.resumable
    with pytest.raises(ImportAlreadyStartedError):
        world.start(import_id)
    again = import_pipeline.fail_import(import_id, code="other", message="x", jobs=world.jobs, now=NOW)
    assert again == failed and len(world.jobs.events) == 1
