"""Rate-limit counters in the ledger table: one item per (rule, subject, window), removed by TTL after the window.

Counting is one conditional ``UpdateItem`` (``ADD hits :one`` only while ``hits < limit``), so concurrent
requests in any number of Lambda containers can never count past the limit, and a refused event costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, request_items
from arportal.adapters.dynamodb.errors import translated
from arportal.domain.errors import ConflictError

_LINGER_S = 60  # keep a counter a little past its window, so clock skew between containers cannot reset it


def _window_start(window_s: int, now: datetime) -> int:
    epoch = int(now.timestamp())
    return epoch - epoch % window_s


class DynamoRateCounter:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def counts(self, wanted: Sequence[tuple[str, int, str]], *, now: datetime) -> list[int]:
        key_list = [
            request_items.rate_counter_key(rule, subject, _window_start(window, now))
            for rule, window, subject in wanted
        ]
        if not key_list:
            return []
        request: dict[str, Any] = {
            self.table: {"Keys": [codec.serialize(k) for k in key_list], "ProjectionExpression": "PK, SK, hits"}
        }
        hits: dict[tuple[str, str], int] = {}
        while request:
            with translated("read rate counters"):
                response = client("dynamodb").batch_get_item(RequestItems=request)
            for raw in response.get("Responses", {}).get(self.table, []):
                item = codec.deserialize(raw)
                hits[(str(item["PK"]), str(item["SK"]))] = int(item.get("hits", 0))
            request = response.get("UnprocessedKeys") or {}
        return [hits.get((k["PK"], k["SK"]), 0) for k in key_list]

    def add(self, rule: str, window_s: int, subject: str, *, limit: int, now: datetime) -> int | None:
        start = _window_start(window_s, now)
        try:
            with translated("count event"):
                response = client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize(request_items.rate_counter_key(rule, subject, start)),
                    UpdateExpression="ADD hits :one SET expires_at = :expires, #type = :type",
                    ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                    ExpressionAttributeNames={"#type": "type"},
                    ExpressionAttributeValues=codec.serialize(
                        {":one": 1, ":limit": limit, ":expires": start + window_s + _LINGER_S, ":type": "rate_counter"}
                    ),
                    ReturnValues="UPDATED_NEW",
                )
        except ConflictError:
            return None
        return int(codec.deserialize(response["Attributes"])["hits"])
