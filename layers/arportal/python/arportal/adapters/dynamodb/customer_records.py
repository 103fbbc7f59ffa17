"""DynamoDB implementation of the read ports and of bulk loading.

Round trips are part of the contract (ARCHITECTURE "Budgets"): ``snapshot`` is two queries (unread notices
come with the live items of the first), ``lookup`` is one query, ``customers`` one batch read. Tests count them
with a botocore event hook.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, payment_items, search_items, table_layout
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.tables import BY_EXTERNAL_KEY, BY_NAME, OPEN_ITEMS
from arportal.domain.models import Account, CreditNote, Customer, Document, Invoice, Payment, Schedule
from arportal.domain.search import SearchKind
from arportal.ports import CustomerSnapshot, LookupHit

_ENTITY_ID_FIELD = {
    "customer": "customer_id",
    "account": "account_number",
    "invoice": "invoice_id",
    "payment": "payment_id",
    "receipt": "receipt_number",
    "transaction": "payment_id",
}
_BATCH_WRITE = 25
_BATCH_GET = 100


class DynamoCustomerRecords:
    """Reads and bulk writes of the ledger table. Money-moving writes go through a unit of work."""

    def __init__(self, table_name: str) -> None:
        self.table = table_name

    # --- customers -------------------------------------------------------------------------------------

    def get(self, customer_id: str) -> Customer | None:
        with translated("get customer"):
            response = client("dynamodb").get_item(
                TableName=self.table, Key=codec.serialize(customer_items.profile_key(customer_id))
            )
        item = response.get("Item")
        return entity_items.from_item(codec.deserialize(item), Customer) if item else None

    def snapshot(self, customer_id: str, *, recent_payments: int = 5) -> CustomerSnapshot | None:
        live = self._open_items(customer_id)
        profile = next((r for r in live if isinstance(r, Customer)), None)
        if profile is None:
            return None
        with translated("recent payments"):
            response = client("dynamodb").query(
                TableName=self.table,
                KeyConditionExpression="PK = :pk AND begins_with(SK, :pay)",
                ExpressionAttributeValues={
                    ":pk": {"S": customer_items.customer_pk(customer_id)},
                    ":pay": {"S": "PAY#"},
                },
                ScanIndexForward=False,  # payment ids sort by time: newest first
                Limit=recent_payments,
            )
        payments = [entity_items.from_item(codec.deserialize(i), Payment) for i in response.get("Items", [])]
        return CustomerSnapshot(
            customer=profile,
            accounts=[r for r in live if isinstance(r, Account)],
            open_invoices=[r for r in live if isinstance(r, Invoice)],
            credit_notes=[r for r in live if isinstance(r, CreditNote)],
            schedules=[r for r in live if isinstance(r, Schedule)],
            recent_payments=payments,
            unread_notices=[r for r in live if isinstance(r, Document) and r.unread_notice],
        )

    def _open_items(self, customer_id: str) -> list[entity_items.Record]:
        records: list[entity_items.Record] = []
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": OPEN_ITEMS,
            "KeyConditionExpression": "OPK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": customer_items.customer_pk(customer_id)}},
        }
        while True:  # to the end: a balance summed over part of the open items would be wrong without a word
            with translated("open items"):
                response = client("dynamodb").query(**request)
            for raw in response.get("Items", []):
                record = entity_items.entity_of(codec.deserialize(raw))
                if record is not None:
                    records.append(record)
            if "LastEvaluatedKey" not in response:
                return records
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # --- lookup ----------------------------------------------------------------------------------------

    def lookup(self, kind: SearchKind | None, value: str, *, limit: int = 10) -> list[LookupHit]:
        """Every record whose external key is ``value`` (of ``kind``, when given): one query."""
        if kind is SearchKind.NAME:
            return self._by_name(value, limit=limit)
        condition = "XK = :xk"
        values: dict[str, Any] = {":xk": {"S": table_layout.external_key(value)}}
        if kind is not None:
            condition += " AND XSK = :kind"
            values[":kind"] = {"S": kind.value}
        with translated("lookup"):
            response = client("dynamodb").query(
                TableName=self.table,
                IndexName=BY_EXTERNAL_KEY,
                KeyConditionExpression=condition,
                ExpressionAttributeValues=values,
                Limit=limit,
            )
        return [self._hit(codec.deserialize(raw)) for raw in response.get("Items", [])]

    def _by_name(self, text: str, *, limit: int) -> list[LookupHit]:
        prefix = search_items.normalise_name(text)
        if not prefix:
            return []
        with translated("name search"):
            response = client("dynamodb").query(
                TableName=self.table,
                IndexName=BY_NAME,
                KeyConditionExpression="NPK = :p AND begins_with(NSK, :prefix)",
                ExpressionAttributeValues={":p": {"S": search_items.name_partition(text)}, ":prefix": {"S": prefix}},
                Limit=limit,
            )
        return [self._hit(codec.deserialize(raw), SearchKind.NAME) for raw in response.get("Items", [])]

    @staticmethod
    def _hit(item: dict[str, Any], kind: SearchKind | None = None) -> LookupHit:
        entity_type = str(item.get("type"))
        body = {k: table_layout.plain(v) for k, v in item.items() if k not in table_layout.KEY_ATTRIBUTES}
        return LookupHit(
            kind=kind or SearchKind(str(item["XSK"])),
            entity_type=entity_type,
            entity_id=str(body.get(_ENTITY_ID_FIELD.get(entity_type, ""), item["SK"])),
            customer_id=customer_items.customer_id_from_pk(str(item["PK"])),
            entity=body,
        )

    def get_many(self, keys_: Sequence[dict[str, str]]) -> list[dict[str, Any]]:
        """Items by primary key in one BatchGetItem per 100 keys (unprocessed keys are retried)."""
        unique = list({(k["PK"], k["SK"]): k for k in keys_}.values())
        found: list[dict[str, Any]] = []
        for start in range(0, len(unique), _BATCH_GET):
            pending: dict[str, Any] = {
                self.table: {"Keys": [codec.serialize(k) for k in unique[start : start + _BATCH_GET]]}
            }
            while pending:
                with translated("batch get"):
                    response = client("dynamodb").batch_get_item(RequestItems=pending)
                found.extend(codec.deserialize(i) for i in response.get("Responses", {}).get(self.table, []))
                pending = response.get("UnprocessedKeys") or {}
        return found

    def customers_and_payments(
        self, customer_ids: Sequence[str], payments: Sequence[tuple[str | None, str]]
    ) -> tuple[dict[str, Customer], dict[str, dict[str, object]]]:
        wanted = [customer_items.profile_key(cid) for cid in customer_ids] + [
            {"PK": customer_items.customer_pk(owner) if owner else "GUEST", "SK": payment_items.payment_sk(pid)}
            for owner, pid in payments
        ]
        found = self.get_many(wanted)
        profiles = {
            p.customer_id: p
            for p in (entity_items.from_item(i, Customer) for i in found if i.get("type") == "customer")
        }
        payment_bodies = {
            str(i["payment_id"]): {
                k: table_layout.plain(v) for k, v in i.items() if k not in table_layout.KEY_ATTRIBUTES
            }
            for i in found
            if i.get("type") == "payment"
        }
        return profiles, payment_bodies

    # --- bulk load -------------------------------------------------------------------------------------

    def put_new(self, records: Sequence[entity_items.Record]) -> None:
        """Batch-write records (seed data, imports). Not for money movements, which need a unit of work."""
        self.put_items([item for r in records for item in entity_items.items_of(r)])  # profiles bring search pointers

    def put_items(self, raw_items: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(raw_items), _BATCH_WRITE):
            batch = [{"PutRequest": {"Item": codec.serialize(i)}} for i in raw_items[start : start + _BATCH_WRITE]]
            pending: dict[str, Any] = {self.table: batch}
            while pending:
                with translated("batch write"):
                    response = client("dynamodb").batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
