"""What the local stand-ins for AWS's stream triggers share: a DynamoDB stream read from its start through the
DynamoDB Streams API, batch by batch, and a background thread that drains it every few seconds.

Subclasses say what one drain does (``poll_once``) and name their thread.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

logger = logging.getLogger("local.stream")


class StreamPoller(ABC):
    thread_name = "stream-poller"

    def __init__(self, *, dynamodb: Any, streams: Any, table: str) -> None:
        self._streams = streams
        stream_arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
        self._iterator: str = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        self._lock = threading.Lock()  # one drain at a time: a test's call and the background thread share it
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def batches(self, limit: int) -> Iterator[list[dict[str, Any]]]:
        """Every record written since the last read, in batches of at most ``limit``; hold ``_lock`` around it."""
        while True:
            response = self._streams.get_records(ShardIterator=self._iterator, Limit=limit)
            self._iterator = response["NextShardIterator"]
            records: list[dict[str, Any]] = response.get("Records", [])
            if not records:
                return
            yield records

    @abstractmethod
    def poll_once(self) -> int:
        """Drain the stream once; returns how many records were handled."""

    def start(self, interval_s: float) -> None:
        def run() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.poll_once()
                except Exception:  # keep going: one bad batch must not stop the dev runtime
                    logger.exception("%s failed; retrying", self.thread_name)

        self._thread = threading.Thread(target=run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
