"""Threads as concurrent Lambda containers: the local runtime serves requests on many threads, in one process.

Lambda gives each container one request at a time, so Powertools keeps the request in hand on the resolver: the
event and context on the resolver, the routing context in the app's ``context`` dict. Threads calling the same
in-process handler would see each other's requests there (one customer's request answered with another's
identity). ``isolate_requests(app)`` gives each thread its own copy of that state, so N threads behave like N
containers whose only shared state is AWS (moto), as in a deployed stack.
"""

from __future__ import annotations

import threading
from typing import Any


def isolate_requests(app: Any) -> None:
    """Give ``app`` (a Powertools resolver) per-thread request state; idempotent."""
    if getattr(app.__class__, "_isolated_per_thread", False):
        return
    local = threading.local()
    original = app.__class__

    class OneRequestPerThread(original):  # type: ignore[misc, valid-type]
        _isolated_per_thread = True

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

    OneRequestPerThread.__name__ = original.__name__
    app.__class__ = OneRequestPerThread
