"""Route modules registered on first use, so an API function's cold start imports none of them (issue 18).

Each API function keeps a table, ``routes.MODULES``: every route module of its ``routes/`` package and the rules of
its routes (Powertools' own, ``/v1/staff/customers/<customerId>``). A request imports and includes only the modules
with a rule matching its path, before the resolver routes it; a path no rule matches is the resolver's 404, as it
would be with every route included. ``register_all()`` includes every module: what describes or enumerates the
API (``/openapi.json``, the local runtime, tests) asks for that. ``tests/unit/test_route_tables.py`` holds each
table to the routes its modules define, so a route left out of the table fails ``make test``.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver


class LazyRoutes:
    """The route modules of ``package`` (``portal_api.routes``), included into ``app`` when a request needs them."""

    def __init__(self, app: APIGatewayRestResolver, package: str, modules: Mapping[str, tuple[str, ...]]) -> None:
        self.app = app
        self.package = package
        self.modules = dict(modules)
        self._rules = [
            (module, APIGatewayRestResolver._compile_regex(rule))  # the resolver's own matching
            for module, rules in self.modules.items()
            for rule in rules
        ]
        self._included: set[str] = set()
        self._lock = threading.Lock()  # the local runtime serves one resolver from many threads

    def modules_for(self, path: str) -> list[str]:
        """The modules with a route whose rule matches ``path`` (any method), in the table's order."""
        matching = {module for module, rule in self._rules if rule.match(path)}
        return [module for module in self.modules if module in matching]

    def include(self, modules: list[str]) -> None:
        missing = [module for module in modules if module not in self._included]
        if not missing:
            return
        with self._lock:
            for module in missing:
                if module not in self._included:
                    router = importlib.import_module(f"{self.package}.{module}").router
                    self.app.include_router(router)
                    self._included.add(module)

    def include_for(self, event: Mapping[str, Any]) -> None:
        """Include what the request ``event`` (API Gateway REST) may be routed to."""
        path = event.get("path")
        if isinstance(path, str):
            self.include(self.modules_for(path))

    def register_all(self) -> APIGatewayRestResolver:
        """``app`` with every route included: the whole API, as its description and its tests see it."""
        self.include(list(self.modules))
        return self.app
