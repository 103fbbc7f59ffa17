"""The bank-file store (``arportal.ports.BankFileStore``): file records and bank lines in the ledger table
(``bank_file_items``, ``bank_line_items``) and refusals in the audit table. Every claim is a conditional write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import bank_file_items, bank_line_items, codec
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.outbox import audit_item
from arportal.adapters.dynamodb.tables import BY_ACTIVITY_DAY
from arportal.domain.bank_matches import LineMatch
from arportal.domain.bank_statements import BankLine
from arportal.domain.errors import ConflictError
from arportal.domain.models import AuditEvent
from arportal.ports.bank_files import IMPORTED, RECEIVED, BankFileCounts, BankFilePage, BankFileRecord, StoredLine


class DynamoBankFileStore:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.audit_table = audit_table_name

    # --- files ---------------------------------------------------------------------------------------------

    def file(self, file_id: str) -> BankFileRecord | None:
        item = self._get(bank_file_items.file_key(file_id), "read bank file")
        return bank_file_items.file_from_item(item) if item else None

    def claim_file(self, record: BankFileRecord) -> BankFileRecord | None:
        try:
            self._put(bank_file_items.file_item(record), "attribute_not_exists(PK)", {}, "record bank file")
        except ConflictError:
            return self.file(record.file_id)
        return None

    def finish_file(self, file_id: str, counts: BankFileCounts, *, at: datetime) -> None:
        with translated("finish bank file"):
            client("dynamodb").update_item(
                TableName=self.table,
                Key=codec.serialize(bank_file_items.file_key(file_id)),
                UpdateExpression="SET #status = :done, counts = :counts, imported_at = :at",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=codec.serialize(
                    {":done": IMPORTED, ":counts": counts.as_dict(), ":at": at.isoformat()}
                ),
            )

    def files(self, *, limit: int, cursor: str | None) -> BankFilePage:
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": BY_ACTIVITY_DAY,
            "KeyConditionExpression": "DAYPK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": bank_file_items.FILES_PARTITION}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = codec.serialize(bank_file_items.decode_cursor(cursor))
        with translated("list bank files"):
            response = client("dynamodb").query(**request)
        items = [bank_file_items.file_from_item(codec.deserialize(i)) for i in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return BankFilePage(items, bank_file_items.encode_cursor(codec.deserialize(last)) if last else None)

    def record_refusal(self, event: AuditEvent) -> None:
        with translated("audit a refused bank file"):
            client("dynamodb").put_item(TableName=self.audit_table, Item=codec.serialize(audit_item(event)))

    # --- lines ---------------------------------------------------------------------------------------------

    def receive_line(self, line: BankLine, *, file_id: str, account_id: str, at: datetime) -> StoredLine | None:
        item = bank_line_items.line_item(line, file_id=file_id, account_id=account_id, status=RECEIVED, at=at)
        try:
            self._put(item, "attribute_not_exists(PK)", {}, "store bank line")
        except ConflictError:
            stored = self.line(line.line_key)
            if stored is None:  # cannot be: lines are never deleted
                raise
            return stored
        return None

    def mention_line(self, line_key: str, *, file_id: str) -> None:
        with translated("note a bank line seen again"):
            client("dynamodb").put_item(
                TableName=self.table, Item=codec.serialize(bank_line_items.mention_item(line_key, file_id))
            )

    def decide_line(self, line_key: str, *, file_id: str, status: str, match: LineMatch, at: datetime) -> bool:
        stored = self.line(line_key)
        if stored is None:
            return False
        queue = bank_line_items.queue_attributes(stored.line, status)
        try:
            with translated("decide bank line"):
                client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize(bank_line_items.line_key(line_key)),
                    UpdateExpression="SET #status = :status, #match = :match, OPK = :opk, OSK = :osk, matched_at = :at",
                    ConditionExpression="#status = :received AND file_id = :file",
                    ExpressionAttributeNames={"#status": "status", "#match": "match"},
                    ExpressionAttributeValues=codec.serialize(
                        {
                            ":status": status,
                            ":match": bank_line_items.match_to_map(match),
                            ":opk": queue["OPK"],
                            ":osk": queue["OSK"],
                            ":at": at.isoformat(),
                            ":received": RECEIVED,
                            ":file": file_id,
                        }
                    ),
                )
        except ConflictError:
            return False
        return True

    def line_applied(self, line_key: str, applied: dict[str, Any], *, at: datetime) -> None:
        with translated("record an applied bank line"):
            client("dynamodb").update_item(
                TableName=self.table,
                Key=codec.serialize(bank_line_items.line_key(line_key)),
                UpdateExpression="SET applied = :applied, applied_at = :at",
                ExpressionAttributeValues=codec.serialize({":applied": applied, ":at": at.isoformat()}),
            )

    def line(self, line_key: str) -> StoredLine | None:
        item = self._get(bank_line_items.line_key(line_key), "read bank line")
        return bank_line_items.stored_line_from_item(item) if item else None

    def lines_of(self, file_id: str) -> list[StoredLine]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": BY_ACTIVITY_DAY,
            "KeyConditionExpression": "DAYPK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": bank_line_items.file_lines_partition(file_id)}},
        }
        found: list[StoredLine] = []
        while True:
            with translated("read a bank file's lines"):
                response = client("dynamodb").query(**request)
            for raw in response["Items"]:
                item = codec.deserialize(raw)
                if item.get("type") == "bank_line":
                    found.append(bank_line_items.stored_line_from_item(item))
                elif (earlier := self.line(str(item["line_key"]))) is not None:
                    found.append(earlier)
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # --- plumbing -----------------------------------------------------------------------------------------

    def _get(self, key: dict[str, str], operation: str) -> dict[str, Any] | None:
        with translated(operation):
            response = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
        item = response.get("Item")
        return codec.deserialize(item) if item else None

    def _put(self, item: dict[str, Any], condition: str, values: dict[str, Any], operation: str) -> None:
        request: dict[str, Any] = {
            "TableName": self.table,
            "Item": codec.serialize(item),
            "ConditionExpression": condition,
        }
        if values:
            request["ExpressionAttributeValues"] = codec.serialize(values)
        with translated(operation):
            client("dynamodb").put_item(**request)
