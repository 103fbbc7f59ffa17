"""The webhook endpoints' routes through the local gateway, as API Gateway's authorizer and the handler decide:

- who: an administrator's access token and a connected system's with ``integrations/webhooks.manage`` both work;
  an agent's is 403, a system's without the scope 403 ``insufficient_scope``, a customer's refused, an ID token 401
  (the authorizer has scopes: access tokens only); each staff role on each route;
- what: create, list, get, patch, delete; the ``whsec_`` secret answered at creation and at rotation only, and
  verifying the test event's signature with the official ``standardwebhooks`` library; 422 with the domain's reason
  for a URL over 2 KB, not https, on a private address, or an unknown event type.

Replay, the public key and the contract: ``test_webhook_replay_api.py``. The environment is the session's: every
test makes endpoints of its own.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from standardwebhooks import Webhook

from arportal import clock
from arportal.api.request_guard import INTEGRATION_ADMIN_ROUTES
from arportal.domain.permissions import ROLE_PERMISSIONS, Permission, Role
from local.environment import LocalEnvironment
from tests.integration.webhook_api_support import (
    BASE,
    ROUTE_CALLS,
    WEBHOOKS_SCOPE,
    Tokens,
    create,
    hook_url,
    make_tokens,
    running_receiver,
    webhooks_local,
)


@pytest.fixture(scope="module")
def tokens(local_env: LocalEnvironment) -> Tokens:
    return make_tokens(local_env)


@pytest.fixture(scope="module", autouse=True)
def local_rules(local_env: LocalEnvironment) -> Iterator[None]:
    yield from webhooks_local(local_env, "true")


receiver = pytest.fixture(running_receiver)


@pytest.fixture
def deployed_rules(local_env: LocalEnvironment) -> Iterator[None]:
    """As a deployed stack checks a URL: https only, no private address."""
    yield from webhooks_local(local_env, "false")


# --- who may call ---------------------------------------------------------------------------------------------------


def test_an_admin_and_a_system_with_the_scope_manage_endpoints(gateway, tokens, receiver) -> None:
    for token, actor in ((tokens.admin, f"staff:{tokens.admin_sub}"), (tokens.system, "system:demo-erp")):
        created = create(gateway, token, hook_url(receiver), description=f"by {actor}")
        assert created.status == 201, created.body
        listed = gateway.request("GET", BASE, token=token)
        assert listed.status == 200, listed.body
        assert created.body["id"] in {e["id"] for e in listed.body["endpoints"]}


def test_who_else_is_refused_and_why(gateway, tokens, receiver) -> None:
    url = hook_url(receiver)
    agent = create(gateway, tokens.agent, url)
    assert agent.status == 403 and agent.body["error"]["code"] == "forbidden", agent.body
    assert agent.body["error"]["details"] == {"needs": "integrations.manage"}
    narrow = create(gateway, tokens.system_without_scope, url)
    assert narrow.status == 403 and narrow.body["error"]["code"] == "insufficient_scope", narrow.body
    assert narrow.body["error"]["details"] == {"needs": WEBHOOKS_SCOPE}
    # ID tokens are refused by the authorizer (it has scopes: access tokens only), an admin's too
    for id_token in (tokens.admin_id, tokens.customer):
        refused = gateway.request("GET", BASE, token=id_token)
        assert refused.status == 401 and refused.body["error"]["code"] == "unauthorized", refused.body
    # a customer's access token: the customer pool is not on the authorizer (API Gateway: 401; locally 403, why)
    customer = gateway.request("GET", BASE, token=tokens.customer_access)
    assert customer.status == 403 and "not for customers" in customer.body["error"]["message"], customer.body
    assert gateway.request("GET", BASE).status == 401
    # and a staff access token opens no other route: the console's own routes take ID tokens only
    assert gateway.request("GET", "/v1/staff/integrations/clients", token=tokens.admin).status == 401
    assert gateway.request("GET", "/v1/integrations/me", token=tokens.admin).status == 401


def test_every_webhook_route_is_in_the_request_guards_table() -> None:
    templates = {(m, p.replace("{endpoint}", f"{BASE}/<endpointId>")) for m, p, _ in ROUTE_CALLS}
    assert templates == set(INTEGRATION_ADMIN_ROUTES)


@pytest.fixture(scope="module")
def role_tokens(local_env: LocalEnvironment) -> dict[Role, str]:
    """Each role's access token."""
    tag = uuid.uuid4().hex[:8]
    users = {
        role: local_env.create_user(f"webhooks-{role.value}-{tag}@example.org", groups=(role.value,)) for role in Role
    }
    return {role: local_env.login(user.username).access_token for role, user in users.items()}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("call", ROUTE_CALLS, ids=[f"{m} {p}" for m, p, _ in ROUTE_CALLS])
def test_each_staff_role_by_route(gateway, role_tokens, call, role) -> None:
    """A role with integrations.manage gets past the check (a 404 for an endpoint that does not exist); any other is
    403 before its body is read."""
    method, path, body = call
    token = role_tokens[role]
    missing = f"{BASE}/whe_{uuid.uuid4().hex[:26].upper()}"
    target = path.replace("{endpoint}", missing)
    reply = gateway.request(method, target, token=token, json=body if body is not None else None)
    if Permission.INTEGRATIONS_MANAGE in ROLE_PERMISSIONS[role]:
        expected = {201} if (method, path) == ("POST", BASE) else {200, 404}
        assert reply.status in expected, (role, reply.status, reply.body)
        if reply.status == 201:
            gateway.request("DELETE", f"{BASE}/{reply.body['id']}", token=token)
    else:
        assert reply.status == 403 and reply.body["error"]["code"] == "forbidden", (role, reply.body)


# --- what they do ---------------------------------------------------------------------------------------------------


def test_create_list_get_patch_delete_and_the_secret_only_at_creation(gateway, tokens, receiver) -> None:
    url = hook_url(receiver)
    created = create(gateway, tokens.admin, url, description="Billing system", rate_limit=5, ed25519=True)
    assert created.status == 201, created.body
    endpoint = created.body
    assert endpoint["id"].startswith("whe_") and len(endpoint["id"]) == 30
    assert endpoint["secret"].startswith("whsec_")
    assert {k: endpoint[k] for k in ("url", "event_types", "description", "enabled", "rate_limit", "ed25519")} == {
        "url": url,
        "event_types": ["payment.*"],
        "description": "Billing system",
        "enabled": True,
        "rate_limit": 5,
        "ed25519": True,
    }
    path = f"{BASE}/{endpoint['id']}"
    read = gateway.request("GET", path, token=tokens.system)
    assert read.status == 200, read.body
    assert "secret" not in read.body and endpoint["secret"] not in json.dumps(read.body)
    listed = gateway.request("GET", BASE, token=tokens.admin)
    assert endpoint["secret"] not in json.dumps(listed.body)
    assert read.body == {k: v for k, v in endpoint.items() if k != "secret"}

    switched = gateway.request("PATCH", path, token=tokens.admin, json={"enabled": False, "event_types": ["*"]})
    assert switched.status == 200, switched.body
    assert switched.body["enabled"] is False and switched.body["disabled_reason"] == "by_admin"
    assert switched.body["event_types"] == ["*"]
    back = gateway.request("PATCH", path, token=tokens.system, json={"enabled": True})
    assert back.body["enabled"] is True and back.body["disabled_reason"] is None
    assert gateway.request("PATCH", path, token=tokens.admin, json={}).status == 422  # nothing to change

    assert gateway.request("DELETE", path, token=tokens.admin).status == 204
    gone = gateway.request("GET", path, token=tokens.admin)
    assert gone.status == 404 and gone.body["error"]["code"] == "not_found"
    assert endpoint["id"] not in {e["id"] for e in gateway.request("GET", BASE, token=tokens.admin).body["endpoints"]}


def test_a_test_event_is_signed_with_the_secret_and_logged(gateway, tokens, receiver) -> None:
    created = create(gateway, tokens.admin, hook_url(receiver))
    assert created.status == 201, created.body
    path, secret = f"{BASE}/{created.body['id']}", created.body["secret"]
    sent = gateway.request("POST", f"{path}/test", token=tokens.admin)
    assert sent.status == 200, sent.body
    assert sent.body["delivered"] is True and sent.body["status_code"] == 200
    (_, headers, body) = receiver.received[-1]
    lowered = {k.lower(): v for k, v in headers.items()}
    Webhook(secret).verify(body, lowered)  # the official library: raises if the signature does not verify
    assert lowered["webhook-id"] == sent.body["event_id"]
    log = gateway.request("GET", f"{path}/attempts", token=tokens.admin)
    assert log.status == 200, log.body
    assert log.body["attempts"][0]["event_id"] == sent.body["event_id"]
    assert log.body["attempts"][0]["delivered"] is True and log.body["attempts"][0]["status_code"] == 200


def test_rotation_answers_a_new_secret_once_and_both_sign_during_the_overlap(gateway, tokens, receiver) -> None:
    created = create(gateway, tokens.system, hook_url(receiver))
    path, old = f"{BASE}/{created.body['id']}", created.body["secret"]
    rotated = gateway.request("POST", f"{path}/rotate", token=tokens.system, json={"overlap_hours": 2})
    assert rotated.status == 200, rotated.body
    new = rotated.body["secret"]
    assert new.startswith("whsec_") and new != old
    until = rotated.body["previous_valid_until"]
    assert until.startswith((clock.now() + timedelta(hours=2)).isoformat()[:13]), until
    assert new not in json.dumps(gateway.request("GET", path, token=tokens.system).body)
    assert gateway.request("POST", f"{path}/test", token=tokens.system).body["delivered"] is True
    (_, headers, body) = receiver.received[-1]
    lowered = {k.lower(): v for k, v in headers.items()}
    for secret in (old, new):
        Webhook(secret).verify(body, lowered)
    default = gateway.request("POST", f"{path}/rotate", token=tokens.admin)  # no body: 24 hours
    assert default.status == 200, default.body


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://hooks.example.org/" + "a" * 2100, "too_long"),
        ("http://hooks.example.org/x", "not_https"),
        ("https://127.0.0.1/x", "private_address"),
        ("https://10.1.2.3/x", "private_address"),
        ("https://[fe80::1]/x", "private_address"),
        ("https://169.254.169.254/latest/meta-data", "private_address"),
    ],
)
def test_a_url_that_cannot_be_used_is_422_with_the_reason(gateway, tokens, deployed_rules, url, reason) -> None:
    refused = create(gateway, tokens.admin, url)
    assert refused.status == 422, refused.body
    assert refused.body["error"]["code"] == "invalid_endpoint"
    assert refused.body["error"]["details"]["field"] == "url" and refused.body["error"]["details"]["reason"] == reason


def test_an_unknown_event_type_is_422_naming_it(gateway, tokens, receiver) -> None:
    refused = gateway.request(
        "POST",
        BASE,
        token=tokens.admin,
        json={"url": hook_url(receiver), "event_types": ["payment.*", "paymnt.posted"]},
    )
    assert refused.status == 422, refused.body
    details = refused.body["error"]["details"]
    assert details["field"] == "event_types" and details["reason"] == "unknown_event_type"
    assert details["unknown"] == ["paymnt.posted"]


def test_ids_that_are_not_endpoint_ids_are_422(gateway, tokens) -> None:
    for bad in ("whe_lowercase00000000000000000", "pay_01ARZ3NDEKTSV4RRFFQ69G5FAV", "whe_1"):
        assert gateway.request("GET", f"{BASE}/{bad}", token=tokens.admin).status == 422, bad
