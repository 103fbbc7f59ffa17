"""The audit trail in its own table: append-only, one hash chain per entity (see ``domain/audit_chain.py``).

Items: ``PK = <ENTITY>#<id>``, ``SK = SEQ#<10-digit seq>`` for records and ``SK = HEAD`` for the chain head.
A record is appended inside the caller's unit of work, so it commits with the change it describes or not at all;
the head is put conditioned on the seq it extends, so concurrent appends cannot fork the chain (one fails and
its whole transaction is retried). The table's IAM policy allows reads and puts only: nothing updates or deletes.
"""

from __future__ import annotations

from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, table_layout
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.audit_chain import GENESIS, Head, Verification, link, verify
from arportal.domain.models import AuditEvent

HEAD = "HEAD"
MAX_RECORDS_VERIFIED = 10_000


def entity_pk(entity_type: str, entity_id: str) -> str:
    return f"{entity_type.upper()}#{entity_id}"


def record_sk(seq: int) -> str:
    return f"SEQ#{seq:010d}"


def chained_records(event: AuditEvent, head: Head | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record item and the new head item for appending ``event`` after ``head`` (None: a new chain)."""
    seq = (head.seq if head else 0) + 1
    pk = entity_pk(event.entity_type, event.entity_id)
    body = {"PK": pk, "SK": record_sk(seq), "ACTOR": event.actor, **event.model_dump(mode="json", exclude_none=True)}
    record = link(body, seq=seq, prev_hash=head.hash if head else GENESIS)
    head_item = {"PK": pk, "SK": HEAD, "seq": seq, "hash": record["hash"], "at": event.at.isoformat()}
    return record, head_item


class DynamoAuditTrail:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def head(self, entity_type: str, entity_id: str) -> Head | None:
        with translated("read audit head"):
            response = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize({"PK": entity_pk(entity_type, entity_id), "SK": HEAD}),
                ConsistentRead=True,
            )
        item = response.get("Item")
        if not item:
            return None
        head = codec.deserialize(item)
        return Head(int(head["seq"]), str(head["hash"]))

    def append(self, uow: DynamoUnitOfWork, event: AuditEvent, *, head: Head | None) -> None:
        """Queue the record and the head move in ``uow``; ``head`` is what the caller read (None: new entity)."""
        record, head_item = chained_records(event, head)
        uow.create(record, table=self.table)
        if head is None:
            uow.put_if(head_item, condition="attribute_not_exists(PK)", table=self.table)
        else:
            uow.put_if(head_item, condition="seq = :expected", values={":expected": head.seq}, table=self.table)

    def history(self, entity_type: str, entity_id: str, *, limit: int = 100) -> list[dict[str, Any]]:
        """The entity's records, oldest first, at most ``limit``."""
        return self._records(entity_type, entity_id, limit=limit)

    def verify(self, entity_type: str, entity_id: str) -> Verification:
        records = self._records(entity_type, entity_id, limit=MAX_RECORDS_VERIFIED)
        return verify(records, self.head(entity_type, entity_id))

    def _records(self, entity_type: str, entity_id: str, *, limit: int) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :seq)",
            "ExpressionAttributeValues": {":pk": {"S": entity_pk(entity_type, entity_id)}, ":seq": {"S": "SEQ#"}},
            "ConsistentRead": True,
        }
        found: list[dict[str, Any]] = []
        while len(found) < limit:
            request["Limit"] = min(1000, limit - len(found))
            with translated("read audit trail"):
                response = client("dynamodb").query(**request)
            found.extend(table_layout.plain(codec.deserialize(i)) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return found
