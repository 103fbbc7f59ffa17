"""The caller, from the claims a verified Cognito token carries.

In AWS the API Gateway Cognito authorizers verify the token and pass its claims; locally the gateway does the
same checks. Either way the handler trusts only ``requestContext.authorizer.claims``, and takes the pool from
the issuer: a customer token on a staff route is a 403, never a quiet success.

People sign in with ID tokens of the customer or the staff pool. A connected system signs in with an access
token of the integrations pool (OAuth 2.0 client credentials): ``sub`` and ``client_id`` are its app client's id,
``scope`` the scopes it was granted. Its name (the app client's name, for ``system:<name>`` in the audit trail)
is not in the token: the route hands ``caller_from_claims`` a lookup (``arportal.wiring.integrations``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from arportal.api.errors import ApiError
from arportal.config import RuntimeSettings
from arportal.domain.identity import Audience, Caller
from arportal.domain.integration_scopes import full_name, granted
from arportal.domain.permissions import Permission, roles_from_groups

# app client id -> its name, or None when the pool has no such client
ClientNames = Callable[[str], str | None]


def _groups(raw: Any) -> list[str]:
    """API Gateway passes ``cognito:groups`` as a string ("a,b" or "[a b]"); locally it may be a list."""
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(g) for g in raw]
    text = str(raw).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
            if isinstance(parsed, list):
                return [str(g) for g in parsed]
        except ValueError:
            text = text.strip("[]")
    return [g for g in text.replace(",", " ").split() if g]


def caller_from_claims(
    claims: Mapping[str, Any] | None, settings: RuntimeSettings, *, client_names: ClientNames | None = None
) -> Caller:
    """The caller the claims prove. ``client_names`` names a connected system (its app client's name); without
    it a connected system's ``client_name`` is None (enough to decide who may call a route, not to audit)."""
    if not claims or "sub" not in claims:
        raise ApiError(HTTPStatus.UNAUTHORIZED, "unauthorized", "a valid sign-in token is required")
    issuer = str(claims.get("iss", ""))
    pool_id = issuer.rstrip("/").rsplit("/", 1)[-1]
    if settings.integrations_pool_id and pool_id == settings.integrations_pool_id:
        return _machine(claims, client_names)
    email = claims.get("email")
    if pool_id == settings.customer_pool_id:
        customer_id = claims.get("custom:customer_id")
        return Caller(
            subject=str(claims["sub"]),
            audience=Audience.CUSTOMER,
            email=str(email) if email else None,
            customer_id=str(customer_id) if customer_id else None,
        )
    if pool_id == settings.staff_pool_id:
        return Caller(
            subject=str(claims["sub"]),
            audience=Audience.STAFF,
            email=str(email) if email else None,
            roles=roles_from_groups(_groups(claims.get("cognito:groups"))),
        )
    raise ApiError(HTTPStatus.UNAUTHORIZED, "unauthorized", "the token was not issued by this agency")


def _machine(claims: Mapping[str, Any], client_names: ClientNames | None) -> Caller:
    client_id = str(claims.get("client_id") or "")
    if claims.get("token_use") != "access" or not client_id:
        raise ApiError(HTTPStatus.UNAUTHORIZED, "unauthorized", "a connected system signs in with an access token")
    name = None
    if client_names is not None:
        name = client_names(client_id)
        if name is None:  # the app client was deleted after the token was issued
            raise ApiError(HTTPStatus.UNAUTHORIZED, "unauthorized", "this client no longer exists")
    return Caller(
        subject=client_id,
        audience=Audience.MACHINE,
        email=None,
        client_name=name,
        scopes=granted(str(claims.get("scope") or "")),
    )


def require_customer(caller: Caller) -> str:
    """The customer id a portal request may act on: only the caller's own."""
    if caller.audience is not Audience.CUSTOMER:
        raise ApiError(HTTPStatus.FORBIDDEN, "forbidden", "this route is for customers")
    if not caller.customer_id:
        raise ApiError(
            HTTPStatus.FORBIDDEN,
            "account_not_linked",
            "this sign-in is not linked to a customer record yet; link an account first",
        )
    return caller.customer_id


def require_staff(caller: Caller, permission: Permission) -> Caller:
    if caller.audience is not Audience.STAFF:
        raise ApiError(HTTPStatus.FORBIDDEN, "forbidden", "this route is for staff")
    if not caller.can(permission):
        raise ApiError(
            HTTPStatus.FORBIDDEN, "forbidden", f"your role does not grant {permission.value}", {"needs": permission}
        )
    return caller


def require_machine(caller: Caller) -> Caller:
    if caller.audience is not Audience.MACHINE:
        raise ApiError(
            HTTPStatus.FORBIDDEN, "forbidden", "this route is for connected systems (OAuth 2.0 client credentials)"
        )
    return caller


def require_scope(caller: Caller, scope: str) -> Caller:
    """A connected system whose token carries ``integrations/<scope>``; 403 ``insufficient_scope`` naming it."""
    require_machine(caller)
    if not caller.has_scope(scope):
        needed = full_name(scope)
        raise ApiError(
            HTTPStatus.FORBIDDEN,
            "insufficient_scope",
            f"this route needs the scope {needed}: ask for it in the token request (and have it granted to the client)",
            {"needs": needed},
        )
    return caller
