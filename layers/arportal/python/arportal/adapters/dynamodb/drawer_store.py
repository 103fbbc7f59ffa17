"""DynamoDB implementation of ``DrawerStore`` (``drawer_items`` for the layout).

A close is one transaction where it fits (state on its version, close, deposit, a link per payment, audit). A
close of more payments than a transaction holds is written in three steps that can each be repeated: claim (the
state on its version, marked pending, and the close as pending), the links in chunks (each only if absent or
already this deposit's), then finish (close, deposit, state and audit in one transaction). A pending close is
finished by the next close of the drawer before anything else.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, drawer_items, entity_items, payment_items, payout_items, table_layout
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.payout_settlement import create_once
from arportal.adapters.dynamodb.tables import OPEN_ITEMS
from arportal.adapters.dynamodb.unit_of_work import MAX_ITEMS, DynamoUnitOfWork
from arportal.domain.drawer_close import DrawerClose
from arportal.domain.errors import ConflictError
from arportal.domain.models import AuditEvent, Payment
from arportal.ports import DrawerState, PayoutRecord, ReconciliationItem

_FIXED_ITEMS = 5  # state, close, deposit, audit record, audit head
_BATCH_GET = 100


class DynamoDrawerStore:
    def __init__(self, table_name: str, audit_table_name: str, *, max_transaction_items: int = MAX_ITEMS) -> None:
        self.table = table_name
        self.trail = DynamoAuditTrail(audit_table_name)
        self.max_items = max_transaction_items

    def state(self, terminal_id: str, drawer_id: str) -> DrawerState:
        item = self._get(drawer_items.state_key(terminal_id, drawer_id))
        if item is None:
            return DrawerState(version=0, last_close=None)
        return DrawerState(
            version=int(item["version"]),
            last_close=self.close_of_deposit(str(item["last_close"])) if item.get("last_close") else None,
            pending=self.close_of_deposit(str(item["pending"])) if item.get("pending") else None,
        )

    def drawer_payments(self, terminal_id: str, drawer_id: str, since: datetime, through: datetime) -> list[Payment]:
        # OSK starts with the payment's created_at (isoformat, UTC): one range over the drawer's own partition
        lo = since.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat()
        hi = through.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "~"
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": OPEN_ITEMS,
            "KeyConditionExpression": "OPK = :drawer AND OSK BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": codec.serialize(
                {":drawer": payment_items.drawer_pk(terminal_id, drawer_id), ":lo": lo, ":hi": hi}
            ),
        }
        payments: list[Payment] = []
        while True:
            with translated("drawer payments"):
                response = client("dynamodb").query(**request)
            payments += [entity_items.from_item(codec.deserialize(i), Payment) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return [p for p in payments if since <= p.created_at <= through]
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def deposited(self, payment_ids: list[str]) -> set[str]:
        found: set[str] = set()
        ids = list(dict.fromkeys(payment_ids))
        for start in range(0, len(ids), _BATCH_GET):
            keys: list[dict[str, Any]] = [
                codec.serialize(drawer_items.deposited_key(p)) for p in ids[start : start + _BATCH_GET]
            ]
            request: dict[str, Any] = {self.table: {"Keys": keys, "ProjectionExpression": "payment_id"}}
            while request:
                with translated("deposited payments"):
                    response = client("dynamodb").batch_get_item(RequestItems=request)
                found |= {str(codec.deserialize(i)["payment_id"]) for i in response["Responses"].get(self.table, [])}
                request = response.get("UnprocessedKeys") or {}
        return found

    def record_close(self, close: DrawerClose, deposit: PayoutRecord, audit: AuditEvent, *, version: int) -> bool:
        if _FIXED_ITEMS + len(close.payments) <= self.max_items:
            uow = DynamoUnitOfWork(self.table)
            self._put_state(uow, close, version=version, last_close=close.deposit_id, through=close.through.isoformat())
            uow.create(drawer_items.close_item(close))
            uow.create(payout_items.payout_item(deposit))
            for payment in close.payments:
                uow.create(drawer_items.link_item(close, payment))
            self.trail.append(uow, audit, head=self.trail.head(audit.entity_type, audit.entity_id))
            return _committed(uow, "close drawer")
        claim = DynamoUnitOfWork(self.table)
        previous = self._get(drawer_items.state_key(close.terminal_id, close.drawer_id)) or {}
        self._put_state(
            claim, close, version=version, last_close=previous.get("last_close"),
            through=previous.get("closed_through"), pending=close.deposit_id,
        )  # fmt: skip
        claim.create(drawer_items.close_item(_pending(close)))
        if not _committed(claim, "claim drawer close"):
            return False
        self.complete_close(close, deposit, audit)
        return True

    def complete_close(self, close: DrawerClose, deposit: PayoutRecord, audit: AuditEvent) -> None:
        stored = self._get(drawer_items.close_key(close.deposit_id))
        if stored is None or stored.get("status") != "pending":
            return
        chunk = max(self.max_items, 1)
        for start in range(0, len(close.payments), chunk):
            links = DynamoUnitOfWork(self.table)
            for payment in close.payments[start : start + chunk]:
                links.put_if(
                    drawer_items.link_item(close, payment),
                    condition="attribute_not_exists(PK) OR deposit_id = :deposit",
                    values={":deposit": close.deposit_id},
                )
            links.commit("link deposited payments")  # a payment in another deposit: ConflictError, close stays pending
        finish = DynamoUnitOfWork(self.table)
        finish.update(
            drawer_items.close_key(close.deposit_id),
            update_expression="SET #status = :closed",
            condition="#status = :pending",
            names={"#status": "status"},
            values={":closed": "closed", ":pending": "pending"},
        )
        finish.create(payout_items.payout_item(deposit))
        finish.update(
            drawer_items.state_key(close.terminal_id, close.drawer_id),
            update_expression="SET last_close = :deposit, closed_through = :through, version = version + :one "
            "REMOVE pending",
            condition="pending = :deposit",
            values={":deposit": close.deposit_id, ":through": close.through.isoformat(), ":one": 1},
        )
        self.trail.append(finish, audit, head=self.trail.head(audit.entity_type, audit.entity_id))
        _committed(finish, "finish drawer close")  # lost: another caller finished it first

    def close_of_deposit(self, deposit_id: str) -> DrawerClose | None:
        item = self._get(drawer_items.close_key(deposit_id))
        return drawer_items.close_of(table_layout.plain(item)) if item else None

    def open_item(self, item: ReconciliationItem) -> bool:
        return create_once(self.table, payout_items.recon_item(item), "open reconciliation item")

    def _put_state(
        self,
        uow: DynamoUnitOfWork,
        close: DrawerClose,
        *,
        version: int,
        last_close: str | None,
        through: str | None,
        pending: str | None = None,
    ) -> None:
        item = drawer_items.state_item(
            close.terminal_id, close.drawer_id, version=version + 1, last_close=last_close, closed_through=through,
            pending=pending,
        )  # fmt: skip
        if version == 0:
            uow.put_if(item, condition="attribute_not_exists(PK)")
        else:
            uow.put_if(item, condition="version = :version", values={":version": version})

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        with translated("drawer read"):
            item = (
                client("dynamodb")
                .get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
                .get("Item")
            )
        return codec.deserialize(item) if item else None


def _pending(close: DrawerClose) -> DrawerClose:
    return replace(close, status="pending")


def _committed(uow: DynamoUnitOfWork, operation: str) -> bool:
    try:
        uow.commit(operation)
    except ConflictError:
        return False
    return True
