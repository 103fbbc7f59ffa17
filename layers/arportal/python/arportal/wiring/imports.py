"""What bulk imports use, each built once per container from the settings: the job store (ledger table), the import
bucket, and the import machine; and the import use cases wired to them, for the three callers: the integration API
(``functions/integration_api/routes/imports.py``), the console (``functions/staff_api/routes/imports.py``) and the
machine's tasks (``functions/workflow_tasks/source_import.py``).

A chunk loads through the same batch service, store and settings as ``POST /v1/integrations/<kind>:batch``
(``wiring/integrations.py``), so a record loaded from a file and one sent in a request are decided alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal import clock
from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.import_jobs import DynamoImportJobs
    from arportal.adapters.s3_imports import S3ImportFiles
    from arportal.adapters.stepfunctions import StepFunctionsImports
    from arportal.domain.imports import ChunkOutcome, ImportFormat, ImportJob, ImportKind
    from arportal.services.import_pipeline import SplitResult
    from arportal.services.imports import ImportProgress, NewImport


@built_once
def import_jobs() -> DynamoImportJobs:
    from arportal.adapters.dynamodb.import_jobs import DynamoImportJobs

    return DynamoImportJobs(settings().ledger_table)


@built_once
def import_files() -> S3ImportFiles:
    from arportal.adapters.s3_imports import S3ImportFiles

    return S3ImportFiles(settings().import_bucket)


@built_once
def import_runner() -> StepFunctionsImports:
    from arportal.adapters.stepfunctions import StepFunctionsImports

    return StepFunctionsImports(settings().source_import_state_machine)


# --- the callers' use cases -------------------------------------------------------------------------------------


def create(kind: ImportKind, file_format: ImportFormat, *, dry_run: bool, actor: str, channel: str) -> NewImport:
    from arportal.services.imports import create_import

    return create_import(
        kind,
        file_format,
        dry_run=dry_run,
        actor=actor,
        channel=channel,
        jobs=import_jobs(),
        files=import_files(),
        now=clock.now(),
    )


def start(import_id: str, *, visible_to: str | None) -> ImportJob:
    from arportal.services.imports import start_import

    return start_import(
        import_id,
        visible_to=visible_to,
        jobs=import_jobs(),
        files=import_files(),
        runner=import_runner(),
        max_concurrency=settings().import_max_concurrency,
        now=clock.now(),
    )


def progress(import_id: str, *, visible_to: str | None) -> ImportProgress:
    from arportal.services.imports import import_progress

    return import_progress(import_id, visible_to=visible_to, jobs=import_jobs(), files=import_files(), now=clock.now())


# --- the machine's tasks ----------------------------------------------------------------------------------------


def split(import_id: str) -> SplitResult:
    from arportal.services.import_pipeline import split_import

    return split_import(import_id, jobs=import_jobs(), files=import_files(), currency=settings().currency)


def load_chunk(import_id: str, key: str) -> ChunkOutcome:
    from arportal.domain.upserts import LoweredAmount
    from arportal.services import import_pipeline
    from arportal.services.source_loads import LoadSettings
    from arportal.wiring import integrations, stores

    s = settings()
    return import_pipeline.load_chunk(
        import_id,
        key,
        jobs=import_jobs(),
        files=import_files(),
        store=integrations.source_records(),
        documents=stores.document_files(),
        settings=LoadSettings(s.currency, LoweredAmount(s.integration_lowered_amount)),
        now=clock.now(),
    )


def finish(import_id: str) -> ImportJob:
    from arportal.services.import_pipeline import finish_import

    return finish_import(import_id, jobs=import_jobs(), files=import_files(), now=clock.now())


def fail(import_id: str, *, code: str, message: str, interrupted: bool) -> ImportJob:
    from arportal.services.import_pipeline import fail_import

    return fail_import(
        import_id, code=code, message=message, jobs=import_jobs(), now=clock.now(), interrupted=interrupted
    )
