"""The caller, from the claims a verified Cognito ID token carries.

In AWS the API Gateway Cognito authorizer verifies the token and passes its claims; locally the gateway
does the same checks. Either way the handler trusts only ``requestContext.authorizer.claims``, and takes
the pool from the issuer: a customer token on a staff route is a 403, never a quiet success.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from arportal.api.errors import ApiError
from arportal.config import RuntimeSettings
from arportal.domain.identity import Audience, Caller
from arportal.domain.permissions import Permission, roles_from_groups


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


def caller_from_claims(claims: Mapping[str, Any] | None, settings: RuntimeSettings) -> Caller:
    if not claims or "sub" not in claims:
        raise ApiError(HTTPStatus.UNAUTHORIZED, "unauthorized", "a valid sign-in token is required")
    issuer = str(claims.get("iss", ""))
    pool_id = issuer.rstrip("/").rsplit("/", 1)[-1]
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
