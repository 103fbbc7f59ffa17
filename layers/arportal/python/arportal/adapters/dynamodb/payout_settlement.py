"""DynamoDB implementation of ``PayoutSettlementStore``: settlement from the processor's payouts.

Settling a payment is one transaction (``settle``):
  payment (update: conditioned on the version read and its status still posted or partially_refunded)
  payout line ``PAYOUT#<id> / LINE#<txn>`` (create), outbox ``payment.settled`` (create),
  the payment's next hash-chained audit record (head conditioned on the seq read)
Every other write is a create conditioned on the item's absence, so a rerun writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, payment_items, payout_items
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.outbox import outbox_item
from arportal.adapters.dynamodb.payment_changes import external_key_hits
from arportal.adapters.dynamodb.settlement_store import DynamoSettlementStore
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain import event_entities
from arportal.domain.errors import ConflictError
from arportal.domain.models import AuditEvent, Payment
from arportal.domain.search import SearchKind
from arportal.domain.status import PaymentStatus
from arportal.ports import PayoutLine, PayoutRecord, ReconciliationItem


def owner_pk(customer_id: str | None) -> str:
    return customer_items.customer_pk(customer_id) if customer_id else "GUEST"


def create_once(table: str, item: dict[str, Any], operation: str) -> bool:
    try:
        with translated(operation):
            client("dynamodb").put_item(
                TableName=table, Item=codec.serialize(item), ConditionExpression="attribute_not_exists(PK)"
            )
    except ConflictError:
        return False
    return True


class DynamoPayoutSettlement:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.trail = DynamoAuditTrail(audit_table_name)
        self._day_reads = DynamoSettlementStore(table_name)

    def cursor(self) -> date | None:
        item = self._get(payout_items.CURSOR_KEY, "settlement cursor")
        return date.fromisoformat(str(item["through"])) if item else None

    def move_cursor(self, through: date, *, at: datetime) -> None:
        item = {**payout_items.CURSOR_KEY, "type": "settlement_cursor", "through": through.isoformat(),
                "moved_at": at.isoformat()}  # fmt: skip
        try:
            with translated("settlement cursor"):
                client("dynamodb").put_item(
                    TableName=self.table,
                    Item=codec.serialize(item),
                    # Never backwards: a late rerun of an older day leaves a newer cursor where it is.
                    ConditionExpression="attribute_not_exists(PK) OR #through <= :through",
                    ExpressionAttributeNames={"#through": "through"},
                    ExpressionAttributeValues={":through": {"S": through.isoformat()}},
                )
        except ConflictError:
            return

    def payment_for_transaction(self, transaction_id: str) -> Payment | None:
        return self.payments_for_transactions([transaction_id]).get(transaction_id)

    def payments_for_transactions(self, transaction_ids: Iterable[str]) -> dict[str, Payment]:
        """The ``TXNREF#`` items, 100 to a BatchGetItem, then the payments the same way; a payment posted before
        those items existed is found by its ``TXN#`` pointer (one index query each)."""
        wanted = sorted(set(transaction_ids))
        refs = {
            str(r["transaction_id"]): r for r in self._get_many([payment_items.transaction_ref_key(t) for t in wanted])
        }
        for transaction_id in wanted:
            if transaction_id not in refs:
                hits = external_key_hits(
                    self.table, SearchKind.TRANSACTION_ID, transaction_id, operation="find transaction"
                )
                for hit in hits:
                    if hit.get("transaction_id") == transaction_id and hit.get("payment_id"):
                        customer = customer_items.customer_id_from_pk(str(hit["PK"]))
                        refs[transaction_id] = {**hit, "customer_id": customer}
        keys = {
            t: {"PK": owner_pk(r.get("customer_id")), "SK": payment_items.payment_sk(str(r["payment_id"]))}
            for t, r in refs.items()
        }
        found = {
            (i["PK"], i["SK"]): i for i in self._get_many(list({(k["PK"], k["SK"]): k for k in keys.values()}.values()))
        }
        return {
            t: entity_items.from_item(found[(k["PK"], k["SK"])], Payment)
            for t, k in keys.items()
            if (k["PK"], k["SK"]) in found
        }

    def _get_many(self, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), 100):
            pending: dict[str, Any] = {
                self.table: {"Keys": [codec.serialize(k) for k in keys[start : start + 100]], "ConsistentRead": True}
            }
            while pending:
                with translated("read payments of a payout"):
                    response = client("dynamodb").batch_get_item(RequestItems=pending)
                found += [codec.deserialize(i) for i in response.get("Responses", {}).get(self.table, [])]
                pending = response.get("UnprocessedKeys") or {}
        return found

    def settle(self, before: Payment, after: Payment, line: PayoutLine, audit: AuditEvent) -> bool:
        uow = DynamoUnitOfWork(self.table)
        uow.update(
            {"PK": owner_pk(after.customer_id), "SK": payment_items.payment_sk(after.payment_id)},
            update_expression="SET #status = :status, #history = :history, version = :next, settled_at = :settled, "
            "payout_id = :payout, paid_out_on = :on, processor_fee = :fee",
            condition="#status = :expected AND version = :version",
            names={"#status": "status", "#history": "history"},
            values={
                ":status": after.status.value,
                ":history": [h.model_dump(mode="json", exclude_none=True) for h in after.history],
                ":next": after.version,
                ":settled": after.settled_at.isoformat() if after.settled_at else None,
                ":payout": after.payout_id,
                ":on": after.paid_out_on.isoformat() if after.paid_out_on else None,
                ":fee": after.processor_fee,
                ":expected": before.status.value,
                ":version": before.version,
            },
        )
        uow.create(payout_items.line_item(line, at=audit.at))
        uow.create(
            outbox_item("payment.settled", settled_detail(after), at=audit.at, entity=event_entities.of_payment(after))
        )
        self.trail.append(uow, audit, head=self.trail.head(audit.entity_type, audit.entity_id))
        try:
            uow.commit("settle payment")
        except ConflictError:
            return False
        return True

    def record_line(self, line: PayoutLine, *, at: datetime) -> bool:
        return create_once(self.table, payout_items.line_item(line, at=at), "record payout line")

    def open_item(self, item: ReconciliationItem) -> bool:
        return create_once(self.table, payout_items.recon_item(item), "open reconciliation item")

    def put_chunk_marker(self, run: str, key: str, counts: dict[str, list[int]], *, at: datetime) -> None:
        marker = {
            **payout_items.chunk_marker_key(run, key),
            "type": "settlement_chunk",
            "counts": counts,
            "at": at.isoformat(),
            "expires_at": int(at.timestamp()) + 30 * 86_400,
        }
        create_once(self.table, marker, "settlement chunk marker")

    def chunk_markers(self, run: str) -> list[dict[str, list[int]]]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :chunk)",
            "ExpressionAttributeValues": {":pk": {"S": f"SETTLEMENT#{run}"}, ":chunk": {"S": "CHUNK#"}},
            "ConsistentRead": True,
        }
        found: list[dict[str, list[int]]] = []
        while True:
            with translated("settlement chunk markers"):
                response = client("dynamodb").query(**request)
            found += [dict(codec.deserialize(i)["counts"]) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def record_payout(self, payout: PayoutRecord) -> bool:
        return create_once(self.table, payout_items.payout_item(payout), "record payout")

    def unsettled_payments(self, day: date) -> list[Payment]:
        return self._day_reads.posted_payments(day, limit=1_000_000)

    def _get(self, key: dict[str, str], operation: str) -> dict[str, Any] | None:
        with translated(operation):
            item = (
                client("dynamodb")
                .get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
                .get("Item")
            )
        return codec.deserialize(item) if item else None


def settled_detail(p: Payment) -> dict[str, Any]:
    return {
        "payment_id": p.payment_id,
        "customer_id": p.customer_id,
        "amount": p.amount,
        "currency": p.currency,
        "method": p.method.type.value,
        "channel": p.channel.value,
        "posted_at": (p.changed_at(PaymentStatus.POSTED) or p.created_at).isoformat(),
        "settled_at": p.settled_at.isoformat() if p.settled_at else None,
        "payout_id": p.payout_id,
        "paid_out_on": p.paid_out_on.isoformat() if p.paid_out_on else None,
        "processor_fee": p.processor_fee,
    }
