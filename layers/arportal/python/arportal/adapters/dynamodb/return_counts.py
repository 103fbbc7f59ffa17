"""ACH returns counted for the return-rate monitor (``services/return_rates.py``): one item per day, so 60 days
are one query, and a guard item per bank line, so a line seen again in another file is not counted twice.

    RETURNCOUNTS          <yyyy-mm-dd>          day, counters c_<code> (one per NACHA return code)
    RETURNLINE#<line>     RETURN                code, payment_id, amount, representable, counted_at

The guard and the day's counter are one transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.errors import ConflictError
from arportal.ports import DayReturns, RecordedReturn

DAYS_PK = "RETURNCOUNTS"
_COUNTER = "c_"


class DynamoReturnCounts:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def record(self, returned: RecordedReturn, *, at: datetime) -> bool:
        code = "".join(ch for ch in returned.code.upper() if ch.isalnum()) or "UNKNOWN"
        uow = DynamoUnitOfWork(self.table)
        uow.create(
            {
                "PK": f"RETURNLINE#{returned.line_key}", "SK": "RETURN", "type": "ach_return",
                "line_key": returned.line_key, "code": code, "returned_on": returned.returned_on.isoformat(),
                "payment_id": returned.payment_id, "amount": returned.amount,
                "representable": returned.representable, "counted_at": at.isoformat(),
            }
        )  # fmt: skip
        uow.update(
            {"PK": DAYS_PK, "SK": returned.returned_on.isoformat()},
            update_expression="SET #type = :type, #day = :day ADD #counter :one",
            condition="attribute_not_exists(PK) OR #day = :day",  # created by the first return of the day
            names={"#type": "type", "#day": "day", "#counter": f"{_COUNTER}{code}"},
            values={":type": "return_counts", ":day": returned.returned_on.isoformat(), ":one": 1},
        )
        try:
            uow.commit("count an ACH return")
        except ConflictError:
            return False  # this line's return was counted already
        return True

    def days(self, start: date, end: date) -> list[DayReturns]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :from AND :to",
            "ExpressionAttributeValues": {
                ":pk": {"S": DAYS_PK}, ":from": {"S": start.isoformat()}, ":to": {"S": end.isoformat()},
            },
            "ConsistentRead": True,
        }  # fmt: skip
        out: list[DayReturns] = []
        while True:
            with translated("read ACH return counts"):
                response = client("dynamodb").query(**request)
            for raw in response.get("Items", []):
                item = codec.deserialize(raw)
                counts = {k.removeprefix(_COUNTER): int(v) for k, v in item.items() if k.startswith(_COUNTER)}
                out.append(DayReturns(date.fromisoformat(str(item["SK"])), counts))
            if "LastEvaluatedKey" not in response:
                return out
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
