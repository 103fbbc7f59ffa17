"""DynamoDB implementation of ``arportal.ports.ImportJobStore`` (the ledger table, ``import_items``).

Every change of a job is conditioned on the status it was read in, so two starts cannot both run an import and a
re-run of the machine cannot finish an import twice; a chunk's marker is put only where there is none.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, import_items
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.outbox import outbox_item
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.errors import ConflictError
from arportal.domain.imports import ChunkOutcome, ImportJob, ImportStatus

_STATUS = {"#status": "status"}


class DynamoImportJobs:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def create(self, job: ImportJob) -> None:
        with translated("import job"):
            client("dynamodb").put_item(
                TableName=self.table,
                Item=codec.serialize(import_items.job_item(job)),
                ConditionExpression="attribute_not_exists(PK)",
            )

    def get(self, import_id: str) -> ImportJob | None:
        with translated("import job"):
            found = client("dynamodb").get_item(
                TableName=self.table, Key=codec.serialize(import_items.job_key(import_id)), ConsistentRead=True
            )
        item = found.get("Item")
        return import_items.job_from_item(codec.deserialize(item)) if item else None

    def claim_start(self, job: ImportJob, *, read: ImportJob) -> bool:
        try:
            with translated("import job"):
                client("dynamodb").put_item(
                    TableName=self.table,
                    Item=codec.serialize(import_items.job_item(job)),
                    ConditionExpression="#status = :status AND attempts = :attempts",
                    ExpressionAttributeNames=_STATUS,
                    ExpressionAttributeValues={
                        ":status": codec.value(read.status.value),
                        ":attempts": codec.value(read.attempts),
                    },
                )
        except ConflictError:
            return False
        return True

    def release_start(self, job: ImportJob, *, read: ImportJob) -> None:
        try:
            with translated("import job"):
                client("dynamodb").put_item(
                    TableName=self.table,
                    Item=codec.serialize(import_items.job_item(read)),
                    ConditionExpression="#status = :running AND attempts = :attempts",
                    ExpressionAttributeNames=_STATUS,
                    ExpressionAttributeValues={
                        ":running": codec.value(ImportStatus.RUNNING.value),
                        ":attempts": codec.value(job.attempts),
                    },
                )
        except ConflictError:
            pass  # the machine did start after all, and moved it on

    def record_split(self, import_id: str, *, records: int, chunks: int) -> None:
        with translated("import job"):
            client("dynamodb").update_item(
                TableName=self.table,
                Key=codec.serialize(import_items.job_key(import_id)),
                UpdateExpression="SET records = :records, chunks = :chunks",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues={":records": codec.value(records), ":chunks": codec.value(chunks)},
            )

    def put_chunk(self, import_id: str, outcome: ChunkOutcome, *, at: datetime) -> bool:
        try:
            with translated("import chunk"):
                client("dynamodb").put_item(
                    TableName=self.table,
                    Item=codec.serialize(import_items.chunk_item(import_id, outcome, at=at)),
                    ConditionExpression="attribute_not_exists(PK)",
                )
        except ConflictError:
            return False
        return True

    def chunk(self, import_id: str, chunk: int) -> ChunkOutcome | None:
        with translated("import chunk"):
            found = client("dynamodb").get_item(
                TableName=self.table, Key=codec.serialize(import_items.chunk_key(import_id, chunk)), ConsistentRead=True
            )
        item = found.get("Item")
        return import_items.chunk_from_item(codec.deserialize(item)) if item else None

    def chunks(self, import_id: str) -> list[ChunkOutcome]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :chunk)",
            "ExpressionAttributeValues": {
                ":pk": codec.value(import_items.import_pk(import_id)),
                ":chunk": codec.value(import_items.CHUNK),
            },
            "ProjectionExpression": "#chunk, #counts, error_rows",
            "ExpressionAttributeNames": {"#chunk": "chunk", "#counts": "counts"},
            "ConsistentRead": True,
        }
        found: list[ChunkOutcome] = []
        while True:
            with translated("import chunks"):
                response = client("dynamodb").query(**request)
            found += [import_items.chunk_from_item(codec.deserialize(raw)) for raw in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def finish(self, job: ImportJob, event: tuple[str, Mapping[str, Any]]) -> bool:
        unit = DynamoUnitOfWork(self.table)
        # One finish per run (conditioned on running at the attempt read), and each run (a resume too) has the next
        # attempt: the event's sequence (``ImportJob.event_entity``).
        unit.put_if(
            import_items.job_item(job),
            condition="#status = :running AND attempts = :attempts",
            names=_STATUS,
            values={":running": ImportStatus.RUNNING.value, ":attempts": job.attempts},
        )
        detail_type, detail = event
        at = job.finished_at or job.created_at
        unit.create(outbox_item(detail_type, dict(detail), at=at, entity=job.event_entity))
        try:
            unit.commit("import job")
        except ConflictError:
            return False
        return True
