"""DynamoDB implementation of ``WebhookStore``: the webhooks table (layout in ``webhook_items``).

Every write that matters is conditional, so the bus repeating an event, the queue handing a batch to two containers,
or the sweep meeting a dispatcher on one delivery never sends or records twice:

- a delivery is opened only where there is none (``attribute_not_exists``);
- an attempt is recorded, with the delivery's next state, in one transaction conditioned on the delivery's
  (round, attempts) as it was read: the loser's transaction writes nothing;
- any other move of a delivery (claimed by a sweep, held, released, replayed) is conditioned on its status, round,
  attempts and next attempt time, so two sweeps cannot both claim one due delivery;
- an endpoint is written only at the version it was read in.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from arportal import clock
from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb import webhook_items as items
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.tables import DUE, HELD
from arportal.domain.errors import BusinessRuleError, ConflictError, NotFoundError
from arportal.domain.webhooks import Attempt, Delivery, Endpoint
from arportal.ports.webhooks import AttemptPage, DeliveryPage

_BATCH_GET = 100  # BatchGetItem's limit
_NAMES = {"#status": "status", "#round": "round", "#attempts": "attempts"}


class DynamoWebhookStore:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    # --- endpoints --------------------------------------------------------------------------------------

    def create_endpoint(self, endpoint: Endpoint) -> None:
        with translated("create the webhook endpoint"):
            client("dynamodb").put_item(
                TableName=self.table,
                Item=codec.serialize(items.endpoint_item(endpoint)),
                ConditionExpression="attribute_not_exists(PK)",
            )

    def endpoint(self, endpoint_id: str) -> Endpoint:
        with translated("read the webhook endpoint"):
            found = client("dynamodb").get_item(
                TableName=self.table, Key=codec.serialize(items.endpoint_key(endpoint_id)), ConsistentRead=True
            )
        if "Item" not in found:
            raise NotFoundError(f"no webhook endpoint {endpoint_id}")
        return items.endpoint_from_item(codec.deserialize(found["Item"]))

    def endpoints(self) -> list[Endpoint]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": codec.serialize({":pk": items.ENDPOINTS}),
            "ConsistentRead": True,
        }
        return [items.endpoint_from_item(item) for item in self._query_all(request, "list the webhook endpoints")]

    def update_endpoint(self, endpoint: Endpoint) -> Endpoint:
        stored = replace(endpoint, version=endpoint.version + 1)
        with translated("update the webhook endpoint"):
            client("dynamodb").put_item(
                TableName=self.table,
                Item=codec.serialize(items.endpoint_item(stored)),
                ConditionExpression="version = :version",
                ExpressionAttributeValues={":version": codec.value(endpoint.version)},
            )
        return stored

    def delete_endpoint(self, endpoint_id: str) -> None:
        with translated("delete the webhook endpoint"):
            client("dynamodb").delete_item(TableName=self.table, Key=codec.serialize(items.endpoint_key(endpoint_id)))

    # --- deliveries -------------------------------------------------------------------------------------

    def open_delivery(self, delivery: Delivery) -> bool:
        try:
            with translated("open the webhook delivery"):
                client("dynamodb").put_item(
                    TableName=self.table,
                    Item=codec.serialize(items.delivery_item(delivery, now=clock.now())),
                    ConditionExpression="attribute_not_exists(PK)",
                )
        except ConflictError:
            return False
        return True

    def delivery(self, endpoint_id: str, event_id: str) -> Delivery | None:
        with translated("read the webhook delivery"):
            found = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize(items.delivery_key(endpoint_id, event_id)),
                ConsistentRead=True,
            )
        return items.delivery_from_item(codec.deserialize(found["Item"])) if "Item" in found else None

    def deliveries(self, endpoint_id: str, event_ids: list[str]) -> dict[str, Delivery]:
        found: dict[str, Delivery] = {}
        unique = list(dict.fromkeys(event_ids))
        for start in range(0, len(unique), _BATCH_GET):
            keys = [codec.serialize(items.delivery_key(endpoint_id, e)) for e in unique[start : start + _BATCH_GET]]
            wanted: dict[str, Any] = {self.table: {"Keys": keys, "ConsistentRead": True}}
            while wanted:
                with translated("read webhook deliveries"):
                    response = client("dynamodb").batch_get_item(RequestItems=wanted)
                for raw in response.get("Responses", {}).get(self.table, []):
                    delivery = items.delivery_from_item(codec.deserialize(raw))
                    found[delivery.event_id] = delivery
                wanted = response.get("UnprocessedKeys") or {}
        return found

    def record_attempt(self, before: Delivery, after: Delivery, attempt: Attempt) -> bool:
        now = clock.now()
        try:
            with translated("record the webhook attempt"):
                client("dynamodb").transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self.table,
                                "Item": codec.serialize(items.delivery_item(after, now=now)),
                                "ConditionExpression": "#round = :round AND #attempts = :attempts",
                                "ExpressionAttributeNames": {"#round": "round", "#attempts": "attempts"},
                                "ExpressionAttributeValues": {
                                    ":round": codec.value(before.round),
                                    ":attempts": codec.value(before.attempts),
                                },
                            }
                        },
                        {
                            "Put": {
                                "TableName": self.table,
                                "Item": codec.serialize(items.attempt_item(attempt)),
                                "ConditionExpression": "attribute_not_exists(PK)",
                            }
                        },
                    ]
                )
        except ConflictError:
            return False
        return True

    def put_delivery(self, before: Delivery, after: Delivery) -> bool:
        condition = "#status = :status AND #round = :round AND #attempts = :attempts"
        values = {
            ":status": codec.value(before.status.value),
            ":round": codec.value(before.round),
            ":attempts": codec.value(before.attempts),
        }
        if before.next_attempt_at is None:
            condition += " AND attribute_not_exists(next_attempt_at)"
        else:
            condition += " AND next_attempt_at = :next"
            values[":next"] = codec.value(before.next_attempt_at.isoformat())
        try:
            with translated("move the webhook delivery"):
                client("dynamodb").put_item(
                    TableName=self.table,
                    Item=codec.serialize(items.delivery_item(after, now=clock.now())),
                    ConditionExpression=condition,
                    ExpressionAttributeNames=_NAMES,
                    ExpressionAttributeValues=values,
                )
        except ConflictError:
            return False
        return True

    def due(self, now: datetime, *, limit: int) -> list[Delivery]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": DUE,
            "KeyConditionExpression": "DPK = :due AND DSK < :before",
            "ExpressionAttributeValues": codec.serialize({":due": items.DUE, ":before": items.due_before(now)}),
            "Limit": limit,
        }
        with translated("read the due webhook deliveries"):
            response = client("dynamodb").query(**request)
        return [items.delivery_from_item(codec.deserialize(raw)) for raw in response.get("Items", [])]

    def held(self, endpoint_id: str, *, limit: int, cursor: str | None = None) -> DeliveryPage:
        partition = items.held_pk(endpoint_id)
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": HELD,
            "KeyConditionExpression": "HPK = :held",
            "ExpressionAttributeValues": codec.serialize({":held": partition}),
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = _start_key(cursor, {"HPK": partition}, ("HPK", "HSK", "PK", "SK"))
        with translated("read the held webhook deliveries"):
            response = client("dynamodb").query(**request)
        found = [items.delivery_from_item(codec.deserialize(raw)) for raw in response.get("Items", [])]
        return DeliveryPage(found, _cursor(response.get("LastEvaluatedKey")))

    def attempts(self, endpoint_id: str, *, limit: int, cursor: str | None = None) -> AttemptPage:
        partition = items.log_pk(endpoint_id)
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :log",
            "ExpressionAttributeValues": codec.serialize({":log": partition}),
            "ScanIndexForward": False,  # newest first
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = _start_key(cursor, {"PK": partition}, ("PK", "SK"))
        with translated("read the webhook attempts"):
            response = client("dynamodb").query(**request)
        found = [items.attempt_from_item(codec.deserialize(raw)) for raw in response.get("Items", [])]
        return AttemptPage(found, _cursor(response.get("LastEvaluatedKey")))

    def _query_all(self, request: dict[str, Any], operation: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            with translated(operation):
                response = client("dynamodb").query(**request)
            found += [codec.deserialize(raw) for raw in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _cursor(last_key: dict[str, Any] | None) -> str | None:
    """Where the next page starts: the last key read, as an opaque string."""
    if not last_key:
        return None
    plain = codec.deserialize(last_key)
    return base64.urlsafe_b64encode(json.dumps(plain, sort_keys=True).encode()).decode().rstrip("=")


def _start_key(cursor: str, partition: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    """The key a cursor names, if it is one this list handed out (same partition, the expected key names)."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        decoded = None
    if (
        not isinstance(decoded, dict)
        or set(decoded) != set(names)
        or not all(isinstance(v, str) for v in decoded.values())
        or any(decoded.get(k) != v for k, v in partition.items())
    ):
        raise BusinessRuleError("the cursor is not one this list handed out", details={"field": "cursor"})
    return codec.serialize(decoded)
