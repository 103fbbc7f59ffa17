"""DynamoDB implementation of ``arportal.ports.SettlementStore`` (the ledger table): the settlement machine's
reads of a day's payments and its conditional write of ``settled`` on each."""

from __future__ import annotations

from datetime import date
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, payment_items, table_layout
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.tables import BY_ACTIVITY_DAY
from arportal.domain.errors import ConflictError
from arportal.domain.models import Payment, StatusChange
from arportal.domain.status import PaymentStatus
from arportal.ports import SettlementCandidate


def _payment_key(candidate: SettlementCandidate) -> dict[str, str]:
    pk = customer_items.customer_pk(candidate.customer_id) if candidate.customer_id else "GUEST"
    return {"PK": pk, "SK": payment_items.payment_sk(candidate.payment_id)}


class DynamoSettlementStore:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def posted_payments(self, day: date, *, limit: int) -> list[Payment]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": BY_ACTIVITY_DAY,
            "KeyConditionExpression": "DAYPK = :day",
            "FilterExpression": "#type = :payment AND #status IN (:posted, :partly)",
            "ExpressionAttributeNames": {"#status": "status", "#type": "type"},
            "ExpressionAttributeValues": {
                ":day": {"S": table_layout.activity_day_pk(day)},
                ":payment": {"S": "payment"},
                ":posted": {"S": PaymentStatus.POSTED.value},
                ":partly": {"S": PaymentStatus.PARTIALLY_REFUNDED.value},
            },
        }
        found: list[Payment] = []
        while len(found) < limit:
            with translated("payments of the day"):
                response = client("dynamodb").query(**request)
            for raw in response.get("Items", []):
                payment = entity_items.from_item(codec.deserialize(raw), Payment)
                # A payment refunded in part after it settled is partially_refunded too: it settled already.
                if payment.changed_at(PaymentStatus.SETTLED) is None:
                    found.append(payment)
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return found[:limit]

    def append_status(self, payment: SettlementCandidate, change: StatusChange, *, expected: PaymentStatus) -> bool:
        try:
            with translated("payment status"):
                client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize(_payment_key(payment)),
                    UpdateExpression="SET #status = :status, #history = list_append(#history, :change), "
                    "#version = #version + :one",
                    ConditionExpression="#status = :expected",
                    ExpressionAttributeNames={"#status": "status", "#history": "history", "#version": "version"},
                    ExpressionAttributeValues={
                        ":status": codec.value(change.status.value),
                        ":change": codec.value([change.model_dump(mode="json", exclude_none=True)]),
                        ":one": codec.value(1),
                        ":expected": codec.value(expected.value),
                    },
                )
        except ConflictError:
            return False
        return True

    def payment_status(self, payment: SettlementCandidate) -> PaymentStatus | None:
        with translated("payment status"):
            response = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize(_payment_key(payment)),
                ProjectionExpression="#status",
                ExpressionAttributeNames={"#status": "status"},
                ConsistentRead=True,
            )
        item = response.get("Item")
        return PaymentStatus(item["status"]["S"]) if item else None
