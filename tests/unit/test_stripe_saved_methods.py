"""Saving a payment method at Stripe and charging it later, through the real SDK against the stateful fake Stripe
API (``tests/stripe_fake_api.py``, ``tests/stripe_fake_setup.py``): what the adapter sends and how it reads it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arportal.adapters.processors import ProcessorCredentials
from arportal.adapters.sandbox import SandboxProcessor
from arportal.adapters.stripe_processor import StripeProcessor
from arportal.adapters.stripe_saved_methods import PAY_ONLINE
from arportal.domain.processing import ChargeOutcome
from arportal.ports import ChargeRequest
from tests.stripe_fake_api import FakeStripeServer
from tests.unit.test_stripe_processor import Reply, StripeDouble, intent


@pytest.fixture
def server() -> Iterator[FakeStripeServer]:
    running = FakeStripeServer()
    yield running
    running.close()


@pytest.fixture
def stripe(server: FakeStripeServer) -> StripeProcessor:
    return StripeProcessor(
        lambda: ProcessorCredentials("sk_test_saved", None), api_base=server.base, max_network_retries=0
    )


def charge(token: str, key: str, *, off_session: bool) -> ChargeRequest:
    return ChargeRequest(key, 1_500, "USD", token, "Autopay", customer_id="CUS-1", off_session=off_session)


def test_a_card_is_saved_on_one_stripe_customer_per_our_customer_and_charged_off_session(stripe, server):
    first = stripe.save_payment_method("CUS-1", "ctoken_visa_1", idempotency_key="k1")
    second = stripe.save_payment_method("CUS-1", "ctoken_visa_2", idempotency_key="k2")
    other = stripe.save_payment_method("CUS-2", "ctoken_visa_3", idempotency_key="k3")
    assert first.outcome is ChargeOutcome.SUCCEEDED and first.token and first.token.startswith("pm_")
    assert (first.brand, first.last4, first.exp_month, first.exp_year) == ("visa", "4242", 12, 2034)
    owners = {server.fake.methods[r.token]["customer"] for r in (first, second) if r.token}
    assert len(owners) == 1 and len(server.fake.customers) == 2
    assert other.token and server.fake.methods[other.token]["customer"] not in owners
    (setup, *_) = server.fake.setups.values()
    assert setup["usage"] == "off_session" and setup["metadata"] == {"customer_id": "CUS-1", "idempotency_key": "k1"}
    assert first.token
    paid = stripe.charge(charge(first.token, "auto-1", off_session=True))
    assert (paid.outcome, paid.last4) == (ChargeOutcome.SUCCEEDED, "4242")
    intent = server.fake.intents[str(paid.transaction_id)]
    assert intent["status"] == "succeeded" and intent["metadata"]["customer_id"] == "CUS-1"


def test_the_same_key_saves_once(stripe, server):
    a = stripe.save_payment_method("CUS-9", "ctoken_visa_1", idempotency_key="same")
    b = stripe.save_payment_method("CUS-9", "ctoken_visa_1", idempotency_key="same")
    assert a.token == b.token and len(server.fake.setups) == 1 and len(server.fake.customers) == 1


def test_a_card_whose_bank_asks_is_saved_once_confirmed_and_then_charged_without_asking(stripe, server):
    asked = stripe.save_payment_method("CUS-3", "ctoken_setupauth_1", idempotency_key="s1")
    assert asked.outcome is ChargeOutcome.REQUIRES_ACTION and asked.token is None and asked.client_secret
    server.fake.next_action(asked.client_secret, complete=True)
    saved = stripe.save_payment_method("CUS-3", "ctoken_setupauth_1", idempotency_key="s1")
    assert (saved.outcome, saved.last4) == (ChargeOutcome.SUCCEEDED, "3155") and saved.token
    assert stripe.charge(charge(saved.token, "auto-3", off_session=True)).outcome is ChargeOutcome.SUCCEEDED


def test_an_off_session_charge_the_bank_wants_confirmed_is_a_decline_telling_the_payer_to_pay_online(stripe, server):
    asked = stripe.save_payment_method("CUS-4", "ctoken_threeds_1", idempotency_key="t1")
    assert asked.client_secret
    server.fake.next_action(asked.client_secret, complete=True)
    saved = stripe.save_payment_method("CUS-4", "ctoken_threeds_1", idempotency_key="t1")
    assert saved.token
    result = stripe.charge(charge(saved.token, "auto-4", off_session=True))
    assert (result.outcome, result.code, result.message) == (
        ChargeOutcome.DECLINED,
        "authentication_required",
        PAY_ONLINE,
    )


def test_a_declined_or_failed_confirmation_saves_nothing(stripe, server):
    declined = stripe.save_payment_method("CUS-5", "ctoken_declined_1", idempotency_key="d1")
    assert (declined.outcome, declined.code, declined.token) == (ChargeOutcome.DECLINED, "generic_decline", None)
    asked = stripe.save_payment_method("CUS-5", "ctoken_threeds_2", idempotency_key="d2")
    assert asked.client_secret
    server.fake.next_action(asked.client_secret, complete=False)
    failed = stripe.save_payment_method("CUS-5", "ctoken_threeds_2", idempotency_key="d2")
    assert (failed.outcome, failed.code) == (ChargeOutcome.DECLINED, "setup_intent_authentication_failure")
    assert server.fake.methods == {}
    refused = stripe.save_payment_method("CUS-5", "tok_visa", idempotency_key="d3")
    assert refused.code == "invalid_token" and len(server.fake.setups) == 2


def test_a_saved_method_is_charged_with_the_stripe_customer_it_belongs_to(stripe, server):
    saved = stripe.save_payment_method("CUS-6", "ctoken_visa_1", idempotency_key="c1")
    assert saved.token
    owner = server.fake.methods[saved.token]["customer"]
    # Stripe refuses a saved method charged without its Customer: what the adapter's lookup avoids.
    status, body, _ = server.fake.create({"amount": "100", "payment_method": saved.token}, None)
    assert (status, body["error"]["code"]) == (400, "payment_method_customer_mismatch")
    paid = stripe.charge(charge(saved.token, "auto-6", off_session=True))
    assert paid.outcome is ChargeOutcome.SUCCEEDED
    assert server.fake.intents[str(paid.transaction_id)]["customer"] == owner


def test_the_sandbox_keeps_its_token_as_it_is():
    kept = SandboxProcessor().save_payment_method("CUS-7", "tok_visa", idempotency_key="x")
    assert (kept.outcome, kept.token) == (ChargeOutcome.SUCCEEDED, "tok_visa")


def test_an_off_session_intent_left_waiting_for_the_payer_is_cancelled_and_declined():
    """What the adapter sends for a schedule's charge (its Customer, ``off_session``, ``confirm``) and what it does
    when Stripe leaves the intent waiting for a 3-D Secure nobody can do: cancel it, a decline saying pay online."""
    scripted = StripeDouble()
    try:
        waiting = intent("requires_action", next_action={"type": "use_stripe_sdk"}, client_secret="pi_secret")
        scripted.on("GET", "/v1/payment_methods/pm_saved", Reply(200, {"id": "pm_saved", "customer": "cus_ours"}))
        scripted.on("POST", "/v1/payment_intents", Reply(200, waiting))
        scripted.on("GET", "/v1/payment_intents/pi_3Q0double", Reply(200, waiting))
        scripted.on("POST", "/v1/payment_intents/pi_3Q0double/cancel", Reply(200, {**waiting, "status": "canceled"}))
        processor = StripeProcessor(
            lambda: ProcessorCredentials("sk_test_s", None), api_base=scripted.base, max_network_retries=0
        )
        result = processor.charge(charge("pm_saved", "sched-1", off_session=True))
        assert (result.outcome, result.code, result.message) == (
            ChargeOutcome.DECLINED,
            "authentication_required",
            PAY_ONLINE,
        )
        assert result.client_secret is None
        (create,) = [s for s in scripted.seen if (s.method, s.path) == ("POST", "/v1/payment_intents")]
        assert {k: create.form[k] for k in ("customer", "off_session", "confirm", "payment_method")} == {
            "customer": "cus_ours",
            "off_session": "true",
            "confirm": "true",
            "payment_method": "pm_saved",
        }
        assert ("POST", "/v1/payment_intents/pi_3Q0double/cancel") in [(s.method, s.path) for s in scripted.seen]
    finally:
        scripted.close()
