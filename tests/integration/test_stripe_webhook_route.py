"""Stripe's webhooks at POST /v1/processor/webhooks/stripe, in a deployment configured for Stripe: the real SDK
verifies the Stripe-Signature over the exact bytes, a verified payment_intent.succeeded posts a pending ACH
payment once (receipt emailed), and a tampered or foreign-signed body is a 400 that applies nothing."""

from __future__ import annotations

import json
import uuid

import pytest

from arportal.adapters import processors
from arportal.adapters.processors import ProcessorCredentials
from arportal.adapters.stripe_processor import StripeProcessor
from tests.integration.conftest import new_customer_id
from tests.integration.test_ach_lifecycle import ach_key
from tests.reliability.worlds import PayWorld, pay_world
from tests.unit.test_stripe_webhooks import SECRET, stripe_signature

HOOK = "/v1/processor/webhooks/stripe"


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((3_000, 5_000), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


@pytest.fixture
def pending_ach(gateway, world) -> dict:
    """An ACH payment left pending by the (sandbox) processor, as Stripe leaves a us_bank_account debit."""
    body = {"amount": 4_000, "currency": "USD", "method": "ach", "token": "tok_ach"}
    headers = {"Idempotency-Key": ach_key(world)}
    reply = gateway.request("POST", "/v1/portal/payments", token=world.token, json=body, headers=headers)
    assert reply.status == 201 and reply.body["payment"]["status"] == "pending", reply.body
    return reply.body["payment"]


@pytest.fixture
def stripe_deployment(local_env, monkeypatch, pending_ach):
    """The same stack with ``processor: stripe`` and its webhook secret (the SDK's own verification runs)."""
    before = local_env.function_env["PROCESSOR"]
    stripe = StripeProcessor(lambda: ProcessorCredentials("sk_test_route", SECRET))
    monkeypatch.setattr(processors, "processor_for", lambda _settings: stripe)
    local_env.configure(PROCESSOR="stripe")
    yield stripe
    local_env.configure(PROCESSOR=before)


def _event(kind: str, intent: str, amount: int) -> bytes:
    payload = {
        "id": f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": 1_790_000_000,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
        "data": {"object": {"id": intent, "object": "payment_intent", "amount": amount, "amount_received": amount}},
    }
    return json.dumps(payload).encode()


def _post(gateway, body: bytes, signature: str):
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature}
    return gateway.request("POST", HOOK, body=body, headers=headers)


def test_a_verified_succeeded_event_posts_the_pending_payment_once(gateway, world, pending_ach, stripe_deployment):
    intent = pending_ach["transaction_id"]
    body = _event("payment_intent.succeeded", intent, 4_000)

    first = _post(gateway, body, stripe_signature(body))
    again = _post(gateway, body, stripe_signature(body))  # Stripe redelivers

    assert first.status == 200, first.body
    assert first.body["outcome"] == "applied" and first.body["status"] == "posted"
    assert first.body["payment_id"] == pending_ach["payment_id"]
    assert again.status == 200 and again.body["duplicate"] is True
    (payment,) = [p for p in world.payments() if p.payment_id == pending_ach["payment_id"]]
    assert payment.status.value == "posted" and payment.receipt_number


@pytest.mark.parametrize("how", ["tampered", "other-secret", "unsigned", "too-old"])
def test_a_body_stripe_did_not_sign_is_400_and_applies_nothing(gateway, world, pending_ach, stripe_deployment, how):
    intent = pending_ach["transaction_id"]
    body = _event("payment_intent.succeeded", intent, 4_000)
    signature = {
        "tampered": stripe_signature(body),
        "other-secret": stripe_signature(body, secret="whsec_someone_else"),
        "unsigned": "",
        "too-old": stripe_signature(body, at=1_000_000_000),
    }[how]
    sent = body.replace(b"4000", b"4001") if how == "tampered" else body

    reply = _post(gateway, sent, signature)

    assert reply.status == 400 and reply.body["error"]["code"] == "invalid_signature", reply.body
    (payment,) = [p for p in world.payments() if p.payment_id == pending_ach["payment_id"]]
    assert payment.status.value == "pending"


def test_the_sandbox_route_is_closed_in_a_stripe_deployment(gateway, stripe_deployment):
    reply = gateway.request("POST", "/v1/processor/webhooks/sandbox", json={"id": "evt_1"})
    assert reply.status == 404
