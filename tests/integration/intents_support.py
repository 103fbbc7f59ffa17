"""Reading payment intents back from the local environment's ledger, for the tests of issue 10."""

from __future__ import annotations

from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb.intents import read
from arportal.config import settings
from arportal.domain.payment_intents import PaymentIntent


def intents_of(customer_id: str) -> list[dict[str, Any]]:
    """Every intent recorded for ``customer_id``'s payments (a scan filtered on the customer: tests only)."""
    request: dict[str, Any] = {
        "TableName": settings().ledger_table,
        "FilterExpression": "#type = :intent AND customer_id = :customer",
        "ExpressionAttributeNames": {"#type": "type"},
        "ExpressionAttributeValues": codec.serialize({":intent": "payment_intent", ":customer": customer_id}),
        "ConsistentRead": True,
    }
    found: list[dict[str, Any]] = []
    while True:
        response = client("dynamodb").scan(**request)
        found.extend(codec.deserialize(i) for i in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return found
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def intent(charge_key: str) -> PaymentIntent | None:
    return read(settings().ledger_table, charge_key)
