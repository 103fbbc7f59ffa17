"""The unmatched queue's reads and decisions (``ports.BankLineQueue``) on the bank lines the import stored
(``bank_line_items``: ``BANKLINE#<line_key>`` / ``LINE``, OpenItems ``BANKLINES#<status>``).

A decision is one conditional write with its hash-chained audit record (entity ``bank_line``): the line moves to
``decided`` (OpenItems ``BANKLINES#decided``) with ``decision`` = {action, by, at, ...}, only if it is in the queue
(suggested or unmatched) and carries no decision yet, so a second decision finds the first. What applying it did
is recorded after, like the import's own (``applied``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import bank_line_items, codec
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.tables import OPEN_ITEMS
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.errors import BusinessRuleError, ConflictError
from arportal.domain.models import AuditEvent
from arportal.ports import BankLinePage, BankLineRecord

QUEUED = ("suggested", "unmatched")
DECIDED = "decided"


class InvalidCursorError(BusinessRuleError):
    code = "invalid_cursor"


class DynamoBankLineDecisions:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.trail = DynamoAuditTrail(audit_table_name)

    def lines(self, status: str, *, limit: int, cursor: str | None) -> BankLinePage:
        opk = bank_line_items.queue_partition(status)
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": OPEN_ITEMS, "KeyConditionExpression": "OPK = :opk",
            "ExpressionAttributeValues": {":opk": {"S": opk}}, "ScanIndexForward": False, "Limit": limit,
        }  # fmt: skip
        start = _decoded(cursor, opk)
        if start:
            request["ExclusiveStartKey"] = codec.serialize(start)
        with translated("list bank lines"):
            response = client("dynamodb").query(**request)
        lines = [_record(codec.deserialize(i)) for i in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return BankLinePage(lines, _encoded(codec.deserialize(last)) if last else None)

    def line(self, line_key: str) -> BankLineRecord | None:
        with translated("read bank line"):
            found = client("dynamodb").get_item(
                TableName=self.table, Key=codec.serialize(bank_line_items.line_key(line_key)), ConsistentRead=True
            )
        return _record(codec.deserialize(found["Item"])) if "Item" in found else None

    def decide(
        self, line_key: str, *, decision: Mapping[str, Any], applied: Mapping[str, Any] | None, audit: AuditEvent
    ) -> bool:
        stored = self.line(line_key)
        if stored is None:
            return False
        queue = bank_line_items.queue_attributes(stored.stored.line, DECIDED)
        uow = DynamoUnitOfWork(self.table)
        uow.update(
            bank_line_items.line_key(line_key),
            update_expression="SET #status = :decided, decision = :decision, OPK = :opk, OSK = :osk, "
            "decided_at = :at",
            # a matched line only when applying it was refused (the service checks what it read)
            condition="attribute_not_exists(decision) AND (#status IN (:suggested, :unmatched) OR "
            "(#status = :matched AND applied.outcome = :refused))",
            names={"#status": "status"},
            values={
                ":decided": DECIDED, ":decision": _plain(decision), ":opk": queue["OPK"], ":osk": queue["OSK"],
                ":at": audit.at.isoformat(), ":suggested": QUEUED[0], ":unmatched": QUEUED[1],
                ":matched": "matched", ":refused": "refused",
            },
        )  # fmt: skip
        self.trail.append(uow, audit, head=self.trail.head(audit.entity_type, audit.entity_id))
        try:
            uow.commit("decide a bank line")
        except ConflictError:
            return False
        return True

    def record_applied(self, line_key: str, applied: Mapping[str, Any], *, at: datetime) -> None:
        with translated("record an applied bank line"):
            client("dynamodb").update_item(
                TableName=self.table,
                Key=codec.serialize(bank_line_items.line_key(line_key)),
                UpdateExpression="SET applied = :applied, applied_at = :at",
                ExpressionAttributeValues=codec.serialize({":applied": _plain(applied), ":at": at.isoformat()}),
            )


def _record(item: dict[str, Any]) -> BankLineRecord:
    decision = item.get("decision")
    return BankLineRecord(bank_line_items.stored_line_from_item(item), _plain(decision) if decision else None)


def _plain(value: Any) -> Any:
    """JSON's shapes: DynamoDB's Decimals back to int (only integers are stored here)."""
    return json.loads(json.dumps(value, default=int))


def _encoded(last: dict[str, Any]) -> str:
    raw = json.dumps({k: str(last[k]) for k in ("PK", "SK", "OPK", "OSK")}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decoded(cursor: str | None, opk: str) -> dict[str, str] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursorError("cursor is not one this list handed out") from None
    if not isinstance(key, dict) or key.get("OPK") != opk or not str(key.get("PK", "")).startswith("BANKLINE#"):
        raise InvalidCursorError("cursor is not one this list handed out")
    return {k: str(key[k]) for k in ("PK", "SK", "OPK", "OSK")}
