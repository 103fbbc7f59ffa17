"""The Stripe adapter's lookups and refunds against the local HTTP double of Stripe (``test_stripe_processor``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from arportal.adapters.processors import ProcessorCredentials
from arportal.adapters.stripe_processor import StripeProcessor
from arportal.domain.errors import DependencyError
from arportal.domain.processing import ChargeOutcome
from tests.unit.test_stripe_processor import API_KEY, NOW, Reply, StripeDouble, intent, stripe_error


@pytest.fixture
def double() -> Iterator[StripeDouble]:
    d = StripeDouble()
    yield d
    d.close()


@pytest.fixture
def make(double: StripeDouble) -> Callable[..., StripeProcessor]:
    def build() -> StripeProcessor:
        credentials = ProcessorCredentials(API_KEY, "whsec_test")
        return StripeProcessor(lambda: credentials, api_base=double.base, max_network_retries=0, clock=lambda: NOW)

    return build


# --- find_charge ----------------------------------------------------------------------------------------------


def _list(*intents: dict[str, Any], url: str = "/v1/payment_intents") -> dict[str, Any]:
    return {"object": "list", "data": list(intents), "has_more": False, "url": url}


def test_a_lost_answer_is_found_among_the_recent_intents(double, make):
    # Given the intent was made a moment ago (Search would not see it yet)
    other = intent("succeeded", id="pi_other", metadata={"idempotency_key": "someone-else"})
    double.on("GET", "/v1/payment_intents", Reply(200, _list(other, intent("succeeded"))))
    # When the charge is looked up by our key
    found = make().find_charge("portal:CUS-1:key-1")
    # Then the recent list (strongly consistent) found it, without a search
    assert found is not None and (found.outcome, found.transaction_id) == (ChargeOutcome.SUCCEEDED, "pi_3Q0double")
    (sent,) = double.seen
    assert sent.query == {"created[gte]": str(NOW - 900), "limit": "100", "expand[0]": "data.latest_charge"}


def test_an_older_charge_is_found_by_search_on_the_metadata(double, make):
    double.on("GET", "/v1/payment_intents", Reply(200, _list()))
    search = {"object": "search_result", "data": [intent("processing")], "has_more": False, "next_page": None}
    double.on("GET", "/v1/payment_intents/search", Reply(200, {**search, "url": "/v1/payment_intents/search"}))
    found = make().find_charge("portal:it's-1")
    assert found is not None and found.outcome is ChargeOutcome.PENDING
    assert double.seen[-1].query["query"] == "metadata['idempotency_key']:'portal:it\\'s-1'"


def test_no_charge_found_is_none(double, make):
    double.on("GET", "/v1/payment_intents", Reply(200, _list()))
    empty = {"object": "search_result", "data": [], "has_more": False, "next_page": None}
    double.on("GET", "/v1/payment_intents/search", Reply(200, {**empty, "url": "/v1/payment_intents/search"}))
    assert make().find_charge("never-charged") is None


def test_a_lookup_stripe_cannot_answer_is_a_dependency_failure(double, make):
    double.on("GET", "/v1/payment_intents", Reply(503, stripe_error("unavailable", type="api_error")))
    with pytest.raises(DependencyError):
        make().find_charge("portal:CUS-1:key-1")


# --- refunds --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "succeeded"), [("succeeded", True), ("pending", True), ("failed", False)])
def test_a_refund_carries_our_key_and_reads_stripe_s_status(double, make, status, succeeded):
    refund = {"id": "re_1", "object": "refund", "status": status, "amount": 500, "payment_intent": "pi_3Q0double"}
    if status == "failed":
        refund["failure_reason"] = "expired_or_canceled_card"
    double.on("POST", "/v1/refunds", Reply(200, refund))
    result = make().refund("pi_3Q0double", 500, idempotency_key="refund:apr_1")
    (sent,) = double.seen
    assert sent.headers["Idempotency-Key"] == "refund:apr_1"
    assert sent.form == {"payment_intent": "pi_3Q0double", "amount": "500", "metadata[idempotency_key]": "refund:apr_1"}
    assert (result.succeeded, result.refund_id) == (succeeded, "re_1")
    assert result.code == (None if succeeded else "expired_or_canceled_card")


def test_a_refund_stripe_refuses_says_why(double, make):
    body = stripe_error(
        "Charge has already been refunded.", type="invalid_request_error", code="charge_already_refunded"
    )
    double.on("POST", "/v1/refunds", Reply(400, body))
    result = make().refund("pi_3Q0double", 500, idempotency_key="refund:apr_2")
    assert (result.succeeded, result.code) == (False, "charge_already_refunded")


def test_a_refund_without_an_answer_is_a_dependency_failure_to_retry(double, make):
    double.on("POST", "/v1/refunds", Reply(429, stripe_error("Too many requests", type="invalid_request_error")))
    with pytest.raises(DependencyError):
        make().refund("pi_3Q0double", 500, idempotency_key="refund:apr_3")
