"""The audit exporter's trigger, locally: the audit table's stream -> the ``audit_exporter`` function.

In AWS a DynamoDB event source mapping delivers stream batches to the function; here ``export_once`` reads the
stream through the DynamoDB Streams API and invokes the real handler in-process with the same event shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local.stream_poller import StreamPoller

_BATCH = 100  # the deployed mapping's batch size


class AuditStreamExporter(StreamPoller):
    thread_name = "audit-export"

    def __init__(self, *, dynamodb: Any, streams: Any, table: str, deliver: Callable[[dict[str, Any]], Any]) -> None:
        super().__init__(dynamodb=dynamodb, streams=streams, table=table)
        self._deliver = deliver

    def export_once(self) -> int:
        """Deliver every audit stream record written since the last call; returns how many."""
        delivered = 0
        with self._lock:
            for records in self.batches(_BATCH):
                self._deliver({"Records": [{**r, "eventSource": "aws:dynamodb"} for r in records]})
                delivered += len(records)
        return delivered

    def poll_once(self) -> int:
        return self.export_once()
