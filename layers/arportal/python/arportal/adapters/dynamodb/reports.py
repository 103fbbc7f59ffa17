"""Reads of the activity index (ByActivityDay): a day's payments for browsing, a day's records for the reports.

One day is one index partition (``DAY#<date>``), so every read here is a Query of one day, filtered on the
top-level attributes payment items carry (``type``, ``status``, ``channel``, ``terminal_id``, ``departments``).
A filter is applied after DynamoDB reads a page, so a browsing page may hold fewer matches than asked for and
still have more to come: its ``next_key`` says where to go on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, movement_items, payment_items, table_layout
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.tables import BY_ACTIVITY_DAY, BY_PARENT
from arportal.domain.errors import ConflictError
from arportal.domain.models import Allocation, Interaction, Payment
from arportal.domain.status import PaymentStatus
from arportal.ports import ActivityFilter, DayActivity, Page

_READ_AHEAD = 200  # items DynamoDB evaluates per browsing Query: enough to fill a page through a selective filter
_MAX_DAY_PAGES = 50  # 50 MB of one day's index entries per report day; beyond that a report says it is partial
_INDEX_KEY = ("PK", "SK", "DAYPK", "DAYSK")


class DynamoActivity:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def day_payments(
        self, day: date, where: ActivityFilter, *, limit: int, start: dict[str, object] | None
    ) -> Page[Payment]:
        conditions = ["#type = :payment"]
        names = {"#type": "type"}
        values: dict[str, Any] = {":day": {"S": table_layout.activity_day_pk(day)}, ":payment": {"S": "payment"}}
        if where.status:
            conditions.append("#status = :status")
            names["#status"] = "status"
            values[":status"] = {"S": where.status}
        if where.channel:
            conditions.append("channel = :channel")
            values[":channel"] = {"S": where.channel}
        if where.terminal:
            conditions.append("terminal_id = :terminal")
            values[":terminal"] = {"S": where.terminal}
        if where.department:
            conditions.append("contains(departments, :department)")
            values[":department"] = {"S": where.department}
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": BY_ACTIVITY_DAY,
            "KeyConditionExpression": "DAYPK = :day",
            "FilterExpression": " AND ".join(conditions),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,  # newest first
            "Limit": max(limit, _READ_AHEAD),
        }
        if start:
            request["ExclusiveStartKey"] = start
        with translated("activity of the day"):
            response = client("dynamodb").query(**request)
        raw = response.get("Items", [])
        taken = raw[:limit]
        if len(raw) > limit:
            # More matched than the page holds: go on right after the last one shown, not after what was read.
            next_key: dict[str, object] | None = {name: taken[-1][name] for name in _INDEX_KEY}
        else:
            next_key = response.get("LastEvaluatedKey")
        return Page([entity_items.from_item(codec.deserialize(i), Payment) for i in taken], next_key)

    def day_activity(
        self,
        day: date,
        *,
        payment_statuses: frozenset[PaymentStatus],
        allocations: bool = False,
        interactions: bool = False,
        whole: bool = False,
    ) -> DayActivity:
        statuses = {f":s{i}": {"S": s.value} for i, s in enumerate(sorted(payment_statuses))}
        wanted: list[str] = []
        values: dict[str, Any] = {":day": {"S": table_layout.activity_day_pk(day)}}
        if statuses:
            wanted.append(f"(#type = :payment AND #status IN ({', '.join(statuses)}))")
            values |= {":payment": {"S": "payment"}, **statuses}
        if not (statuses or allocations or interactions):
            return DayActivity([], [], [], complete=True)
        if allocations:
            wanted.append("#type = :allocation")
            values[":allocation"] = {"S": "allocation"}
        if interactions:
            wanted.append("#type = :interaction")
            values[":interaction"] = {"S": "interaction"}
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": BY_ACTIVITY_DAY,
            "KeyConditionExpression": "DAYPK = :day",
            "FilterExpression": " OR ".join(wanted),
            "ExpressionAttributeNames": {"#type": "type", **({"#status": "status"} if statuses else {})},
            "ExpressionAttributeValues": values,
        }
        result = DayActivity([], [], [], complete=False)
        pages = 0
        while whole or pages < _MAX_DAY_PAGES:
            pages += 1
            with translated("activity of the day"):
                response = client("dynamodb").query(**request)
            for raw in response.get("Items", []):
                item = codec.deserialize(raw)
                kind = item.get("type")
                if kind == "payment":
                    result.payments.append(entity_items.from_item(item, Payment))
                elif kind == "allocation":
                    result.allocations.append(entity_items.from_item(item, Allocation))
                elif kind == "interaction":
                    result.interactions.append(entity_items.from_item(item, Interaction))
            if "LastEvaluatedKey" not in response:
                return DayActivity(result.payments, result.allocations, result.interactions, complete=True)
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return result

    def exception_payments(
        self, currency: str, status: PaymentStatus, *, start: date, end: date, limit: int
    ) -> tuple[list[Payment], bool]:
        first = movement_items.instant(datetime.combine(start, time.min, tzinfo=UTC))
        request = {
            "TableName": self.table,
            "IndexName": BY_PARENT,
            "KeyConditionExpression": "PPK = :list AND PSK BETWEEN :from AND :to",
            "ExpressionAttributeValues": {
                ":list": {"S": payment_items.exception_list_pk(currency, status)},
                ":from": {"S": first},
                ":to": {"S": movement_items.day_end(end) + "#\uffff"},
            },
            "ScanIndexForward": False,  # newest first
            "Limit": limit + 1,  # one more says whether more are there
        }
        found: list[Payment] = []
        while len(found) <= limit:
            with translated("exceptions list"):
                response = client("dynamodb").query(**request)
            found += [entity_items.from_item(codec.deserialize(i), Payment) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                break  # a page ends early only at 1 MB: read on until the page is full or the list ends
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return found[:limit], len(found) > limit

    def list_exception(self, payment: Payment) -> bool:
        listed = payment_items.exception_list_attributes(payment)
        if not listed:
            return False
        owner = customer_items.customer_pk(payment.customer_id) if payment.customer_id else "GUEST"
        try:
            with translated("list an exception"):
                client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize({"PK": owner, "SK": payment_items.payment_sk(payment.payment_id)}),
                    UpdateExpression="SET PPK = :ppk, PSK = :psk",
                    ConditionExpression="#status = :status AND attribute_not_exists(PPK)",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues=codec.serialize(
                        {":ppk": listed["PPK"], ":psk": listed["PSK"], ":status": payment.status.value}
                    ),
                )
        except ConflictError:
            return False  # listed already, or its status moved on since it was read
        return True
