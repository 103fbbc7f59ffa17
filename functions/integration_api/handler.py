"""Integration API: ``/v1/integrations/*``, for the agency's own systems (OAuth 2.0 client credentials).

API Gateway lets through only access tokens of the integrations user pool that carry at least one integration
scope; each route checks its own (``integration_api/caller.py``). The webhook endpoints' routes take an
administrator's access token too (``integration_api/webhook_caller.py``). Routes live in ``routes/``, one module per
concern, each a Powertools ``Router``, included on the first request that needs it (``routes.MODULES``).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from arportal.api.app import build_resolver
from arportal.api.route_table import LazyRoutes
from integration_api.routes import MODULES

logger = Logger()
resolver = build_resolver()
routes = LazyRoutes(resolver, "integration_api.routes", MODULES)


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
