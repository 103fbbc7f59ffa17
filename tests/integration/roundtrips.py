"""Count DynamoDB round trips with a botocore event hook, so a budget regression fails a test."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from arportal.adapters.aws import client


@dataclass
class RoundTrips:
    calls: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.calls)


_counting: contextvars.ContextVar[RoundTrips | None] = contextvars.ContextVar("round_trips", default=None)


@contextmanager
def dynamodb_round_trips() -> Iterator[RoundTrips]:
    """Every request the shared DynamoDB client sends for the block (retries included): from its thread and from the
    worker threads it starts (a handler's parallel reads), not from other threads that share the client (a test's
    background workers, a runtime's pollers: counting those made the budgets fail at random under load)."""
    counter = RoundTrips()
    token = _counting.set(counter)
    original_submit = ThreadPoolExecutor.submit

    def submit(pool: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return original_submit(pool, contextvars.copy_context().run, fn, *args, **kwargs)

    def count(request: Any, **_: Any) -> None:
        if _counting.get() is not counter:
            return
        target = request.headers.get("X-Amz-Target", b"")
        counter.calls.append(target.decode() if isinstance(target, bytes) else str(target))

    events = client("dynamodb").meta.events
    events.register("before-send.dynamodb", count, unique_id="round-trip-counter")
    ThreadPoolExecutor.submit = submit  # type: ignore[method-assign]
    try:
        yield counter
    finally:
        ThreadPoolExecutor.submit = original_submit  # type: ignore[method-assign]
        events.unregister("before-send.dynamodb", unique_id="round-trip-counter")
        _counting.reset(token)
