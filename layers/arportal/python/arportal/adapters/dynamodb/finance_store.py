"""DynamoDB implementation of ``FinanceStore``: the finance console's payouts, deposits and reconciliation items
(``payout_items`` for the layout), and its two hand-made changes, each with its hash-chained audit record."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, payout_items
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.tables import OPEN_ITEMS
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.drawer_close import COUNTER_PROCESSOR
from arportal.domain.errors import ConflictError
from arportal.domain.models import AuditEvent
from arportal.ports import FinancePage, PayoutRecord, ReconciliationItem

_MAX_PAGES = 50  # a filtered page reads on until it has its items or this many index pages


class DynamoFinanceStore:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.trail = DynamoAuditTrail(audit_table_name)

    def payouts(self, since: date, until: date, *, limit: int, cursor: str | None) -> FinancePage:
        # the processors' payouts only: a drawer's counter deposit is a deposit, not a payout
        return self._listed(since, until, status=None, limit=limit, cursor=cursor, processors_only=True)

    def deposits(self, since: date, until: date, *, status: str | None, limit: int, cursor: str | None) -> FinancePage:
        return self._listed(since, until, status=status, limit=limit, cursor=cursor)

    def _listed(
        self,
        since: date,
        until: date,
        *,
        status: str | None,
        limit: int,
        cursor: str | None,
        processors_only: bool = False,
    ) -> FinancePage:
        request: dict[str, Any] = {
            "KeyConditionExpression": "OPK = :opk AND OSK BETWEEN :from AND :to",
            "ExpressionAttributeValues": {
                ":opk": {"S": payout_items.PAYOUTS},
                ":from": {"S": since.isoformat()},
                ":to": {"S": f"{until.isoformat()}#~"},
            },
            "ScanIndexForward": False,
        }
        filters = []
        if status:
            filters.append("deposit_status = :status")
            request["ExpressionAttributeValues"][":status"] = {"S": status}
        if processors_only:
            filters.append("processor <> :counter")
            request["ExpressionAttributeValues"][":counter"] = {"S": COUNTER_PROCESSOR}
        if filters:
            request["FilterExpression"] = " AND ".join(filters)
        items, last = self._page(request, payout_items.PAYOUTS, limit, cursor)
        return FinancePage([payout_items.payout_of(i) for i in items], payout_items.encode_cursor(last))

    def payout(self, payout_id: str) -> PayoutRecord | None:
        item = self._get(payout_items.payout_key(payout_id))
        return payout_items.payout_of(item) if item else None

    def confirm_deposit(self, payout_id: str, *, by: str, at: datetime, audit: AuditEvent) -> bool:
        uow = DynamoUnitOfWork(self.table)
        uow.update(
            payout_items.payout_key(payout_id),
            update_expression="SET deposit_status = :deposited, deposited_by = :by, deposited_at = :at",
            condition="deposit_status = :expected",
            values={":deposited": "deposited", ":by": by, ":at": at.isoformat(), ":expected": "expected"},
        )
        self.trail.append(uow, audit, head=self.trail.head(audit.entity_type, audit.entity_id))
        return _committed(uow, "confirm deposit")

    def confirm_from_bank(
        self, payout_id: str, *, line_key: str, booked_on: date, file_id: str, by: str, at: datetime, audit: AuditEvent
    ) -> bool:
        # Deposited by hand already: who confirmed it stands, only the bank line is added.
        uow = DynamoUnitOfWork(self.table)
        uow.update(
            payout_items.payout_key(payout_id),
            update_expression="SET deposit_status = :deposited, deposited_by = if_not_exists(deposited_by, :by), "
            "deposited_at = if_not_exists(deposited_at, :at), bank_line_key = :line, bank_booked_on = :booked, "
            "bank_file_id = :file",
            condition="attribute_exists(PK) AND attribute_not_exists(bank_line_key)",
            values={":deposited": "deposited", ":by": by, ":at": at.isoformat(), ":line": line_key,
                    ":booked": booked_on.isoformat(), ":file": file_id},
        )  # fmt: skip
        self.trail.append(uow, audit, head=self.trail.head(audit.entity_type, audit.entity_id))
        return _committed(uow, "confirm deposit from bank")

    def reconciliation_items(self, status: str, *, reason: str | None, limit: int, cursor: str | None) -> FinancePage:
        opk = payout_items.recon_opk(status)
        request: dict[str, Any] = {
            "KeyConditionExpression": "OPK = :opk",
            "ExpressionAttributeValues": {":opk": {"S": opk}},
            "ScanIndexForward": False,
        }
        if reason:
            request["FilterExpression"] = "#reason = :reason"
            request["ExpressionAttributeNames"] = {"#reason": "reason"}
            request["ExpressionAttributeValues"][":reason"] = {"S": reason}
        items, last = self._page(request, opk, limit, cursor)
        return FinancePage([payout_items.recon_of(i) for i in items], payout_items.encode_cursor(last))

    def reconciliation_item(self, item_id: str) -> ReconciliationItem | None:
        item = self._get(payout_items.recon_key(item_id))
        return payout_items.recon_of(item) if item else None

    def resolve_item(self, item_id: str, *, note: str, by: str, at: datetime, audit: AuditEvent) -> bool:
        found = self._get(payout_items.recon_key(item_id))
        if not found or found.get("status") != "open":
            return False
        uow = DynamoUnitOfWork(self.table)
        uow.update(
            payout_items.recon_key(item_id),
            update_expression="SET #status = :resolved, OPK = :opk, resolution = :note, resolved_by = :by, "
            "resolved_at = :at",
            condition="#status = :open",
            names={"#status": "status"},
            values={
                ":resolved": "resolved",
                ":opk": payout_items.recon_opk("resolved"),
                ":note": note,
                ":by": by,
                ":at": at.isoformat(),
                ":open": "open",
            },
        )
        self.trail.append(uow, audit, head=self.trail.head(audit.entity_type, audit.entity_id))
        return _committed(uow, "resolve reconciliation item")

    def _page(
        self, request: dict[str, Any], opk: str, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        request = {**request, "TableName": self.table, "IndexName": OPEN_ITEMS}
        start = payout_items.decode_cursor(cursor, opk)
        if start:
            request["ExclusiveStartKey"] = codec.serialize(start)
        items: list[dict[str, Any]] = []
        for _ in range(_MAX_PAGES):
            request["Limit"] = limit - len(items)
            with translated("finance list"):
                response = client("dynamodb").query(**request)
            items += [codec.deserialize(i) for i in response.get("Items", [])]
            last = response.get("LastEvaluatedKey")
            if not last or len(items) >= limit:
                return items, codec.deserialize(last) if last else None
            request["ExclusiveStartKey"] = last
        return items, codec.deserialize(request["ExclusiveStartKey"])

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        with translated("finance read"):
            item = (
                client("dynamodb")
                .get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
                .get("Item")
            )
        return codec.deserialize(item) if item else None


def _committed(uow: DynamoUnitOfWork, operation: str) -> bool:
    try:
        uow.commit(operation)
    except ConflictError:
        return False
    return True
