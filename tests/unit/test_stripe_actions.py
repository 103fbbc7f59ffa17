"""The Stripe adapter when the payer must act: 3-D Secure (``requires_action``), microdeposit verification of a bank
account, the cancel of an abandoned intent, and the key a webhook names, against the local HTTP double of Stripe's
endpoints (``tests/unit/test_stripe_processor.py``)."""

from __future__ import annotations

from arportal.adapters.stripe_answers import MICRODEPOSITS
from arportal.domain.processing import ChargeOutcome
from tests.unit.test_stripe_processor import Reply, charge_request, double, intent, make, stripe_error  # noqa: F401

PI = "/v1/payment_intents/pi_3Q0double"
WAITING = intent("requires_action", client_secret="pi_3Q0double_secret_x", next_action={"type": "use_stripe_sdk"})


def test_the_payers_return_reads_the_intent_as_it_is_now_not_stripes_replayed_first_answer(double, make):  # noqa: F811
    # Stripe answers the same Idempotency-Key with its first answer (requires_action) for a day
    double.on("POST", "/v1/payment_intents", Reply(200, WAITING, {"Idempotent-Replayed": "true"}))
    double.on("GET", PI, Reply(200, intent("succeeded")))
    result = make().charge(charge_request("ctoken_1Q0abc"))
    assert (result.outcome, result.transaction_id, result.last4) == (ChargeOutcome.SUCCEEDED, "pi_3Q0double", "4242")
    assert [(s.method, s.path) for s in double.seen] == [("POST", "/v1/payment_intents"), ("GET", PI)]


def test_a_challenge_the_payer_failed_is_a_decline(double, make):  # noqa: F811
    failed = intent(
        "requires_payment_method",
        last_payment_error={"code": "payment_intent_authentication_failure", "message": "not authenticated"},
    )
    double.on("POST", "/v1/payment_intents", Reply(200, WAITING))
    double.on("GET", PI, Reply(200, failed))
    result = make().charge(charge_request("ctoken_1Q0abc"))
    assert (result.outcome, result.code) == (ChargeOutcome.DECLINED, "payment_intent_authentication_failure")


def test_a_bank_account_awaiting_microdeposits_is_pending_not_failed(double, make):  # noqa: F811
    bank = {"type": "us_bank_account", "us_bank_account": {"last4": "6789"}}
    verifying = intent(
        "requires_action",
        details=bank,
        next_action={"type": MICRODEPOSITS, "verify_with_microdeposits": {"hosted_verification_url": "https://x"}},
        payment_method_types=["us_bank_account"],
    )
    double.on("POST", "/v1/payment_intents", Reply(200, verifying))
    double.on("GET", PI, Reply(200, verifying))
    result = make().charge(charge_request("ctoken_1Q0bank"))
    assert (result.outcome, result.code, result.method_type) == (ChargeOutcome.PENDING, MICRODEPOSITS, "ach")
    assert result.client_secret is None


def test_an_abandoned_intent_is_cancelled_once_and_read_back(double, make):  # noqa: F811
    double.on("POST", f"{PI}/cancel", Reply(200, intent("canceled")))
    double.on("GET", PI, Reply(200, intent("canceled")))
    result = make().cancel_charge("pi_3Q0double")
    assert result is not None and (result.outcome, result.code) == (ChargeOutcome.DECLINED, "canceled")
    cancel = double.seen[0]
    assert cancel.form == {"cancellation_reason": "abandoned"}
    assert cancel.headers["Idempotency-Key"] == "cancel:pi_3Q0double"


def test_an_intent_that_succeeded_before_the_cancel_is_answered_as_succeeded(double, make):  # noqa: F811
    refused = stripe_error("You cannot cancel this PaymentIntent", type="invalid_request_error", code="x")
    double.on("POST", f"{PI}/cancel", Reply(400, refused))
    double.on("GET", PI, Reply(200, intent("succeeded")))
    result = make().cancel_charge("pi_3Q0double")
    assert result is not None and result.outcome is ChargeOutcome.SUCCEEDED


def test_a_payment_intent_event_names_the_key_its_charge_was_made_under():
    from arportal.adapters.stripe_answers import _event

    event = {"id": "evt_1", "type": "payment_intent.succeeded", "created": 1_790_000_000, "data": {"object": WAITING}}
    reported = _event(event)
    assert (reported.kind, reported.charge_key) == ("charge.succeeded", "portal:CUS-1:key-1")
    refund = {"id": "evt_2", "type": "charge.refunded", "created": 1, "data": {"object": {"object": "charge"}}}
    assert _event(refund).charge_key is None
