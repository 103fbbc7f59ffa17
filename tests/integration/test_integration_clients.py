"""Connected systems end to end on the local runtime: the token endpoint (OAuth 2.0 client credentials, as Cognito's),
the integration routes' authorizer and scopes, and an admin rotating a client's secret without downtime.

The environment is the session's (``local_env``): every test that changes a client works on a client of its own
(``fresh_client``), so the demo client keeps its one secret for the other tests.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from arportal.domain import integration_scopes
from arportal.domain.cards import luhn_valid
from local import moto_client_secrets
from local.apigw import Request
from local.auth import TokenVerifier, issuer_of, machine_pool_for
from local.environment import LocalEnvironment
from local.gateway import Gateway
from local.resources import DEMO_CLIENT
from tests.integration.conftest import GatewayClient, Users
from tests.integration.integration_support import basic, client_credentials, machine_token, token_request

ME = "/v1/integrations/me"
CLIENTS = "/v1/staff/integrations/clients"
EVERY_SCOPE = sorted(integration_scopes.all_full_names())


@pytest.fixture
def fresh_client(local_env: LocalEnvironment) -> Callable[..., tuple[str, str, str]]:
    """A new client-credentials app client of the integrations pool: (name, client id, secret)."""

    def make(scopes: tuple[str, ...] = ("invoices.write", "events.read")) -> tuple[str, str, str]:
        name = f"system-{uuid.uuid4().hex[:8]}"
        created = local_env.client("cognito-idp").create_user_pool_client(
            UserPoolId=local_env.resources.integrations_pool_id,
            ClientName=name,
            GenerateSecret=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=[integration_scopes.full_name(s) for s in scopes],
        )["UserPoolClient"]
        return name, created["ClientId"], created["ClientSecret"]

    return make


def _token(gateway: Gateway, client_id: str, secret: str, **form: str) -> tuple[int, dict[str, Any]]:
    answer = token_request(
        gateway, {"grant_type": "client_credentials", **form}, authorization=basic(client_id, secret)
    )
    return answer.status, answer.json()


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


# --- the token endpoint -------------------------------------------------------------------------------------------


def test_the_demo_client_gets_a_cognito_style_access_token_with_every_scope(local_env: LocalEnvironment) -> None:
    gateway = Gateway(local_env)
    client_id, secret = client_credentials(local_env)
    status, body = _token(gateway, client_id, secret)
    assert status == 200, body
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    claims = _claims(body["access_token"])
    resources = local_env.resources
    now = time.time()  # Cognito's clock (real time), not the product's
    assert claims["sub"] == claims["client_id"] == client_id
    assert claims["token_use"] == "access" and claims["version"] == 2 and claims["jti"]
    assert claims["iss"] == issuer_of(resources.region, resources.integrations_pool_id)
    assert sorted(claims["scope"].split()) == EVERY_SCOPE
    assert abs(claims["iat"] - now) < 60 and claims["exp"] == claims["iat"] + 3600
    # Verified against the pool's JWKS on moto, as people's tokens are.
    verifier = TokenVerifier(
        [machine_pool_for(resources.endpoint_url, resources.region, resources.integrations_pool_id)]
    )
    assert verifier.verify(body["access_token"])["client_id"] == client_id


def test_credentials_in_the_body_are_accepted_as_cognito_accepts_them(local_env: LocalEnvironment) -> None:
    client_id, secret = client_credentials(local_env)
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    answer = token_request(Gateway(local_env), form)
    assert answer.status == 200, answer.json()
    assert answer.header("Cache-Control") == "no-store"


def test_a_scope_subset_is_granted_and_a_scope_the_client_lacks_is_invalid_scope(
    local_env: LocalEnvironment, fresh_client: Callable[..., tuple[str, str, str]]
) -> None:
    gateway = Gateway(local_env)
    _, client_id, secret = fresh_client(("invoices.write", "events.read"))
    status, body = _token(gateway, client_id, secret, scope="integrations/events.read")
    assert status == 200, body
    assert _claims(body["access_token"])["scope"] == "integrations/events.read"
    status, body = _token(gateway, client_id, secret)
    assert sorted(_claims(body["access_token"])["scope"].split()) == [
        "integrations/events.read",
        "integrations/invoices.write",
    ]
    for scope in ("integrations/events.read integrations/payments.read", "integrations/nope", "events.read", ""):
        status, body = _token(gateway, client_id, secret, scope=scope)
        assert (status, body["error"]) == (400, "invalid_scope"), scope


@pytest.mark.parametrize(
    ("how", "status", "error"),
    [
        ("wrong secret", 401, "invalid_client"),
        ("unknown client", 401, "invalid_client"),
        ("no credentials", 401, "invalid_client"),
        ("bearer instead of basic", 401, "invalid_client"),
        ("not base64", 401, "invalid_client"),
        ("grant password", 400, "unsupported_grant_type"),
        ("grant authorization_code", 400, "invalid_grant"),
        ("no grant", 400, "invalid_request"),
        ("json body", 400, "invalid_request"),
        ("basic and body secret", 400, "invalid_request"),
    ],
)
def test_refusals_are_rfc_6749_errors(local_env: LocalEnvironment, how: str, status: int, error: str) -> None:
    client_id, secret = client_credentials(local_env)
    form: dict[str, str] = {"grant_type": "client_credentials"}
    authorization: str | None = basic(client_id, secret)
    content_type = "application/x-www-form-urlencoded"
    if how == "wrong secret":
        authorization = basic(client_id, secret[:-1] + ("x" if secret[-1] != "x" else "y"))
    elif how == "unknown client":
        authorization = basic("0000noclient0000", secret)
    elif how == "no credentials":
        authorization = None
    elif how == "bearer instead of basic":
        authorization = f"Bearer {secret}"
    elif how == "not base64":
        authorization = "Basic !!!"
    elif how == "grant password":
        form["grant_type"] = "password"
    elif how == "grant authorization_code":
        form["grant_type"] = "authorization_code"
    elif how == "no grant":
        form = {}
    elif how == "json body":
        content_type = "application/json"
    elif how == "basic and body secret":
        form["client_secret"] = secret
    answer = token_request(Gateway(local_env), form, authorization=authorization, content_type=content_type)
    assert answer.status == status, answer.json()
    assert answer.json()["error"] == error
    if status == 401:
        assert (answer.header("WWW-Authenticate") or "").startswith("Basic")


def test_a_person_app_client_cannot_use_client_credentials(local_env: LocalEnvironment) -> None:
    answer = token_request(
        Gateway(local_env),
        {"grant_type": "client_credentials"},
        authorization=basic(local_env.resources.staff_client_id, "no-secret-at-all"),
    )
    assert (answer.status, answer.json()["error"]) == (401, "invalid_client")


# --- the integration routes ---------------------------------------------------------------------------------------


def test_the_machine_route_answers_who_the_token_belongs_to(
    local_env: LocalEnvironment, gateway: GatewayClient
) -> None:
    reply = gateway.request("GET", ME, token=machine_token(local_env))
    assert reply.status == 200, reply.body
    assert reply.body == {
        "client_id": local_env.resources.integration_clients[DEMO_CLIENT],
        "client_name": DEMO_CLIENT,
        "scopes": EVERY_SCOPE,
    }
    narrow = gateway.request("GET", ME, token=machine_token(local_env, scope="integrations/balances.read"))
    assert narrow.body["scopes"] == ["integrations/balances.read"]


def test_the_machine_route_without_a_token_or_with_a_bad_one_is_401(
    local_env: LocalEnvironment, gateway: GatewayClient
) -> None:
    assert gateway.request("GET", ME).status == 401
    token = machine_token(local_env)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert gateway.request("GET", ME, token=forged).status == 401
    assert gateway.request("GET", ME, token="not.a.token").status == 401


def test_people_tokens_on_the_machine_route_and_machine_tokens_on_people_routes_are_403(
    local_env: LocalEnvironment, gateway: GatewayClient, make_users: Callable[..., Users]
) -> None:
    users = make_users(groups=("admin",))
    for token in (users.customer_token, users.staff_token):
        reply = gateway.request("GET", ME, token=token)
        assert reply.status == 403 and reply.body["error"]["code"] == "forbidden", reply.body
    machine = machine_token(local_env)
    for path in ("/v1/portal/dashboard", "/v1/staff/search?q=CUS-0000NOONE", CLIENTS):
        reply = gateway.request("GET", path, token=machine)
        assert reply.status == 403 and reply.body["error"]["code"] == "forbidden", (path, reply.body)


def _scoped_handler() -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The integration API's resolver with one route that needs ``invoices.write``, as every batch route will."""
    from arportal.api.app import build_resolver, new_router
    from integration_api.caller import current_system

    app, router = build_resolver(), new_router()

    @router.get("/v1/integrations/needs-invoices")
    def needs_invoices() -> dict[str, Any]:
        caller = current_system(router, "invoices.write")
        return {"actor": caller.actor, "channel": caller.channel}

    app.include_router(router)
    return app.resolve  # type: ignore[return-value]


def test_a_route_answers_insufficient_scope_naming_the_scope_it_needs(local_env: LocalEnvironment) -> None:
    gateway = GatewayClient(Gateway(local_env, handlers={"integration_api": _scoped_handler()}))
    path = "/v1/integrations/needs-invoices"
    refused = gateway.request("GET", path, token=machine_token(local_env, scope="integrations/events.read"))
    assert refused.status == 403, refused.body
    assert refused.body["error"]["code"] == "insufficient_scope"
    assert refused.body["error"]["details"] == {"needs": "integrations/invoices.write"}
    allowed = gateway.request("GET", path, token=machine_token(local_env, scope="integrations/invoices.write"))
    assert allowed.status == 200, allowed.body
    # what the route writes is recorded as made by the system, on the integration channel
    assert allowed.body == {"actor": f"system:{DEMO_CLIENT}", "channel": "integration"}


# --- an admin rotates a secret ------------------------------------------------------------------------------------


def test_an_admin_rotates_a_secret_and_both_work_until_the_old_one_is_deleted(
    local_env: LocalEnvironment,
    gateway: GatewayClient,
    make_users: Callable[..., Users],
    fresh_client: Callable[..., tuple[str, str, str]],
) -> None:
    admin = make_users(groups=("admin",)).staff_token
    endpoint = Gateway(local_env)
    name, client_id, old_secret = fresh_client()

    listed = gateway.request("GET", CLIENTS, token=admin)
    assert listed.status == 200, listed.body
    mine = next(c for c in listed.body["clients"] if c["client_id"] == client_id)
    assert mine["client_name"] == name
    assert mine["scopes"] == ["integrations/events.read", "integrations/invoices.write"]
    assert mine["scope_descriptions"] == {s: integration_scopes.description_of(s) for s in mine["scopes"]}
    (old,) = mine["secrets"]
    assert set(old) == {"secret_id", "created_at"} and old["secret_id"].startswith(f"{client_id}--")
    assert old_secret not in json.dumps(listed.body)  # never a secret's value
    demo = next(c for c in listed.body["clients"] if c["client_name"] == DEMO_CLIENT)
    assert demo["scopes"] == EVERY_SCOPE

    added = gateway.request("POST", f"{CLIENTS}/{client_id}/secrets", token=admin)
    assert added.status == 201, added.body
    new_secret = added.body["client_secret"]
    assert added.body["client_id"] == client_id and added.body["secret_id"] != old["secret_id"]
    assert new_secret != old_secret
    for secret in (old_secret, new_secret):  # both work while the system moves over
        assert _token(endpoint, client_id, secret)[0] == 200

    third = gateway.request("POST", f"{CLIENTS}/{client_id}/secrets", token=admin)
    assert third.status == 409 and third.body["error"]["code"] == "conflict", third.body

    deleted = gateway.request("DELETE", f"{CLIENTS}/{client_id}/secrets/{old['secret_id']}", token=admin)
    assert deleted.status == 204, deleted.body
    status, refused = _token(endpoint, client_id, old_secret)
    assert (status, refused["error"]) == (401, "invalid_client")
    assert _token(endpoint, client_id, new_secret)[0] == 200

    last = gateway.request("DELETE", f"{CLIENTS}/{client_id}/secrets/{added.body['secret_id']}", token=admin)
    assert last.status == 409, last.body
    gone = gateway.request("DELETE", f"{CLIENTS}/{client_id}/secrets/{old['secret_id']}", token=admin)
    assert gone.status == 404, gone.body
    unknown = gateway.request("POST", f"{CLIENTS}/0000noclient0000/secrets", token=admin)
    assert unknown.status == 404, unknown.body

    # Audited on the client's own chain: who, which secret; never the value.
    trail = gateway.request("GET", f"/v1/staff/audit?entity=integration_client:{client_id}", token=admin)
    assert trail.status == 200, trail.body
    records = trail.body["records"]
    assert [r["action"] for r in records] == ["integration_client.secret_added", "integration_client.secret_deleted"]
    assert [r["after"]["secret_id"] for r in records] == [added.body["secret_id"], old["secret_id"]]
    assert all(r["actor"].startswith("staff:") for r in records)
    assert trail.body["verification"]["ok"] is True
    assert new_secret not in json.dumps(trail.body) and old_secret not in json.dumps(trail.body)


def test_a_secret_whose_timestamp_passes_the_luhn_check_is_still_an_id_and_a_card_number_is_not(
    gateway: GatewayClient, make_users: Callable[..., Users], fresh_client: Callable[..., tuple[str, str, str]]
) -> None:
    # A Cognito secret id ends in its epoch ms: 13 digits, Luhn-valid one time in ten. It reaches the route (404:
    # no such secret), where a card number anywhere else in the path is still refused before any route runs.
    admin = make_users(groups=("admin",)).staff_token
    _, client_id, _ = fresh_client()
    millis = next(n for n in range(1_796_248_447_428, 1_796_248_447_448) if luhn_valid(str(n)))
    secrets = f"{CLIENTS}/{client_id}/secrets"
    reached = gateway.request("DELETE", f"{secrets}/{client_id}--{millis}", token=admin)
    assert reached.status == 404, reached.body
    for path in (
        f"{secrets}/4242424242424242",
        f"{secrets}/{client_id}--4242424242424242",
        f"{secrets}/other--{millis}",
        f"{secrets}/{client_id}--{millis}x",
        f"{CLIENTS}/4242424242424242/secrets/4242424242424242--{millis}",
    ):
        refused = gateway.request("DELETE", path, token=admin)
        assert refused.status == 422 and refused.body["error"]["code"] == "card_number_rejected", (path, refused.body)


def test_only_an_admin_manages_clients(gateway: GatewayClient, make_users: Callable[..., Users]) -> None:
    for role in ("agent", "supervisor", "finance"):
        users = make_users(groups=(role,))
        reply = gateway.request("GET", CLIENTS, token=users.staff_token)
        assert reply.status == 403 and reply.body["error"]["details"] == {"needs": "integrations.manage"}, role
        assert gateway.request("GET", CLIENTS, token=users.customer_token).status == 403


def test_local_clients_lists_every_client_with_its_secrets(local_env: LocalEnvironment) -> None:
    answer = Gateway(local_env).dispatch(Request("GET", "/local/clients"))
    assert answer.status == 200
    body = answer.json()
    assert body["token_url"] == "/oauth2/token"
    demo = next(c for c in body["clients"] if c["client_name"] == DEMO_CLIENT)
    client_id, secret = client_credentials(local_env)
    assert demo["client_id"] == client_id and demo["client_secret"] == secret and demo["scopes"] == EVERY_SCOPE
    resources = local_env.resources
    assert demo["client_secrets"] == moto_client_secrets.client_secrets(
        resources.integrations_pool_id, client_id, account=resources.account_id, region=resources.region
    )


# --- the contract -------------------------------------------------------------------------------------------------


def test_the_contract_documents_the_machine_routes_and_the_client_admin_routes(gateway: GatewayClient) -> None:
    document = gateway.request("GET", "/openapi.json").body
    scheme = document["components"]["securitySchemes"]["integrations"]
    assert scheme["type"] == "oauth2"
    flow = scheme["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth2/token"  # the local gateway's; a deployment's INTEGRATIONS_TOKEN_URL
    assert sorted(flow["scopes"]) == EVERY_SCOPE
    me = document["paths"][ME]["get"]
    assert me["security"] == [{"integrations": []}] and me["tags"] == ["integrations"]
    assert {"200", "401", "403"} <= me["responses"].keys()
    assert "insufficient_scope" in me["responses"]["403"]["description"]
    for path, method in (
        (CLIENTS, "get"),
        (f"{CLIENTS}/{{clientId}}/secrets", "post"),
        (f"{CLIENTS}/{{clientId}}/secrets/{{secretId}}", "delete"),
    ):
        operation = document["paths"][path][method]
        assert operation["security"] == [{"cognito": []}], path
        assert {"401", "403"} <= operation["responses"].keys(), path
    rotated = document["paths"][f"{CLIENTS}/{{clientId}}/secrets"]["post"]["responses"]
    assert rotated["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/NewClientSecretOut")
    retired = document["paths"][f"{CLIENTS}/{{clientId}}/secrets/{{secretId}}"]["delete"]["responses"]
    for responses in (rotated, retired):
        assert responses["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
