"""Bringing the customers written by an earlier version up to what this one reads, once after an upgrade.

Three things this version keeps beside each customer's records that an earlier one did not write:
- the search pointers of every word of the name (``search_items``): staff search by surname;
- the index attributes that list an invoice's, a receipt's and a customer's items (``ByParent``, the issue-date
  entries of ``ByActivityDay``, the movement stamps of ``ByName``) and the credit notes' ``APPLIED#`` entries;
- the monthly balance checkpoints and their mark (``checkpoint_backfill``), which let a statement read its range.

An operator runs the ``reindex_customers`` job (docs/deploy.md). It reads the profiles from the ByName index, a page
at a time, and asks in one BatchGetItem per page which of them lack their first word pointer or their checkpoint
mark; only those are worked on. Every write fills in what is missing and never replaces what is there
(``if_not_exists``, ``attribute_not_exists``, the backfill's conditions), so a second run, or a run beside live
writes, changes nothing that is already right. A customer's live state (open items, due dates) is never touched.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    balance_checkpoints,
    checkpoint_backfill,
    codec,
    customer_items,
    entity_items,
    search_items,
)
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.history import DynamoStatementHistory
from arportal.adapters.dynamodb.search_pointers import pointer_requests
from arportal.adapters.dynamodb.tables import BY_NAME
from arportal.domain.models import CreditNote, Customer
from arportal.ports.staff import ReindexPage

_PROFILE_PARTITION = "NAME#"  # a profile's own ByName entry; pointers and movement stamps sit under other prefixes
_BATCH_GET = 100  # BatchGetItem's limit
_BATCH_WRITE = 25  # BatchWriteItem's limit
_RECORDS = ("INV#", "PAY#", "CN#", "ALLOC#", "DOC#")  # the records whose index attributes this version added to


class DynamoCustomerReindex:
    def __init__(self, table: str, currency: str, today: Callable[[], date]) -> None:
        self._table = table
        self._currency = currency
        self._today = today

    def reindex_page(self, cursor: str | None, *, page_size: int) -> ReindexPage:
        params: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_NAME,
            "Limit": page_size,
            "FilterExpression": "begins_with(NPK, :profiles)",
            "ExpressionAttributeValues": {":profiles": {"S": _PROFILE_PARTITION}},
        }
        if cursor:
            params["ExclusiveStartKey"] = _decode(cursor)
        with translated("customer reindex"):
            page = client("dynamodb").scan(**params)
        profiles = [entity_items.from_item(codec.deserialize(item), Customer) for item in page.get("Items", [])]
        held = self._held({c.customer_id for c in profiles})
        word_pointer, mark = (
            search_items.WORD_POINTERS[0],
            balance_checkpoints.checkpoint_sk(self._currency, balance_checkpoints.READY),
        )
        unsearchable = [
            c for c in profiles if search_items.name_words(c.name) and (c.customer_id, word_pointer) not in held
        ]
        self._write([request for customer in unsearchable for request in pointer_requests(customer)])
        unmarked = [c.customer_id for c in profiles if (c.customer_id, mark) not in held]
        history = DynamoStatementHistory(self._table)
        for customer_id in unmarked:
            self._index_records(customer_id)
            checkpoint_backfill.backfill(history, customer_id, self._currency, today=self._today())
        last = page.get("LastEvaluatedKey")
        worked = {c.customer_id for c in unsearchable} | set(unmarked)
        return ReindexPage(profiles=len(profiles), reindexed=len(worked), cursor=_encode(last) if last else None)

    def _held(self, customer_ids: set[str]) -> set[tuple[str, str]]:
        """Which of the customers' first word pointers and checkpoint marks exist, as (customer id, SK)."""
        mark = balance_checkpoints.checkpoint_sk(self._currency, balance_checkpoints.READY)
        keys = [
            {"PK": customer_items.customer_pk(cid), "SK": sk}
            for cid in sorted(customer_ids)
            for sk in (search_items.WORD_POINTERS[0], mark)
        ]
        found: set[tuple[str, str]] = set()
        for start in range(0, len(keys), _BATCH_GET):
            pending: dict[str, Any] = {
                self._table: {
                    "Keys": [codec.serialize(k) for k in keys[start : start + _BATCH_GET]],
                    "ProjectionExpression": "PK, SK",
                }
            }
            while pending:
                with translated("customer reindex"):
                    response = client("dynamodb").batch_get_item(RequestItems=pending)
                for raw in response.get("Responses", {}).get(self._table, []):
                    item = codec.deserialize(raw)
                    customer_id = customer_items.customer_id_from_pk(item["PK"])
                    if customer_id:
                        found.add((customer_id, item["SK"]))
                pending = response.get("UnprocessedKeys") or {}
        return found

    def _index_records(self, customer_id: str) -> None:
        """Each record's index attributes this version adds, where missing; a credit note's entries under the
        invoices it was applied to. Live attributes (open items, due dates) stay as the record's own writes set them."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": customer_items.customer_pk(customer_id)}},
        }
        derived: list[dict[str, Any]] = []
        while True:
            with translated("customer reindex"):
                page = client("dynamodb").query(**request)
            for raw in page.get("Items", []):
                item = codec.deserialize(raw)
                if not str(item["SK"]).startswith(_RECORDS):
                    continue
                record = entity_items.entity_of(item)
                if record is None:
                    continue
                self._fill(item, record)
                if isinstance(record, CreditNote):
                    derived += entity_items.items_of(record)[1:]
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        for entry in derived:  # derived from the note alone: the same item however often it is written
            with translated("customer reindex"):
                client("dynamodb").put_item(TableName=self._table, Item=codec.serialize(entry))

    def _fill(self, item: dict[str, Any], record: Any) -> None:
        live = set(entity_items.live_index_attributes(record))
        missing = {
            k: v for k, v in entity_items.index_attributes(record).items() if k not in live and item.get(k) is None
        }
        if not missing:
            return
        names = {f"#a{i}": name for i, name in enumerate(missing)}
        sets = ", ".join(f"#a{i} = if_not_exists(#a{i}, :a{i})" for i in range(len(missing)))
        with translated("customer reindex"):
            client("dynamodb").update_item(
                TableName=self._table,
                Key=codec.serialize({"PK": item["PK"], "SK": item["SK"]}),
                UpdateExpression=f"SET {sets}",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=codec.serialize({f":a{i}": v for i, v in enumerate(missing.values())}),
            )

    def _write(self, requests: list[dict[str, Any]]) -> None:
        for start in range(0, len(requests), _BATCH_WRITE):
            pending: dict[str, Any] = {self._table: requests[start : start + _BATCH_WRITE]}
            while pending:
                with translated("customer reindex"):
                    response = client("dynamodb").batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}


def _encode(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def _decode(cursor: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise ValueError("the cursor is not one this job returned") from exc
    if not isinstance(key, dict):
        raise ValueError("the cursor is not one this job returned")
    return key
