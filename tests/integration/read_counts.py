"""Count DynamoDB round trips and the items they read, with botocore event hooks: what a read costs, whatever the
machine's load (the read budgets' tests and ``bench/read_costs.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from arportal.adapters.aws import client


@dataclass
class Reads:
    calls: list[str] = field(default_factory=list)  # each request's operation, retries included
    items: int = 0  # items read: what a Query or Scan evaluated (ScannedCount, filtered or not), Get answers

    @property
    def round_trips(self) -> int:
        return len(self.calls)

    def figures(self) -> dict[str, int]:
        return {"round_trips": self.round_trips, "items_read": self.items}


def _items_in(operation: str, parsed: dict[str, Any]) -> int:
    if operation in ("Query", "Scan"):
        return int(parsed.get("ScannedCount", parsed.get("Count", 0)))  # a filter does not make a read free
    if operation == "GetItem":
        return 1 if parsed.get("Item") else 0
    if operation == "BatchGetItem":
        return sum(len(items) for items in parsed.get("Responses", {}).values())
    if operation == "TransactGetItems":
        return sum(1 for r in parsed.get("Responses", []) if r.get("Item"))
    return 0


@contextmanager
def dynamodb_reads() -> Iterator[Reads]:
    """Every request the shared DynamoDB client sends while the block runs, and the items read."""
    reads = Reads()

    def sent(request: Any, **_: Any) -> None:
        target = request.headers.get("X-Amz-Target", b"")
        reads.calls.append(target.decode() if isinstance(target, bytes) else str(target))

    def answered(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        reads.items += _items_in(model.name, parsed)

    events = client("dynamodb").meta.events
    events.register("before-send.dynamodb", sent, unique_id="read-counts-sent")
    events.register("after-call.dynamodb", answered, unique_id="read-counts-answered")
    try:
        yield reads
    finally:
        events.unregister("before-send.dynamodb", unique_id="read-counts-sent")
        events.unregister("after-call.dynamodb", unique_id="read-counts-answered")
