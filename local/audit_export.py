"""The audit exporter's trigger, locally: the audit table's stream -> the ``audit_exporter`` function.

In AWS a DynamoDB event source mapping delivers stream batches to the function; here ``export_once`` reads the
stream through the DynamoDB Streams API and invokes the real handler in-process with the same event shape.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("local.audit_export")
_BATCH = 100  # the deployed mapping's batch size


class AuditStreamExporter:
    def __init__(self, *, dynamodb: Any, streams: Any, table: str, deliver: Callable[[dict[str, Any]], Any]) -> None:
        self._streams, self._deliver = streams, deliver
        stream_arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
        self._iterator: str = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def export_once(self) -> int:
        """Deliver every audit stream record written since the last call; returns how many."""
        delivered = 0
        with self._lock:
            while True:
                response = self._streams.get_records(ShardIterator=self._iterator, Limit=_BATCH)
                self._iterator = response["NextShardIterator"]
                records = response.get("Records", [])
                if not records:
                    return delivered
                self._deliver({"Records": [{**r, "eventSource": "aws:dynamodb"} for r in records]})
                delivered += len(records)

    def start(self, interval_s: float) -> None:
        def run() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.export_once()
                except Exception:  # keep exporting: one bad batch must not stop the dev runtime
                    logger.exception("audit export failed; retrying")

        self._thread = threading.Thread(target=run, name="audit-export", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
