"""Who may manage webhook endpoints, without AWS: the route's own check (``integration_api/webhook_caller.py``, behind
the request guard's) and the local gateway's stand-in for the authorizer over the staff and integrations pools."""

from __future__ import annotations

from http import HTTPStatus
from types import SimpleNamespace
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal.api.errors import ApiError
from infrastructure import catalog
from integration_api import webhook_caller
from local.auth import Pool, TokenError, TokenVerifier, issuer_of
from local.gateway import _wrong_kind
from tests.unit.test_identity import ISS, SETTINGS
from tests.unit.test_integration_clients import _jwks, _sign

MACHINES = "us-east-1_Machines"
STAFF_ISS, MACHINE_ISS, CUSTOMER_ISS = ISS + "us-east-1_Staff", ISS + MACHINES, ISS + "us-east-1_Cust"


@pytest.fixture(autouse=True)
def _settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        webhook_caller, "settings", lambda: SETTINGS.model_copy(update={"integrations_pool_id": MACHINES})
    )
    monkeypatch.setattr(webhook_caller.integrations, "client_name", {"client1": "erp"}.get)


def _manager(claims: dict[str, Any]) -> Any:
    event = APIGatewayProxyEvent({"requestContext": {"authorizer": {"claims": claims}}, "headers": {}})
    return webhook_caller.webhook_manager(SimpleNamespace(current_event=event))  # type: ignore[arg-type]


def _refusal(claims: dict[str, Any]) -> tuple[HTTPStatus, str, Any]:
    with pytest.raises(ApiError) as refused:
        _manager(claims)
    return refused.value.status, refused.value.code, refused.value.details


def _system(scope: str) -> dict[str, Any]:
    return {"sub": "client1", "client_id": "client1", "iss": MACHINE_ISS, "token_use": "access", "scope": scope}


def test_an_admin_is_recorded_by_sub_and_a_system_by_name() -> None:
    admin = _manager({"sub": "s-1", "iss": STAFF_ISS, "cognito:groups": "admin", "email": "a@example.org"})
    assert admin.actor == "staff:s-1"  # whatever the token carries: a sub never changes
    system = _manager(_system("integrations/webhooks.manage integrations/events.read"))
    assert system.actor == "system:erp"


def test_other_staff_systems_without_the_scope_and_customers_are_403() -> None:
    for role in ("agent", "supervisor", "finance", ""):
        status, code, details = _refusal({"sub": "s", "iss": STAFF_ISS, "cognito:groups": role})
        assert (status, code, details) == (HTTPStatus.FORBIDDEN, "forbidden", {"needs": "integrations.manage"}), role
    assert _refusal(_system("integrations/events.read")) == (
        HTTPStatus.FORBIDDEN,
        "insufficient_scope",
        {"needs": "integrations/webhooks.manage"},
    )
    status, code, _ = _refusal({"sub": "c", "iss": CUSTOMER_ISS, "custom:customer_id": "CUS-1"})
    assert (status, code) == (HTTPStatus.FORBIDDEN, "forbidden")


# --- the local authorizer ---------------------------------------------------------------------------------------


def test_the_webhook_routes_take_access_tokens_of_the_staff_and_integrations_pools_with_their_scopes() -> None:
    staff = Pool("us-east-1_Staff", "web", issuer_of("us-east-1", "us-east-1_Staff"), "jwks", name="staff")
    customers = Pool("us-east-1_Cust", "app", issuer_of("us-east-1", "us-east-1_Cust"), "jwks", name="customer")
    verifier = TokenVerifier([staff, customers], fetch=_jwks, clock=lambda: 2000)
    access = {"iss": staff.issuer, "token_use": "access", "client_id": "web", "exp": 3000, "sub": "s"}
    claims = verifier.verify(_sign({**access, "scope": catalog.STAFF_ACCESS_SCOPE}), access=True)
    assert _wrong_kind(catalog.Auth.ADMIN_OR_MACHINE, verifier.pool_of(claims), claims) is None
    with pytest.raises(TokenError, match="access token"):  # an ID token, as API Gateway refuses it there
        verifier.verify(_sign({**access, "token_use": "id", "aud": "web"}), access=True)
    with pytest.raises(TokenError, match="ID token"):  # and an access token on the people's routes
        verifier.verify(_sign(access))
    unscoped = verifier.verify(_sign({**access, "scope": "openid"}), access=True)
    assert "none of this route's scopes" in str(_wrong_kind(catalog.Auth.ADMIN_OR_MACHINE, staff, unscoped))
    customer = {**access, "iss": customers.issuer, "scope": catalog.STAFF_ACCESS_SCOPE}
    found = verifier.verify(_sign(customer), access=True)
    assert "not for customers" in str(_wrong_kind(catalog.Auth.ADMIN_OR_MACHINE, verifier.pool_of(found), found))
