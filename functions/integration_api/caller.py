"""The connected system calling: verified by API Gateway's authorizer on the integrations pool (locally the
gateway), named by its app client, and holding the scope the route needs (403 ``insufficient_scope`` otherwise).

Every route starts with ``current_system(router, "<scope>")``; its ``actor`` (``system:<client name>``) and its
``channel`` (``integration``) go on what the request writes.
"""

from __future__ import annotations

from typing import cast

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal.api.identity import caller_from_claims, require_machine, require_scope
from arportal.config import settings
from arportal.domain.identity import Caller
from arportal.wiring import integrations


def current_system(router: Router, scope: str | None) -> Caller:
    """The calling system; ``scope`` (a short name, ``invoices.write``) is the one the route needs, None for any."""
    event = cast(APIGatewayProxyEvent, router.current_event)
    authorizer = event.request_context.authorizer
    caller = caller_from_claims(
        authorizer.claims if authorizer else None, settings(), client_names=integrations.client_name
    )
    return require_machine(caller) if scope is None else require_scope(caller, scope)
