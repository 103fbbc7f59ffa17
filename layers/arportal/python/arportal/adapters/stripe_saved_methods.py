"""Saved payment methods at Stripe, as Stripe documents saving details for later: a Stripe Customer for each of our
customers, a SetupIntent (``usage=off_session``) confirmed with the Payment Element's ConfirmationToken, and the
resulting ``pm_...`` (attached to that Customer) is what our saved method keeps as its ``processor_token``.

- **Which Stripe Customer**: ours carries ``metadata[customer_id]``; it is found with Customer Search, else created
  with the Idempotency-Key ``customer:<our id>``. Search lags writes by up to a minute, and Stripe keeps an
  Idempotency-Key for 24 hours: two saves close together create one Customer (the key), two far apart find it
  (Search). Nothing of Stripe's is stored on our side.
- **Charging a saved ``pm_...``**: Stripe refuses a PaymentMethod attached to a Customer unless the intent names
  that Customer, so the charge reads the PaymentMethod's ``customer`` first (one GET).
"""

from __future__ import annotations

from typing import Any, cast

import stripe

from arportal.adapters.stripe_answers import MICRODEPOSITS
from arportal.domain.processing import ChargeOutcome, classify
from arportal.ports import SavedMethodResult

# What the payer reads when their bank wants them present for a charge made while they are away.
AUTHENTICATION_REQUIRED = "authentication_required"
PAY_ONLINE = "your bank wants you to approve this payment yourself: please pay it online"


def stripe_customer(client: stripe.StripeClient, customer_id: str) -> str:
    """The id of the Stripe Customer that stands for our ``customer_id``, created the first time."""
    quoted = customer_id.replace("\\", "\\\\").replace("'", "\\'")
    found = client.v1.customers.search(cast(Any, {"query": f"metadata['customer_id']:'{quoted}'", "limit": 1}))
    if found.data:
        return str(found.data[0].id)
    created = client.v1.customers.create(
        cast(Any, {"metadata": {"customer_id": customer_id}}), {"idempotency_key": f"customer:{customer_id}"}
    )
    return str(created.id)


def save(client: stripe.StripeClient, customer_id: str, token: str, idempotency_key: str) -> SavedMethodResult:
    """Stripe's answer to keeping ``token`` for our customer; an unanswered call raises (the caller's to say)."""
    if not token.startswith("ctoken_"):
        return _refused("invalid_token", "not a Stripe ConfirmationToken")
    try:
        intent = confirm_setup(client, customer_id, token, idempotency_key)
    except stripe.CardError as exc:
        return declined_setup(exc)
    except stripe.IdempotencyError as exc:
        return _refused("idempotency_key_reused", str(exc.user_message or type(exc).__name__))
    except stripe.InvalidRequestError as exc:
        code = "invalid_token" if exc.code == "resource_missing" else (exc.code or "invalid_request")
        return _refused(code, str(exc.user_message or type(exc).__name__))
    return setup_result(intent)


def confirm_setup(client: stripe.StripeClient, customer_id: str, token: str, idempotency_key: str) -> dict[str, Any]:
    """Create and confirm one SetupIntent per key with the ConfirmationToken, and read it as it is now."""
    params: dict[str, Any] = {
        "customer": stripe_customer(client, customer_id),
        "confirm": True,
        "confirmation_token": token,
        "usage": "off_session",
        # Redirect-based methods would need a return_url; the pages never redirect (as for payments).
        "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        "metadata": {"customer_id": customer_id, "idempotency_key": idempotency_key},
        "expand": ["payment_method"],
    }
    key = f"setup:{customer_id}:{idempotency_key}"
    data = client.v1.setup_intents.create(cast(Any, params), {"idempotency_key": key}).to_dict()
    if data.get("status") == "requires_action" and data.get("id"):
        # Stripe replays the first answer for the key: the payer's return after the bank's step reads it afresh.
        data = client.v1.setup_intents.retrieve(str(data["id"]), cast(Any, {"expand": ["payment_method"]})).to_dict()
    return data


def setup_result(intent: dict[str, Any]) -> SavedMethodResult:
    status = intent.get("status")
    if status == "succeeded":
        method = intent.get("payment_method")
        if isinstance(method, dict):
            return _saved(method)
        return SavedMethodResult(classify(None, succeeded=True), str(method) if method else None)
    if status == "requires_action" and (intent.get("next_action") or {}).get("type") == MICRODEPOSITS:
        return _refused(
            MICRODEPOSITS,
            "a bank account typed in by hand needs days to verify and cannot be saved here yet: "
            "sign in to your bank in the form instead",
        )
    if status == "requires_action":
        return SavedMethodResult(
            ChargeOutcome.REQUIRES_ACTION,
            None,
            code=AUTHENTICATION_REQUIRED,
            message="the card's bank asks you to confirm saving it",
            client_secret=intent.get("client_secret"),
        )
    error = intent.get("last_setup_error") or {}
    code = error.get("decline_code") or error.get("code") or str(status or "unknown")
    return _refused(code, error.get("message") or f"stripe: saving the method ended {status}")


def declined_setup(exc: stripe.CardError) -> SavedMethodResult:
    body: dict[str, Any] = exc.json_body if isinstance(exc.json_body, dict) else {}
    error: dict[str, Any] = body.get("error") or {}
    code = error.get("decline_code") or error.get("code") or exc.code or "card_declined"
    return _refused(code, str(exc.user_message or type(exc).__name__))


def _saved(method: dict[str, Any]) -> SavedMethodResult:
    outcome = classify(None, succeeded=True)
    if method.get("type") == "us_bank_account":
        return SavedMethodResult(outcome, method.get("id"), last4=(method.get("us_bank_account") or {}).get("last4"))
    card = method.get("card") or {}
    return SavedMethodResult(
        outcome,
        method.get("id"),
        brand=card.get("brand"),
        last4=card.get("last4"),
        exp_month=card.get("exp_month"),
        exp_year=card.get("exp_year"),
    )


def _refused(code: str, message: str) -> SavedMethodResult:
    return SavedMethodResult(classify(code), None, code=code, message=message)


def method_customer(client: stripe.StripeClient, payment_method: str) -> str | None:
    """The Stripe Customer a saved PaymentMethod is attached to (None: not attached, or unknown to Stripe)."""
    try:
        found = client.v1.payment_methods.retrieve(payment_method).to_dict()
    except stripe.InvalidRequestError:
        return None  # the charge itself then says resource_missing, as for any unknown method
    owner = found.get("customer")
    return owner if isinstance(owner, str) else (owner or {}).get("id")
