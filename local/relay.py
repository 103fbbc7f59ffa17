"""The outbox relay: new ``OUTBOX#`` items on the ledger's stream become events on the bus.

It mirrors the deployed EventBridge Pipe (DynamoDB stream -> filter ``PK`` begins with ``OUTBOX#`` -> bus), and
reads the stream the same way, through the DynamoDB Streams API. Tests call ``relay_once``; the dev runtime
runs it on a background thread.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

logger = logging.getLogger("local.relay")
_deserializer = TypeDeserializer()
_PUT_EVENTS_BATCH = 10  # EventBridge's limit per PutEvents call


class OutboxRelay:
    def __init__(self, *, dynamodb: Any, streams: Any, events: Any, table: str, bus: str) -> None:
        self._streams, self._events, self._bus = streams, events, bus
        stream_arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
        self._iterator: str = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def relay_once(self) -> int:
        """Relay every outbox item written since the last call; returns how many events were put."""
        with self._lock:
            entries: list[dict[str, Any]] = []
            while True:
                response = self._streams.get_records(ShardIterator=self._iterator, Limit=1000)
                self._iterator = response["NextShardIterator"]
                records = response.get("Records", [])
                entries.extend(e for e in map(self._entry, records) if e is not None)
                if not records:
                    break
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

    def start(self, interval_s: float = 0.5) -> None:
        def run() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.relay_once()
                except Exception:  # keep relaying: one bad record must not stop the dev runtime
                    logger.exception("outbox relay failed; retrying")

        self._thread = threading.Thread(target=run, name="outbox-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
