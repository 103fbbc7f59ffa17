"""Count DynamoDB round trips with a botocore event hook, so a budget regression fails a test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from arportal.adapters.aws import client


@dataclass
class RoundTrips:
    calls: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.calls)


@contextmanager
def dynamodb_round_trips() -> Iterator[RoundTrips]:
    """Every request the shared DynamoDB client sends from this thread while the block runs (retries included).
    Other threads (a test's background workers, a runtime's pollers) share the client: their calls are not this
    block's cost, and counting them made the budgets fail at random under load."""
    counter = RoundTrips()
    mine = threading.get_ident()

    def count(request: Any, **_: Any) -> None:
        if threading.get_ident() != mine:
            return
        target = request.headers.get("X-Amz-Target", b"")
        counter.calls.append(target.decode() if isinstance(target, bytes) else str(target))

    events = client("dynamodb").meta.events
    events.register("before-send.dynamodb", count, unique_id="round-trip-counter")
    try:
        yield counter
    finally:
        events.unregister("before-send.dynamodb", unique_id="round-trip-counter")
