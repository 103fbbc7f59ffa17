"""The fake Stripe API's saved payment methods (``tests/stripe_fake_api.py`` routes to these): Customers (create,
Search by ``metadata['customer_id']``), SetupIntents confirmed with a ConfirmationToken, PaymentMethods (retrieve),
and what a saved ``pm_...`` does when a PaymentIntent charges it, as Stripe's test cards do:

- 4242 (``visa``) saves and charges, on or off session;
- 4000 0025 0000 3155 (``setupauth``) asks for 3-D Secure when saved, then charges off session without it;
- 4000 0027 6000 3184 (``threeds``) asks for 3-D Secure when saved and on every charge: off session it is declined
  ``authentication_required``;
- 0002 (``declined``) is declined when saved.

A PaymentMethod attached to a Customer is charged only by an intent naming that Customer, as Stripe requires.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.stripe_fake_api import FakeStripe

BANK = "6789"
ALWAYS_AUTHENTICATE = {"threeds"}
AUTHENTICATE_WHEN_SAVED = {"setupauth", "threeds"}
LAST4 = {"visa": "4242", "declined": "0002", "threeds": "3184", "setupauth": "3155"}


def _card_of(token: str) -> str:
    return next((name for name in LAST4 if f"_{name}_" in token or token.endswith(f"_{name}")), "visa")


def create_customer(fake: FakeStripe, form: dict[str, str]) -> dict[str, Any]:
    n = next(fake._ids)
    customer = {
        "id": f"cus_{fake.prefix}{n:06d}",
        "object": "customer",
        "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
    }
    fake.customers[customer["id"]] = customer
    return customer


def search_customers(fake: FakeStripe, query: str) -> list[dict[str, Any]]:
    wanted = query.split("'")[-2] if query.count("'") >= 4 else None
    return [c for c in fake.customers.values() if c["metadata"].get("customer_id") == wanted]


def create_setup(fake: FakeStripe, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    token, customer = form.get("confirmation_token", ""), form.get("customer")
    if customer not in fake.customers:
        return 400, _invalid("resource_missing", f"No such customer: '{customer}'")
    n = next(fake._ids)
    sid = f"seti_{fake.prefix}{n:06d}"
    card = "bank" if token.startswith("ctoken_bank") else _card_of(token)
    setup: dict[str, Any] = {
        "id": sid,
        "object": "setup_intent",
        "customer": customer,
        "usage": form.get("usage", "off_session"),
        "client_secret": f"{sid}_secret_{secrets.token_hex(8)}",
        "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
        "last_setup_error": None,
        "next_action": None,
        "payment_method": None,
        "_card": card,
    }
    fake.setups[sid] = setup
    if card == "declined":
        setup["status"] = "requires_payment_method"
        error = {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline"}
        setup["last_setup_error"] = {**error, "message": "Your card was declined."}
        return 402, {"error": {**setup["last_setup_error"], "setup_intent": fake.public(setup)}}
    if card in AUTHENTICATE_WHEN_SAVED:
        setup["status"] = "requires_action"
        setup["next_action"] = {"type": "use_stripe_sdk", "use_stripe_sdk": {"type": "three_d_secure_redirect"}}
        return 200, fake.public(setup)
    return 200, _succeed(fake, setup)


def _succeed(fake: FakeStripe, setup: dict[str, Any]) -> dict[str, Any]:
    card = setup["_card"]
    pid = f"pm_{card}_{fake.prefix}{next(fake._ids):06d}"
    method: dict[str, Any] = {"id": pid, "object": "payment_method", "customer": setup["customer"]}
    if card == "bank":  # verified instantly (the payer signed in to their bank in the element)
        method.update(type="us_bank_account", us_bank_account={"last4": BANK})
    else:
        last4 = LAST4[card]
        method.update(type="card", card={"brand": "visa", "last4": last4, "exp_month": 12, "exp_year": 2034})
    fake.methods[pid] = method
    setup["status"], setup["next_action"], setup["payment_method"] = "succeeded", None, pid
    return expanded(fake, setup)


def expanded(fake: FakeStripe, setup: dict[str, Any]) -> dict[str, Any]:
    """The SetupIntent with ``payment_method`` expanded (the adapter asks for it)."""
    public = fake.public(setup)
    if public.get("payment_method") in fake.methods:
        public["payment_method"] = fake.methods[public["payment_method"]]
    return public


def setup_next_action(fake: FakeStripe, setup: dict[str, Any], complete: bool) -> dict[str, Any]:
    if complete:
        return {"setupIntent": _succeed(fake, setup)}
    setup["status"], setup["next_action"] = "requires_payment_method", None
    setup["last_setup_error"] = {
        "code": "setup_intent_authentication_failure",
        "message": "We are unable to authenticate your payment method.",
    }
    return {"error": {"type": "card_error", **setup["last_setup_error"]}, "setupIntent": fake.public(setup)}


def refuse_saved_charge(fake: FakeStripe, form: dict[str, str], intent: dict[str, Any]) -> tuple[int, Any] | None:
    """How Stripe answers a charge of a saved ``pm_...``: None when it goes on as any charge of that card."""
    method = fake.methods.get(form.get("payment_method", ""))
    if method is None:
        return 400, _invalid("resource_missing", f"No such PaymentMethod: '{form.get('payment_method')}'")
    if method["customer"] and form.get("customer") != method["customer"]:
        message = "The provided PaymentMethod belongs to a Customer: pass that Customer with it."
        return 400, _invalid("payment_method_customer_mismatch", message)
    card = _card_of(method["id"])
    if method["type"] == "us_bank_account":
        intent["payment_method_types"] = ["us_bank_account"]
        intent["_card"] = {"type": "us_bank_account", "us_bank_account": method["us_bank_account"]}
        return None
    intent["_card"] = {"type": "card", "card": {**method["card"], "funding": "credit", "wallet": None}}
    if form.get("off_session") == "true" and card in ALWAYS_AUTHENTICATE:
        intent["status"] = "requires_payment_method"
        error = {
            "type": "card_error",
            "code": "authentication_required",
            "decline_code": "authentication_required",
            "message": "Your card was declined. This transaction requires authentication.",
        }
        intent["last_payment_error"] = error
        return 402, {"error": {**error, "payment_intent": fake.public(intent)}}
    return None


def _invalid(code: str, message: str) -> dict[str, Any]:
    return {"error": {"type": "invalid_request_error", "code": code, "message": message}}
