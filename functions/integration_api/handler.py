"""Integration API: ``/v1/integrations/*``, for the agency's own systems (OAuth 2.0 client credentials).

API Gateway lets through only access tokens of the integrations user pool that carry at least one integration
scope; each route checks its own (``integration_api/caller.py``). The webhook endpoints' routes take an
administrator's access token too (``integration_api/webhook_caller.py``). Routes live in ``routes/``, one module per
concern, each a Powertools ``Router`` included here.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from arportal.api.app import build_resolver
from integration_api.routes import bank_files, batches, clients, events, imports, readback, webhooks

logger = Logger()
app = build_resolver()
for module in (clients, batches, events, readback, imports, bank_files, webhooks):
    app.include_router(module.router)


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: an event holds bodies, headers and tokens
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
