"""Threads as concurrent Lambda containers, for tests that send simultaneous requests through the in-process gateway.

Lambda gives each container one request at a time, so Powertools keeps the request in hand on the resolver: the
event and context on the ``BaseRouter`` class, the routing context in the app's ``context`` dict. Threads calling
the same in-process handler would see each other's requests there. ``one_container_per_thread(app)`` gives each
thread its own copy of that state, so N threads behave like N containers whose only shared state is AWS (moto),
which is exactly what the idempotency record, the processor's key and the posting guard must cope with.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def one_container_per_thread(app: Any) -> Iterator[None]:
    local = threading.local()
    original = app.__class__

    class OneRequestPerThread(original):  # type: ignore[misc, valid-type]
        @property
        def current_event(self) -> Any:
            return local.event

        @current_event.setter
        def current_event(self, value: Any) -> None:
            local.event = value

        @property
        def lambda_context(self) -> Any:
            return local.lambda_context

        @lambda_context.setter
        def lambda_context(self, value: Any) -> None:
            local.lambda_context = value

        @property
        def context(self) -> dict[str, Any]:
            if not hasattr(local, "context"):
                local.context = {}
            return local.context  # type: ignore[no-any-return]

        @context.setter
        def context(self, value: dict[str, Any]) -> None:
            local.context = value

        def resolve(self, event: Any, context: Any) -> Any:
            local.event = self._to_proxy_event(event)
            local.lambda_context = context
            return super().resolve(event, context)

    app.__class__ = OneRequestPerThread
    try:
        yield
    finally:
        app.__class__ = original
