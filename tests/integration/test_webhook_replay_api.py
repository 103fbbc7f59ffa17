"""Replaying webhooks through the local gateway: one event by its id, or a time range counted first (a dry run)
and then sent again, recorded in the endpoint's audit trail with who did it; the public key that verifies ``v1a``
signatures, served to anyone; and the contract naming both credentials (a system's scope, an administrator's
access token) on every webhook route.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta

import pytest

from arportal import clock
from local.environment import LocalEnvironment
from tests.integration.conftest import GatewayClient, new_customer_id
from tests.integration.integration_support import machine_token
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


# --- replay -------------------------------------------------------------------------------------------------------


def _load_customers(gateway: GatewayClient, local_env: LocalEnvironment, count: int) -> list[str]:
    """``count`` new customers loaded by the demo system: one ``customer.loaded`` event each, in the event feed."""
    ids = [new_customer_id() for _ in range(count)]
    records = [{"customer_id": c, "name": f"Webhook Replay {c}", "source_version": 1} for c in ids]
    token = machine_token(local_env, scope="integrations/customers.write")
    loaded = gateway.request("POST", "/v1/integrations/customers:batch", token=token, json={"records": records})
    assert loaded.status == 200 and loaded.body["summary"]["created"] == count, loaded.body
    return ids


def test_a_range_is_counted_first_then_replayed_and_the_audit_trail_says_who(
    gateway, local_env, tokens, receiver
) -> None:
    created = create(gateway, tokens.admin, hook_url(receiver))
    endpoint_id = created.body["id"]
    path = f"{BASE}/{endpoint_id}"
    # a filter of its own, so that only this test's events are in its range
    narrowed = gateway.request("PATCH", path, token=tokens.admin, json={"event_types": ["customer.loaded"]})
    assert narrowed.status == 200, narrowed.body
    since = clock.now()  # not a moment earlier: the test before may have loaded customers a moment ago
    _load_customers(gateway, local_env, 3)
    window = {"since": since.isoformat(), "until": (clock.now() + timedelta(seconds=1)).isoformat()}

    counted = gateway.request("POST", f"{path}/replay", token=tokens.admin, json={**window, "dry_run": True})
    assert counted.status == 200, counted.body
    assert counted.body == {"dry_run": True, "count": 3, "replayed": 0, "delivery": None}
    other_types = {**window, "event_types": ["payment.*"], "dry_run": True}
    assert gateway.request("POST", f"{path}/replay", token=tokens.admin, json=other_types).body["count"] == 0

    sent = gateway.request("POST", f"{path}/replay", token=tokens.system, json=window)
    assert sent.status == 202, sent.body
    assert sent.body == {"dry_run": False, "count": 3, "replayed": 3, "delivery": None}

    from arportal.wiring import staff  # the audit trail as the console's audit route reads it

    trail = staff.audit_trail().history("webhook_endpoint", endpoint_id, limit=100)
    replays = [r for r in trail if r["action"] == "webhook_endpoint.range_replayed"]
    assert [r["actor"] for r in replays] == ["system:demo-erp"]  # the dry runs changed nothing, so left no record
    assert trail[0]["actor"] == f"staff:{tokens.admin_sub}"  # who created it
    assert staff.audit_trail().verify("webhook_endpoint", endpoint_id).ok
    # and the console's audit route shows the same trail to an administrator
    shown = gateway.request("GET", f"/v1/staff/audit?entity=webhook_endpoint:{endpoint_id}", token=tokens.admin_id)
    assert shown.status == 200, shown.body
    assert "webhook_endpoint.range_replayed" in {r["action"] for r in shown.body["records"]}


def test_one_event_is_replayed_by_its_id(gateway, tokens, receiver) -> None:
    created = create(gateway, tokens.admin, hook_url(receiver))
    path = f"{BASE}/{created.body['id']}"
    tested = gateway.request("POST", f"{path}/test", token=tokens.admin)
    assert tested.status == 200, tested.body
    again = gateway.request("POST", f"{path}/replay", token=tokens.admin, json={"event_id": tested.body["event_id"]})
    assert again.status == 202, again.body
    assert again.body["delivery"]["event_id"] == tested.body["event_id"] and again.body["delivery"]["round"] == 2
    unknown = gateway.request(
        "POST", f"{path}/replay", token=tokens.admin, json={"event_id": "evt_01ARZ3NDEKTSV4RRFFQ69G5FAV"}
    )
    assert unknown.status == 404, unknown.body
    for wrong in ({"event_id": "x", "since": "2026-01-01T00:00:00Z"}, {"since": "2026-01-01T00:00:00Z"}, {}):
        refused = gateway.request("POST", f"{path}/replay", token=tokens.admin, json=wrong)
        assert refused.status == 422 and refused.body["error"]["code"] == "validation_failed", (wrong, refused.body)


# --- the public key -----------------------------------------------------------------------------------------------


def test_the_published_key_verifies_an_ed25519_endpoints_v1a_signature(gateway, tokens, receiver) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    # the key is made (with its public half) when an endpoint first opts into v1a; the public route reads only that half
    created = create(gateway, tokens.admin, hook_url(receiver), ed25519=True)
    published = gateway.request("GET", "/v1/webhooks/signing-keys")  # no token
    assert published.status == 200, published.body
    (key,) = published.body["keys"]
    assert key["algorithm"] == "ed25519" and key["public_key"].startswith("whpk_") and key["id"]
    assert published.headers["cache-control"] == "public, max-age=3600"
    etag = published.headers["etag"]
    again = gateway.request("GET", "/v1/webhooks/signing-keys", headers={"If-None-Match": etag})
    assert again.status == 304 and again.headers["etag"] == etag

    assert gateway.request("POST", f"{BASE}/{created.body['id']}/test", token=tokens.admin).body["delivered"]
    (_, headers, body) = receiver.received[-1]
    lowered = {k.lower(): v for k, v in headers.items()}
    signatures = dict(s.split(",", 1) for s in lowered["webhook-signature"].split())
    assert set(signatures) == {"v1", "v1a"}
    verifier = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"].removeprefix("whpk_")))
    content = f"{lowered['webhook-id']}.{lowered['webhook-timestamp']}.".encode() + body
    verifier.verify(base64.b64decode(signatures["v1a"]), content)  # raises InvalidSignature if it does not


def test_the_contract_names_both_credentials_on_every_webhook_route(gateway) -> None:
    document = gateway.request("GET", "/openapi.json").body
    schemes = document["components"]["securitySchemes"]
    assert schemes["staff_access"]["scheme"] == "bearer" and "access token" in schemes["staff_access"]["description"]
    assert WEBHOOKS_SCOPE in schemes["integrations"]["flows"]["clientCredentials"]["scopes"]
    operations = [
        (method, path, op)
        for path, item in document["paths"].items()
        if path.startswith(BASE)
        for method, op in item.items()
    ]
    assert len(operations) == len(ROUTE_CALLS)
    for method, path, op in operations:
        assert op["security"] == [{"integrations": [WEBHOOKS_SCOPE]}, {"staff_access": []}], (method, path)
        assert op["tags"] == ["integrations"] and {"401", "403"} <= op["responses"].keys(), (method, path)
    assert "201" in document["paths"][BASE]["post"]["responses"]
    assert "422" in document["paths"][BASE]["post"]["responses"]
    keys = document["paths"]["/v1/webhooks/signing-keys"]["get"]
    assert "security" not in keys and "200" in keys["responses"]
