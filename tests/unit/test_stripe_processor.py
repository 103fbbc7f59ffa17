"""The Stripe adapter against a local HTTP double of the Stripe endpoints it calls.

The real SDK talks to a tiny ``http.server`` on 127.0.0.1, so these tests check what it ACTUALLY sends (method,
path, form fields, the Idempotency-Key header, the API key) and how each response shape Stripe documents is read.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

from arportal.adapters.processors import ProcessorCredentials
from arportal.adapters.stripe_processor import StripeProcessor
from arportal.domain.errors import DependencyError
from arportal.domain.processing import ChargeOutcome
from arportal.ports import ChargeRequest, ProcessorUnavailableError

API_KEY = "sk_test_double_0123456789"
NOW = 1_790_000_000


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0


class StripeDouble:
    """Answers each (method, path) from a script of replies (the last one repeats) and records every request."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.script: dict[tuple[str, str], list[Reply]] = {}
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode())) if length else {}
                double.seen.append(
                    Seen(self.command, url.path, dict(parse_qsl(url.query)), form, dict(self.headers.items()))
                )
                replies = double.script.get((self.command, url.path)) or [Reply(404, stripe_error("not scripted"))]
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                time.sleep(reply.delay_s)
                payload = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("Request-Id", f"req_{len(double.seen)}")
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out first: what a timeout test wants

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def on(self, method: str, path: str, *replies: Reply) -> None:
        self.script[(method, path)] = list(replies)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def stripe_error(message: str, **fields: Any) -> dict[str, Any]:
    return {"error": {"message": message, **fields}}


@pytest.fixture
def double() -> Iterator[StripeDouble]:
    d = StripeDouble()
    yield d
    d.close()


@pytest.fixture
def make(double: StripeDouble) -> Callable[..., StripeProcessor]:
    def build(**options: Any) -> StripeProcessor:
        options = {"max_network_retries": 0, "timeout_s": 2, "clock": lambda: NOW, **options}
        return StripeProcessor(lambda: ProcessorCredentials(API_KEY, "whsec_test"), api_base=double.base, **options)

    return build


def charge_request(token: str = "pm_card_visa", key: str = "portal:CUS-1:key-1", **changes: Any) -> ChargeRequest:
    values: dict[str, Any] = {
        "idempotency_key": key,
        "amount": 12_550,
        "currency": "USD",
        "token": token,
        "description": "Water and sewer UT-200001",
        "customer_id": "CUS-0001ABCD",
        "metadata": {"channel": "portal"},
        **changes,
    }
    return ChargeRequest(**values)


def intent(status: str, *, details: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    card = {"type": "card", "card": {"brand": "visa", "last4": "4242", "funding": "credit", "wallet": None}}
    return {
        "id": "pi_3Q0double",
        "object": "payment_intent",
        "status": status,
        "amount": 12_550,
        "amount_received": 12_550 if status == "succeeded" else 0,
        "currency": "usd",
        "metadata": {"idempotency_key": "portal:CUS-1:key-1"},
        "payment_method_types": ["card"],
        "latest_charge": {"id": "ch_3Q0double", "object": "charge", "payment_method_details": details or card},
        **fields,
    }


# --- what the SDK sends ---------------------------------------------------------------------------------------


def test_a_charge_creates_and_confirms_one_payment_intent_with_our_key(double, make):
    # Given Stripe answers that the intent succeeded
    double.on("POST", "/v1/payment_intents", Reply(200, intent("succeeded")))
    # When we charge a PaymentMethod from Stripe Elements
    result = make().charge(charge_request())
    # Then one request was sent, with our key as the Idempotency-Key and in the metadata
    (sent,) = double.seen
    assert (sent.method, sent.path) == ("POST", "/v1/payment_intents")
    assert sent.headers["Idempotency-Key"] == "portal:CUS-1:key-1"
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"
    assert sent.form == {
        "amount": "12550",
        "currency": "usd",
        "confirm": "true",
        "description": "Water and sewer UT-200001",
        "payment_method": "pm_card_visa",
        "metadata[channel]": "portal",
        "metadata[customer_id]": "CUS-0001ABCD",
        "metadata[idempotency_key]": "portal:CUS-1:key-1",
        "automatic_payment_methods[enabled]": "true",
        "automatic_payment_methods[allow_redirects]": "never",
        "expand[0]": "latest_charge",
    }
    # And the answer is posted: the intent's id, brand and last four
    assert result.outcome is ChargeOutcome.SUCCEEDED
    assert (result.transaction_id, result.brand, result.last4, result.method_type) == (
        "pi_3Q0double",
        "visa",
        "4242",
        "card",
    )


@pytest.mark.parametrize(
    ("token", "fields"),
    [
        ("ctoken_1Q0abc", {"confirmation_token": "ctoken_1Q0abc"}),
        ("tok_visa", {"payment_method_data[type]": "card", "payment_method_data[card][token]": "tok_visa"}),
    ],
)
def test_confirmation_tokens_and_legacy_card_tokens_are_sent_as_such(double, make, token, fields):
    double.on("POST", "/v1/payment_intents", Reply(200, intent("succeeded")))
    make().charge(charge_request(token))
    (sent,) = double.seen
    assert fields.items() <= sent.form.items()
    assert "payment_method" not in sent.form


def test_something_that_is_not_a_stripe_token_is_never_sent(double, make):
    result = make().charge(charge_request("4242424242424242"))
    assert (result.outcome, result.code) == (ChargeOutcome.DECLINED, "invalid_token")
    assert double.seen == []


def test_the_sdk_s_own_retry_keeps_our_idempotency_key(double, make, monkeypatch):
    # Given Stripe fails once with a retryable error, then answers
    monkeypatch.setattr(stripe.HTTPClient, "_sleep_time_seconds", lambda self, n: 0)
    double.on(
        "POST",
        "/v1/payment_intents",
        Reply(500, stripe_error("lock timeout", type="api_error"), {"Stripe-Should-Retry": "true"}),
        Reply(200, intent("succeeded")),
    )
    # When the processor (which lets the SDK retry) charges
    result = make(max_network_retries=2).charge(charge_request())
    # Then both attempts carried the same key, so Stripe could only charge once
    assert result.outcome is ChargeOutcome.SUCCEEDED
    assert [s.headers["Idempotency-Key"] for s in double.seen] == ["portal:CUS-1:key-1"] * 2


# --- how each answer is read ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        (
            {"type": "card", "card": {"brand": "mastercard", "last4": "8210", "funding": "debit", "wallet": None}},
            ("mastercard", "8210", "debit"),
        ),
        (
            {
                "type": "card",
                "card": {"brand": "visa", "last4": "4242", "funding": "credit", "wallet": {"type": "apple_pay"}},
            },
            ("visa", "4242", "wallet"),
        ),
    ],
)
def test_debit_and_wallet_payments_are_told_apart(double, make, details, expected):
    double.on("POST", "/v1/payment_intents", Reply(200, intent("succeeded", details=details)))
    result = make().charge(charge_request())
    assert (result.brand, result.last4, result.method_type) == expected


def test_an_ach_debit_stays_processing_which_is_pending(double, make):
    ach = {"type": "us_bank_account", "us_bank_account": {"last4": "6789", "bank_name": "STRIPE TEST BANK"}}
    double.on("POST", "/v1/payment_intents", Reply(200, intent("processing", details=ach)))
    result = make().charge(charge_request("ctoken_ach"))
    assert (result.outcome, result.transaction_id, result.method_type, result.last4, result.brand) == (
        ChargeOutcome.PENDING,
        "pi_3Q0double",
        "ach",
        "6789",
        None,
    )


@pytest.mark.parametrize(
    ("error", "outcome", "code"),
    [
        (
            {"code": "card_declined", "decline_code": "insufficient_funds"},
            ChargeOutcome.RETRYABLE,
            "insufficient_funds",
        ),
        ({"code": "card_declined", "decline_code": "stolen_card"}, ChargeOutcome.DECLINED, "stolen_card"),
        ({"code": "card_declined", "decline_code": "generic_decline"}, ChargeOutcome.DECLINED, "generic_decline"),
        ({"code": "expired_card"}, ChargeOutcome.DECLINED, "expired_card"),
        ({"code": "processing_error"}, ChargeOutcome.RETRYABLE, "processing_error"),
    ],
)
def test_a_card_error_is_a_decline_classified_by_its_code(double, make, error, outcome, code):
    body = stripe_error(
        "Your card was declined.",
        type="card_error",
        payment_intent={"id": "pi_declined", "object": "payment_intent", "status": "requires_payment_method"},
        **error,
    )
    double.on("POST", "/v1/payment_intents", Reply(402, body))
    result = make().charge(charge_request())
    assert (result.outcome, result.code, result.message) == (outcome, code, "Your card was declined.")
    assert result.transaction_id == "pi_declined"


def test_a_card_needing_3d_secure_waits_for_the_payer_with_the_intents_client_secret(double, make):
    waiting = intent("requires_action", client_secret="pi_3Q0double_secret_x", next_action={"type": "use_stripe_sdk"})
    double.on("POST", "/v1/payment_intents", Reply(200, waiting))
    double.on("GET", "/v1/payment_intents/pi_3Q0double", Reply(200, waiting))
    result = make().charge(charge_request())
    assert (result.outcome, result.code) == (ChargeOutcome.REQUIRES_ACTION, "authentication_required")
    assert result.client_secret == "pi_3Q0double_secret_x" and "secret" not in repr(result)


def test_an_unknown_payment_method_is_an_invalid_token(double, make):
    body = stripe_error("No such PaymentMethod: 'pm_gone'", type="invalid_request_error", code="resource_missing")
    double.on("POST", "/v1/payment_intents", Reply(400, body))
    assert make().charge(charge_request("pm_gone")).code == "invalid_token"


def test_a_key_reused_with_other_parameters_is_refused(double, make):
    body = stripe_error(
        "Keys for idempotent requests can only be used with the same parameters", type="idempotency_error"
    )
    double.on("POST", "/v1/payment_intents", Reply(400, body))
    result = make().charge(charge_request())
    assert (result.outcome, result.code) == (ChargeOutcome.DECLINED, "idempotency_key_reused")


@pytest.mark.parametrize(
    "reply",
    [
        Reply(429, stripe_error("Too many requests", type="invalid_request_error", code="rate_limit")),
        Reply(500, stripe_error("Something went wrong", type="api_error")),
        Reply(200, intent("succeeded"), delay_s=1.0),  # slower than the client's timeout
    ],
    ids=["rate-limited", "stripe-5xx", "timeout"],
)
def test_no_answer_is_processor_unavailable_so_the_caller_reconciles(double, make, reply):
    double.on("POST", "/v1/payment_intents", reply)
    with pytest.raises(ProcessorUnavailableError):
        make(timeout_s=0.3).charge(charge_request())


def test_refused_credentials_are_a_dependency_failure_not_a_decline(double, make):
    double.on(
        "POST",
        "/v1/payment_intents",
        Reply(401, stripe_error("Invalid API Key provided", type="invalid_request_error")),
    )
    with pytest.raises(DependencyError):
        make().charge(charge_request())


def test_credentials_are_read_only_when_first_needed(double):
    calls: list[int] = []

    def credentials() -> ProcessorCredentials:
        calls.append(1)
        return ProcessorCredentials(API_KEY, None)

    processor = StripeProcessor(credentials, api_base=double.base, max_network_retries=0)
    assert calls == []  # building it costs a cold start nothing
    double.on("POST", "/v1/payment_intents", Reply(200, intent("succeeded")))
    processor.charge(charge_request())
    processor.charge(charge_request(key="another"))
    assert calls == [1]


# --- presenting a returned ACH debit again ----------------------------------------------------------------------

BANK = {"type": "us_bank_account", "us_bank_account": {"last4": "6789", "mandate": "mandate_1Q0double"}}


def test_a_debit_is_presented_again_on_the_original_account_customer_and_mandate(double, make):
    # Given the original debit, its bank account PaymentMethod and mandate, and a new intent Stripe accepts
    original = intent("succeeded", details=BANK, id="pi_original", payment_method="pm_bank", customer="cus_payer")
    double.on("GET", "/v1/payment_intents/pi_original", Reply(200, original))
    double.on("POST", "/v1/payment_intents", Reply(200, intent("processing", details=BANK, id="pi_again")))
    # When it is presented again
    result = make().represent_debit("pi_original", charge_request(token="ignored", key="representment:pay_1:2"))
    # Then one new intent was created and confirmed under the original's mandate, once per our key
    read, created = double.seen
    assert (read.method, read.query) == ("GET", {"expand[0]": "latest_charge"})
    assert created.headers["Idempotency-Key"] == "representment:pay_1:2"
    assert created.form["payment_method"] == "pm_bank" and created.form["customer"] == "cus_payer"
    assert created.form["mandate"] == "mandate_1Q0double" and created.form["confirm"] == "true"
    assert created.form["payment_method_types[0]"] == "us_bank_account"
    assert (
        created.form["metadata[represents]"] == "pi_original"
        and "automatic_payment_methods[enabled]" not in created.form
    )
    # And it is pending like any ACH debit, on the same account
    assert (result.outcome, result.transaction_id, result.last4, result.method_type) == (
        ChargeOutcome.PENDING, "pi_again", "6789", "ach",
    )  # fmt: skip


def test_a_card_charge_or_an_unknown_intent_is_not_presented_again(double, make):
    double.on("GET", "/v1/payment_intents/pi_card", Reply(200, intent("succeeded", payment_method="pm_card")))
    double.on(
        "GET",
        "/v1/payment_intents/pi_gone",
        Reply(404, stripe_error("No such payment_intent", code="resource_missing", type="invalid_request_error")),
    )
    for transaction_id in ("pi_card", "pi_gone"):
        result = make().represent_debit(transaction_id, charge_request(key=f"representment:{transaction_id}:2"))
        assert result.outcome is not ChargeOutcome.SUCCEEDED and result.code == "not_an_ach_debit", result
    assert [s.method for s in double.seen] == ["GET", "GET"]  # nothing was debited


def test_a_single_use_mandate_refused_by_stripe_is_a_decline(double, make):
    original = intent("succeeded", details=BANK, id="pi_original", payment_method="pm_bank")
    double.on("GET", "/v1/payment_intents/pi_original", Reply(200, original))
    refused = stripe_error("This mandate cannot be used again", code="mandate_invalid", type="invalid_request_error")
    double.on("POST", "/v1/payment_intents", Reply(400, refused))
    result = make().represent_debit("pi_original", charge_request(key="representment:pay_1:2"))
    assert (result.outcome, result.code) == (ChargeOutcome.DECLINED, "mandate_invalid"), result
