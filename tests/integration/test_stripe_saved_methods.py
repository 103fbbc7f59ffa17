"""Saving a card through the portal's route in a Stripe deployment (the real SDK against the fake Stripe API), then
charging it as autopay does (``payment_retry.charge``, off session): the bank's step at saving is a 402
``action_required`` that saves nothing; the same request once confirmed saves the ``pm_...``; a card whose bank
asks on every charge is declined off session with words telling the payer to pay online."""

from __future__ import annotations

import pytest

from arportal.adapters.stripe_saved_methods import PAY_ONLINE
from arportal.domain.processing import ChargeOutcome
from arportal.ports import ChargeRequest
from arportal.services import payment_retry
from arportal.wiring import portal, stores
from tests.integration.conftest import new_customer_id

SAVE = "/v1/portal/payment-methods"


@pytest.fixture
def customer(local_env, make_users) -> tuple[str, str]:
    cid = new_customer_id()
    return cid, make_users(customer_id=cid).customer_token


def save(gateway, token: str, ctoken: str, key: str):  # type: ignore[no-untyped-def]
    body = {"type": "card", "token": ctoken, "last4": ctoken_last4(ctoken), "brand": "visa"}
    return gateway.request("POST", SAVE, token=token, json=body, headers={"Idempotency-Key": key})


def ctoken_last4(ctoken: str) -> str:
    return {"setupauth": "3155", "threeds": "3184"}.get(ctoken.split("_")[1], "4242")


def saved_then_charged(gateway, fake_stripe, customer, ctoken: str, key: str):  # type: ignore[no-untyped-def]
    cid, token = customer
    asked = save(gateway, token, ctoken, key)
    assert asked.status == 402 and asked.body["error"]["code"] == "action_required", asked.body
    assert portal.payment_methods().methods(cid, limit=5).methods == []
    fake_stripe.fake.next_action(asked.body["error"]["details"]["client_secret"], complete=True)
    done = save(gateway, token, ctoken, key)
    assert done.status == 201, done.body
    assert (done.body["last4"], done.body["exp_month"], done.body["exp_year"]) == (ctoken_last4(ctoken), 12, 2034)
    (method,) = portal.payment_methods().methods(cid, limit=5).methods
    assert method.processor_token.startswith("pm_") and method.method_id == done.body["payment_method_id"]
    request = ChargeRequest(f"sched-{key}", 2_000, "USD", method.processor_token, "Autopay", customer_id=cid)
    return payment_retry.charge(stores.processor(), request, attempt=1)


def test_a_card_confirmed_with_its_bank_when_saved_is_charged_by_autopay(gateway, fake_stripe, customer):
    attempt = saved_then_charged(gateway, fake_stripe, customer, "ctoken_setupauth_1", "save-1")
    assert (attempt.outcome, attempt.last4) == (ChargeOutcome.SUCCEEDED, "3155")
    (cus,) = fake_stripe.fake.customers.values()
    assert cus["metadata"] == {"customer_id": customer[0]}


def test_a_card_whose_bank_asks_every_time_is_declined_off_session_with_words_to_pay_online(
    gateway, fake_stripe, customer
):
    attempt = saved_then_charged(gateway, fake_stripe, customer, "ctoken_threeds_1", "save-2")
    assert (attempt.outcome, attempt.code, attempt.message) == (
        ChargeOutcome.DECLINED,
        "authentication_required",
        PAY_ONLINE,
    )


def test_a_declined_card_is_not_saved(gateway, fake_stripe, customer):
    cid, token = customer
    refused = save(gateway, token, "ctoken_declined_1", "save-3")
    assert refused.status == 422 and refused.body["error"]["code"] == "method_refused", refused.body
    assert portal.payment_methods().methods(cid, limit=5).methods == []
