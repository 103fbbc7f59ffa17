"""3-D Secure through the portal's payment route and Stripe's webhook, in a Stripe deployment whose adapter (the
real SDK) calls the fake Stripe API (``tests/stripe_fake_api.py``): the challenged payment is a 402
``action_required`` that posts nothing and is not stored under the key; the same request once the payer has
confirmed posts it once; a ``payment_intent.succeeded`` webhook for a payer who never came back posts it too, and
the payer's late return is answered with that payment."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import new_customer_id
from tests.reliability.worlds import PayWorld, pay_world
from tests.unit.test_stripe_webhooks import stripe_signature

PAY = "/v1/portal/payments"
BODY = {"amount": 2_500, "currency": "USD", "method": "card", "token": "ctoken_threeds_1"}


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((3_000,), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


def pay(gateway, world: PayWorld, key: str):  # type: ignore[no-untyped-def]
    return gateway.request("POST", PAY, token=world.token, json=BODY, headers={"Idempotency-Key": key})


def challenged(gateway, world: PayWorld, key: str) -> str:
    reply = pay(gateway, world, key)
    assert reply.status == 402 and reply.body["error"]["code"] == "action_required", reply.body
    assert world.payments() == []
    return str(reply.body["error"]["details"]["client_secret"])


def test_the_same_request_after_the_payers_confirmation_posts_the_payment_once(gateway, world, fake_stripe):
    secret = challenged(gateway, world, "3ds-1")
    # Sent again before the payer has confirmed: asked again, not a stored answer
    again = pay(gateway, world, "3ds-1")
    assert again.status == 402 and again.body["error"]["code"] == "action_required"
    assert "Idempotent-Replayed" not in again.headers
    fake_stripe.fake.next_action(secret, complete=True)
    done = pay(gateway, world, "3ds-1")
    assert done.status == 201, done.body
    assert (done.body["payment"]["status"], done.body["payment"]["last4"]) == ("posted", "3184")
    replay = pay(gateway, world, "3ds-1")
    assert replay.status == 201 and replay.body["payment"]["payment_id"] == done.body["payment"]["payment_id"]
    assert len(world.payments()) == 1


def test_a_succeeded_webhook_posts_the_payment_of_a_payer_who_never_came_back(gateway, world, fake_stripe):
    secret = challenged(gateway, world, "3ds-2")
    intent = fake_stripe.fake.next_action(secret, complete=True)["paymentIntent"]
    event = {
        "id": "evt_3ds_2",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": 1_790_000_000,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "payment_intent.succeeded",
        "data": {"object": {**intent, "amount_received": intent["amount"]}},
    }
    body = json.dumps(event).encode()
    headers = {"Content-Type": "application/json", "Stripe-Signature": stripe_signature(body)}
    reply = gateway.request("POST", "/v1/processor/webhooks/stripe", body=body, headers=headers)
    assert reply.status == 200 and reply.body["outcome"] == "applied", reply.body
    (payment,) = world.payments()
    assert payment.status.value == "posted" and payment.payment_id == reply.body["payment_id"]
    back = pay(gateway, world, "3ds-2")
    assert back.status == 201 and back.body["payment"]["payment_id"] == payment.payment_id
