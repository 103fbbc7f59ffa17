"""DynamoDB implementation of ``DailyCloseStore`` (layout: ``close_items``): a close is created with its audit
record in one transaction, so a close is never stored without its hash in the chain, nor chained without being
stored; a second close of the same date and scope fails the transaction and writes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import close_items, codec
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.errors import ConflictError
from arportal.domain.models import AuditEvent
from arportal.ports.daily_close import StoredClose


class DynamoDailyCloses:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.trail = DynamoAuditTrail(audit_table_name)

    def create(self, close: StoredClose, audit: AuditEvent) -> bool:
        if self.get(close.business_date, close.scope) is not None:
            return False
        uow = DynamoUnitOfWork(self.table)
        uow.create(close_items.close_item(close))
        self.trail.append(uow, audit, head=self.trail.head(audit.entity_type, audit.entity_id))
        try:
            uow.commit("store a daily close")
        except ConflictError:
            return False  # another close of the date and scope was stored first: it stands
        return True

    def get(self, business_date: date, scope: str) -> StoredClose | None:
        with translated("read a daily close"):
            response = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize(close_items.close_key(business_date, scope)),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return close_items.close_of(codec.deserialize(item)) if item else None

    def day(self, business_date: date) -> list[StoredClose]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :scope)",
            "ExpressionAttributeValues": codec.serialize(
                {":pk": close_items.close_pk(business_date), ":scope": close_items.SCOPE}
            ),
            "ConsistentRead": True,
        }
        found: list[StoredClose] = []
        while True:
            with translated("read the closes of a day"):
                response = client("dynamodb").query(**request)
            found += [close_items.close_of(codec.deserialize(i)) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return sorted(found, key=lambda c: (c.scope != "all", c.scope))
