"""Who may manage webhook endpoints: an administrator of the agency, or a connected system with the scope for it.

API Gateway's authorizer on ``/v1/integrations/webhooks`` (``Auth.ADMIN_OR_MACHINE``) takes an access token of the
staff pool or of the integrations pool, so the caller here is one of two:

- a staff member (the console sends the person's access token: ``sub``, ``cognito:groups``, no email), who needs
  ``integrations.manage`` (the admin role); recorded as ``staff:<sub>``;
- a connected system, which needs ``integrations/webhooks.manage`` (403 ``insufficient_scope`` naming it); recorded
  as ``system:<client name>``.

Anyone else (a customer's token cannot get through the authorizer, but the handler does not rely on it) is a 403.
"""

from __future__ import annotations

from dataclasses import replace
from http import HTTPStatus
from typing import cast

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal.api.errors import ApiError
from arportal.api.identity import caller_from_claims, require_scope, require_staff
from arportal.config import settings
from arportal.domain.identity import Audience, Caller
from arportal.domain.permissions import Permission
from arportal.wiring import integrations

WEBHOOKS_SCOPE = "webhooks.manage"
ADMIN_PERMISSION = Permission.INTEGRATIONS_MANAGE


def webhook_manager(router: Router) -> Caller:
    """The administrator or the connected system calling, allowed to manage webhook endpoints; 403 otherwise."""
    event = cast(APIGatewayProxyEvent, router.current_event)
    authorizer = event.request_context.authorizer
    caller = caller_from_claims(
        authorizer.claims if authorizer else None, settings(), client_names=integrations.client_name
    )
    if caller.audience is Audience.STAFF:
        # staff:<sub> whatever the token: the access token carries no email, and a sub never changes
        return require_staff(replace(caller, email=None), ADMIN_PERMISSION)
    if caller.audience is Audience.MACHINE:
        return require_scope(caller, WEBHOOKS_SCOPE)
    raise ApiError(
        HTTPStatus.FORBIDDEN,
        "forbidden",
        "webhook endpoints are managed by the agency's administrators and by connected systems with "
        "integrations/webhooks.manage",
    )
