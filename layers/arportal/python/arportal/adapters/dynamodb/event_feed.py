"""DynamoDB implementation of ``EventFeedStore``: the outbox's events, in order, from their index entries.

A page is one key-condition Query of one index partition (``event_feed_items``), oldest first, with ``Limit`` the
page size. A Query answers at most 1 MB, so a page of large events can come back short: then one more Query
continues from its ``LastEvaluatedKey``, and the page ends there, full or not (the next page goes on from its last
event). So a page costs at most 2 round trips; the usual page of 100 events (about 1 KB each) costs one.

Reads are eventually consistent: every event served is older than the settle window (``domain/event_feed``),
far longer than the index takes to show a write.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.event_feed_items import FEED, PAYMENT_CHANGES, range_start
from arportal.adapters.dynamodb.tables import BY_ACTIVITY_DAY, OPEN_ITEMS
from arportal.domain.event_entities import EventEntity
from arportal.domain.event_feed import FeedEvent

READS_A_PAGE = 2


class DynamoEventFeed:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def events(self, *, after: str, before: str, limit: int) -> list[FeedEvent]:
        return self._page(BY_ACTIVITY_DAY, ("DAYPK", "DAYSK"), FEED, after=after, before=before, limit=limit)

    def payment_events(self, *, after: str, before: str, limit: int) -> list[FeedEvent]:
        return self._page(OPEN_ITEMS, ("OPK", "OSK"), PAYMENT_CHANGES, after=after, before=before, limit=limit)

    def _page(
        self, index: str, keys: tuple[str, str], partition: str, *, after: str, before: str, limit: int
    ) -> list[FeedEvent]:
        low = range_start(after)
        if low > before:  # the position is at the horizon or past it: nothing has settled after it yet
            return []
        pk, sk = keys
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": f"{pk} = :partition AND {sk} BETWEEN :low AND :high",
            "ExpressionAttributeValues": codec.serialize({":partition": partition, ":low": low, ":high": before}),
            "Limit": limit,
        }
        found: list[FeedEvent] = []
        for _ in range(READS_A_PAGE):
            with translated("read the event feed"):
                response = client("dynamodb").query(**request)
            found += [feed_event(codec.deserialize(raw)) for raw in response.get("Items", [])]
            if len(found) >= limit or "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
            request["Limit"] = limit - len(found)
        return found[:limit]


def feed_event(item: dict[str, Any]) -> FeedEvent:
    """An outbox item as the feed serves it: its detail as the bus got it."""
    event_id = str(item["event_id"])
    detail: dict[str, Any] = json.loads(str(item["detail"]))
    named = detail.get("entity")
    entity = (
        EventEntity(str(named["type"]), str(named["id"]), int(named["sequence"])) if isinstance(named, dict) else None
    )
    occurred_at = datetime.fromisoformat(str(detail["occurred_at"]))  # every outbox item's detail has it
    return FeedEvent(event_id, str(item["detail_type"]), occurred_at, entity, detail)
