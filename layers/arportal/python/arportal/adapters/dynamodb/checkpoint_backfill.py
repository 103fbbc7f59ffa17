"""Complete a customer's balance checkpoints from its history: for customers whose records were written before the
checkpoints existed (or loaded without them). Until it has run for a customer, that customer's statements replay
the history, as before.

Safe beside live writes: the months are read first, then the history is replayed, then each month is written
conditioned on the value read (absent, or the same ``net``). A write that lands in between has changed a month it
touches, so the condition fails and the job starts again (``backfill`` retries a few times). The mark goes in the
last transaction, so a reader never sees it before every month is right.

It also gives each of the customer's invoices, payments, credit notes and allocations its movement stamp
(``movement_items``) when it has none (conditioned on still having none).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import balance_checkpoints, codec, customer_items, entity_items, movement_items
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.history import DynamoStatementHistory
from arportal.domain.balance_checkpoints import by_month
from arportal.domain.errors import ConflictError
from arportal.domain.statement import LedgerEntry

_PER_TRANSACTION = 99
_ATTEMPTS = 4
_EVER = date(9000, 1, 1)  # a statement "until" that takes in every record, future invoices included
_STAMPED = ("INV#", "PAY#", "CN#", "ALLOC#")


def backfill(history: DynamoStatementHistory, customer_id: str, currency: str, *, today: date) -> dict[str, int]:
    """Stamp the customer's items, then write its months and the mark; what was done."""
    stamped = _stamp(history.table, customer_id)
    for attempt in range(1, _ATTEMPTS + 1):
        held = _months_held(history.table, customer_id, currency)
        entries = [r for r in history.history(customer_id, until=_EVER, today=today) if isinstance(r, LedgerEntry)]
        months = by_month(entries)
        try:
            _write(history.table, customer_id, currency, months, held)
        except ConflictError:
            if attempt == _ATTEMPTS:
                raise
            continue
        return {"stamped": stamped, "months": len(months), "attempts": attempt}
    raise AssertionError("unreachable")


def _months_held(table: str, customer_id: str, currency: str) -> dict[str, int]:
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": codec.serialize(
            {":pk": customer_items.customer_pk(customer_id), ":prefix": balance_checkpoints.checkpoint_sk(currency, "")}
        ),
        "ConsistentRead": True,
    }
    held: dict[str, int] = {}
    for item in _pages(request):
        held[str(item["SK"]).rsplit("#", 1)[1]] = int(item.get("net", 0))
    return held


def _write(table: str, customer_id: str, currency: str, months: dict[str, int], held: dict[str, int]) -> None:
    actions: list[dict[str, Any]] = []
    for month in sorted((set(months) | set(held)) - {balance_checkpoints.READY}):
        item = balance_checkpoints.month_item(customer_id, currency, month, months.get(month, 0))
        put: dict[str, Any] = {"TableName": table, "Item": codec.serialize(item)}
        if month in held:
            put["ConditionExpression"] = "net = :held"
            put["ExpressionAttributeValues"] = {":held": codec.value(held[month])}
        else:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        actions.append({"Put": put})
    mark = balance_checkpoints.month_items(customer_id, currency, {})[0]
    actions.append({"Put": {"TableName": table, "Item": codec.serialize(mark)}})
    for start in range(0, len(actions), _PER_TRANSACTION):
        with translated("balance checkpoint backfill"):
            client("dynamodb").transact_write_items(TransactItems=actions[start : start + _PER_TRANSACTION])


def _stamp(table: str, customer_id: str) -> int:
    stamped = 0
    pk = customer_items.customer_pk(customer_id)
    for prefix in _STAMPED:
        request: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "FilterExpression": "attribute_not_exists(NPK)",
            "ExpressionAttributeValues": codec.serialize({":pk": pk, ":prefix": prefix}),
        }
        for item in _pages(request):
            record = entity_items.from_item(item, entity_items.ENTITY_TYPES[str(item["type"])])
            moved = movement_items.moved_attributes(record)
            if not moved:
                continue
            with translated("stamp a movement"):
                try:
                    client("dynamodb").update_item(
                        TableName=table,
                        Key=codec.serialize({"PK": item["PK"], "SK": item["SK"]}),
                        UpdateExpression="SET NPK = :npk, NSK = :nsk",
                        ConditionExpression="attribute_not_exists(NPK)",
                        ExpressionAttributeValues=codec.serialize({":npk": moved["NPK"], ":nsk": moved["NSK"]}),
                    )
                except client("dynamodb").exceptions.ConditionalCheckFailedException:
                    continue  # a write stamped it meanwhile
            stamped += 1
    return stamped


def _pages(request: dict[str, Any]) -> Any:
    while True:
        with translated("balance checkpoint backfill"):
            response = client("dynamodb").query(**request)
        for raw in response.get("Items", []):
            yield codec.deserialize(raw)
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
