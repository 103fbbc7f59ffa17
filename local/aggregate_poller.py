"""The aggregate builder's trigger, locally: the ledger table's stream, filtered to new ``OUTBOX#`` items as the
deployed event source mapping's filter does, -> the ``aggregate_builder`` function.

``aggregate_once`` reads the stream through the DynamoDB Streams API and invokes the real handler in-process with
the same event shape. A record the handler reports as failed (``batchItemFailures``) is delivered again, with
those after it, at the next call, as the deployed mapping retries from the failed record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local.stream_poller import StreamPoller

_BATCH = 100  # the deployed mapping's batch size


def is_new_outbox_item(record: dict[str, Any]) -> bool:
    """The deployed filter (the outbox pipe's): ``eventName`` INSERT and ``NewImage.PK.S`` begins with ``OUTBOX#``."""
    key = record.get("dynamodb", {}).get("NewImage", {}).get("PK", {}).get("S", "")
    return record.get("eventName") == "INSERT" and key.startswith("OUTBOX#")


class AggregateStreamPoller(StreamPoller):
    thread_name = "aggregate-builder"

    def __init__(self, *, dynamodb: Any, streams: Any, table: str, deliver: Callable[[dict[str, Any]], Any]) -> None:
        super().__init__(dynamodb=dynamodb, streams=streams, table=table)
        self._deliver = deliver
        self._retry: list[dict[str, Any]] = []

    def aggregate_once(self) -> int:
        """Deliver every new outbox record since the last call (and any left to retry); returns how many."""
        delivered = 0
        with self._lock:
            waiting = self._retry + [r for records in self.batches(1000) for r in records if is_new_outbox_item(r)]
            self._retry = []
            for start in range(0, len(waiting), _BATCH):
                batch = waiting[start : start + _BATCH]
                answer = self._deliver({"Records": [{**r, "eventSource": "aws:dynamodb"} for r in batch]}) or {}
                failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
                if failed:
                    first = next(i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] in failed)
                    self._retry = batch[first:] + waiting[start + _BATCH :]
                    return delivered + first
                delivered += len(batch)
        return delivered

    def poll_once(self) -> int:
        return self.aggregate_once()
