"""A stateful stand-in for the Stripe API endpoints the adapter calls, and the Stripe.js double's files, on 127.0.0.1.

The server side (``arportal/adapters/stripe_processor.py`` through the real SDK, ``api_base`` pointed here) and
the browser side (``tests/browser/stripe_double/stripe.js``, served from ``/v3/`` here, as Stripe serves Stripe.js
from ``https://js.stripe.com/v3/``) meet on the same PaymentIntents, as they would at Stripe:

- ``POST /v1/payment_intents``: create and confirm, once per Idempotency-Key (the same key answers the first
  answer again, marked ``Idempotent-Replayed``, as Stripe does). What happens is chosen by the token, as Stripe's
  test cards choose it: the double's ConfirmationToken ids name their test card (``ctoken_<card>_<n>``);
- ``GET /v1/payment_intents/{id}``, ``GET /v1/payment_intents`` (the recent list), ``.../search``,
  ``POST /v1/payment_intents/{id}/cancel``;
- saved payment methods: ``/v1/customers`` (create, search), ``/v1/setup_intents`` (create, retrieve),
  ``GET /v1/payment_methods/{id}`` and charges of a saved ``pm_...`` (``tests/stripe_fake_setup.py``);
- ``POST /test/next_action`` (the double's handleNextAction: the payer completes or fails the bank's challenge,
  for a PaymentIntent or a SetupIntent) with CORS for the pages' origin. Not Stripe's: only the double calls it.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests import stripe_fake_setup as saved

DOUBLE_DIR = Path(__file__).parent / "browser" / "stripe_double"
CREATED = 1_790_000_000

# Stripe's test cards and bank account, by what the double puts in a token's id.
CARDS = {
    "visa": ("4242", "succeeded"),
    "declined": ("0002", "declined"),
    "threeds": ("3184", "requires_action"),
    "setupauth": ("3155", "requires_action"),  # asks once: when paid with, or when saved (then never again)
}
BANK = "6789"  # Stripe's test routing 110000000, account 000123456789


@dataclass
class FakeStripe:
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    setups: dict[str, dict[str, Any]] = field(default_factory=dict)
    methods: dict[str, dict[str, Any]] = field(default_factory=dict)
    answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # by Idempotency-Key
    requests: list[tuple[str, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    prefix: str = field(default_factory=lambda: secrets.token_hex(4))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, form: dict[str, str], key: str | None) -> tuple[int, dict[str, Any], bool]:
        with self._lock:
            if key and key in self.answers:
                status, body = self.answers[key]
                return status, body, True
            status, body = self._confirm(form)
            if key:
                self.answers[key] = (status, body)
            return status, body, False

    def once(self, form: dict[str, str], key: str | None, path: str) -> tuple[int, dict[str, Any], bool]:
        """A Customer or SetupIntent created once per Idempotency-Key, as ``create`` does for PaymentIntents."""
        with self._lock:
            if key and key in self.answers:
                return *self.answers[key], True
            if path == "/v1/customers":
                status, body = 200, saved.create_customer(self, form)
            else:
                status, body = saved.create_setup(self, form)
            if key:
                self.answers[key] = (status, body)
            return status, body, False

    def _confirm(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        token = form.get("confirmation_token") or form.get("payment_method") or ""
        n = next(self._ids)
        pid = f"pi_{self.prefix}{n:06d}"  # unique across fakes: a session's ledger outlives each fake
        intent: dict[str, Any] = {
            "id": pid,
            "object": "payment_intent",
            "amount": int(form.get("amount", "0")),
            "currency": form.get("currency", "usd"),
            "customer": form.get("customer"),
            "created": CREATED + n,
            "client_secret": f"{pid}_secret_{secrets.token_hex(8)}",
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "payment_method_types": ["card"],
            "last_payment_error": None,
            "next_action": None,
            "latest_charge": None,
        }
        self.intents[pid] = intent
        refused = saved.refuse_saved_charge(self, form, intent) if token.startswith("pm_") else None
        if refused is not None:
            return refused
        if "_bank_" in token or token.startswith("ctoken_bank"):
            intent["payment_method_types"] = ["us_bank_account"]
            return 200, self._settle(
                intent, "processing", {"type": "us_bank_account", "us_bank_account": {"last4": BANK}}
            )
        card = next((name for name in CARDS if f"_{name}_" in token or token.endswith(f"_{name}")), "visa")
        last4, outcome = CARDS[card]
        details = {"type": "card", "card": {"brand": "visa", "last4": last4, "funding": "credit", "wallet": None}}
        if token.startswith("pm_"):
            details = intent["_card"]  # the saved card's own details
            outcome = "succeeded" if card == "setupauth" else outcome  # confirmed with its bank when saved
        intent["_card"] = details
        if outcome == "declined":
            intent["status"] = "requires_payment_method"
            error = {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined.",
                "payment_intent": self.public(intent),
            }
            intent["last_payment_error"] = {k: v for k, v in error.items() if k != "payment_intent"}
            return 402, {"error": error}
        if outcome == "requires_action":
            intent["status"] = "requires_action"
            intent["next_action"] = {"type": "use_stripe_sdk", "use_stripe_sdk": {"type": "three_d_secure_redirect"}}
            return 200, self.public(intent)
        return 200, self._settle(intent, "succeeded", details)

    def _settle(self, intent: dict[str, Any], status: str, details: dict[str, Any]) -> dict[str, Any]:
        intent["status"], intent["next_action"] = status, None
        intent["latest_charge"] = {
            "id": "ch_" + intent["id"][3:],
            "object": "charge",
            "payment_method_details": details,
        }
        return self.public(intent)

    def next_action(self, client_secret: str, complete: bool) -> dict[str, Any]:
        """The payer at the bank's challenge: completes it (the intent succeeds) or fails it."""
        with self._lock:
            setup = next((s for s in self.setups.values() if s["client_secret"] == client_secret), None)
            if setup is not None and setup["status"] == "requires_action":
                return saved.setup_next_action(self, setup, complete)
            intent = next((i for i in self.intents.values() if i["client_secret"] == client_secret), None)
            if intent is None or intent["status"] != "requires_action":
                return {"error": {"type": "invalid_request_error", "message": "No such PaymentIntent."}}
            if complete:
                return {"paymentIntent": self._settle(intent, "succeeded", intent["_card"])}
            intent["status"], intent["next_action"] = "requires_payment_method", None
            intent["last_payment_error"] = {
                "code": "payment_intent_authentication_failure",
                "message": "We are unable to authenticate your payment method.",
            }
            return {
                "error": {"type": "card_error", **intent["last_payment_error"]},
                "paymentIntent": self.public(intent),
            }

    def cancel(self, pid: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            intent = self.intents.get(pid)
            if intent is None:
                return 404, {
                    "error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such"}
                }
            if intent["status"] not in {"requires_action", "requires_payment_method"}:
                message = f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}."
                return 400, {
                    "error": {
                        "type": "invalid_request_error",
                        "code": "payment_intent_unexpected_state",
                        "message": message,
                    }
                }
            intent["status"], intent["next_action"] = "canceled", None
            return 200, self.public(intent)

    def by_key(self, idempotency_key: str) -> list[dict[str, Any]]:
        return [
            self.public(i) for i in self.intents.values() if i["metadata"].get("idempotency_key") == idempotency_key
        ]

    @staticmethod
    def public(intent: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in intent.items() if not k.startswith("_")}


class FakeStripeServer:
    """``FakeStripe`` behind HTTP on a free port: ``base`` is the adapter's ``api_base`` and the double's origin."""

    def __init__(self) -> None:
        self.fake = FakeStripe()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.stripe_js_url = f"{self.base}/v3/"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _reply(
            self,
            status: int,
            body: Any,
            headers: dict[str, str] | None = None,
            *,
            raw: bytes | None = None,
            content_type: str = "application/json",
        ) -> None:
            payload = raw if raw is not None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Headers", "Content-Type")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def do_OPTIONS(self) -> None:  # the double's CORS preflight
            self._reply(204, None, raw=b"")

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            fake.requests.append(("GET", url.path))
            query = dict(parse_qsl(url.query))
            if url.path in {"/v3/", "/v3", "/v3/stripe.js"}:
                script = (DOUBLE_DIR / "stripe.js").read_bytes()
                return self._reply(200, None, raw=script, content_type="text/javascript")
            if url.path == "/v1/payment_intents":
                found = [fake.public(i) for i in fake.intents.values()]
                return self._reply(200, {"object": "list", "data": found, "has_more": False, "url": url.path})
            if url.path == "/v1/payment_intents/search":
                key = query.get("query", "").split("'")[-2] if "'" in query.get("query", "") else ""
                found = fake.by_key(key)
                return self._reply(200, {"object": "search_result", "data": found, "has_more": False, "url": url.path})
            if url.path == "/v1/customers/search":
                found = saved.search_customers(fake, query.get("query", ""))
                return self._reply(200, {"object": "search_result", "data": found, "has_more": False, "url": url.path})
            for prefix, kept in (("/v1/setup_intents/", fake.setups), ("/v1/payment_methods/", fake.methods)):
                if url.path.startswith(prefix) and url.path[len(prefix) :] in kept:
                    found = kept[url.path[len(prefix) :]]
                    is_setup = prefix == "/v1/setup_intents/"
                    return self._reply(200, saved.expanded(fake, found) if is_setup else found)
            if url.path.startswith("/v1/payment_intents/"):
                intent = fake.intents.get(url.path.rsplit("/", 1)[1])
                if intent is None:
                    error = {"type": "invalid_request_error", "code": "resource_missing", "message": "No such"}
                    return self._reply(404, {"error": error})
                return self._reply(200, fake.public(intent))
            self._reply(404, {"error": {"type": "invalid_request_error", "message": f"no fake for {url.path}"}})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            fake.requests.append(("POST", url.path))
            length = int(self.headers.get("Content-Length") or 0)
            text = self.rfile.read(length).decode() if length else ""
            if url.path == "/test/next_action":
                asked = json.loads(text or "{}")
                return self._reply(200, fake.next_action(str(asked.get("clientSecret")), bool(asked.get("complete"))))
            form = dict(parse_qsl(text))
            if url.path == "/v1/payment_intents":
                status, body, replayed = fake.create(form, self.headers.get("Idempotency-Key"))
                return self._reply(status, body, {"Idempotent-Replayed": "true"} if replayed else None)
            if url.path in {"/v1/customers", "/v1/setup_intents"}:
                status, body, replayed = fake.once(form, self.headers.get("Idempotency-Key"), url.path)
                return self._reply(status, body, {"Idempotent-Replayed": "true"} if replayed else None)
            if url.path.startswith("/v1/payment_intents/") and url.path.endswith("/cancel"):
                status, body = fake.cancel(url.path.split("/")[3])
                return self._reply(status, body)
            self._reply(404, {"error": {"type": "invalid_request_error", "message": f"no fake for {url.path}"}})

        def log_message(self, *args: Any) -> None:
            pass

    return Handler
