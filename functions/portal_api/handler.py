"""Customer portal API: ``/v1/portal/*``. Every route acts only on the caller's own customer record.

Routes live in ``routes/``, one module per concern, each a Powertools ``Router``, included on the first request
that needs it (``routes.MODULES``): a cold start imports none of them.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from arportal.api.app import build_resolver
from arportal.api.route_table import LazyRoutes
from portal_api.routes import MODULES

logger = Logger()
resolver = build_resolver()
routes = LazyRoutes(resolver, "portal_api.routes", MODULES)


def __getattr__(name: str) -> APIGatewayRestResolver:
    # ``app``: the resolver with every route included, for what describes or enumerates the whole API (the OpenAPI
    # document, the local runtime, tests); Lambda's requests include only what they need (lambda_handler).
    if name == "app":
        return routes.register_all()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: an event holds bodies, headers and tokens
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    routes.include_for(event)
    return resolver.resolve(event, context)
