"""The outbox relay: new ``OUTBOX#`` items on the ledger's stream become events on the bus.

It mirrors the deployed EventBridge Pipe (DynamoDB stream -> filter ``PK`` begins with ``OUTBOX#`` -> bus), and
reads the stream the same way, through the DynamoDB Streams API. Tests call ``relay_once``; the dev runtime
runs it on a background thread.
"""

from __future__ import annotations

import logging
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from local.stream_poller import StreamPoller

logger = logging.getLogger("local.relay")
_deserializer = TypeDeserializer()
_PUT_EVENTS_BATCH = 10  # EventBridge's limit per PutEvents call


class OutboxRelay(StreamPoller):
    thread_name = "outbox-relay"

    def __init__(self, *, dynamodb: Any, streams: Any, events: Any, table: str, bus: str) -> None:
        super().__init__(dynamodb=dynamodb, streams=streams, table=table)
        self._events, self._bus = events, bus

    def relay_once(self) -> int:
        """Relay every outbox item written since the last call; returns how many events were put."""
        with self._lock:
            entries: list[dict[str, Any]] = []
            for records in self.batches(1000):
                entries.extend(e for e in map(self._entry, records) if e is not None)
            for start in range(0, len(entries), _PUT_EVENTS_BATCH):
                result = self._events.put_events(Entries=entries[start : start + _PUT_EVENTS_BATCH])
                if result.get("FailedEntryCount"):
                    logger.error("outbox relay: %s entries failed: %s", result["FailedEntryCount"], result["Entries"])
            return len(entries)

    def _entry(self, record: dict[str, Any]) -> dict[str, Any] | None:
        if record.get("eventName") != "INSERT":
            return None
        image = record["dynamodb"].get("NewImage") or {}
        if not image.get("PK", {}).get("S", "").startswith("OUTBOX#"):
            return None
        item = {k: _deserializer.deserialize(v) for k, v in image.items()}
        return {
            "EventBusName": self._bus,
            "Source": str(item["source"]),
            "DetailType": str(item["detail_type"]),
            "Detail": str(item["detail"]),
        }

    def poll_once(self) -> int:
        return self.relay_once()
