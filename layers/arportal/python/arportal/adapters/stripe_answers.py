"""How Stripe's answers read as ours: a PaymentIntent as a ``ChargeResult`` (``_result``), a ``CardError`` as a
decline, and a webhook event as a ``ProcessorEvent`` (split from ``stripe_processor.py``, which calls Stripe)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import stripe

from arportal.domain.processing import ChargeOutcome, classify
from arportal.ports import ChargeResult, ProcessorEvent

# Stripe event type -> our ProcessorEvent kind. Anything else is "ignored": acknowledged, nothing applied.
EVENT_KINDS = {
    "payment_intent.succeeded": "charge.succeeded",
    "payment_intent.payment_failed": "charge.failed",
    "charge.dispute.created": "charge.returned",
    "charge.refunded": "refund.succeeded",
    "refund.failed": "refund.failed",
}
IGNORED = "ignored"
MICRODEPOSITS = "verify_with_microdeposits"


def _result(intent: dict[str, Any]) -> ChargeResult:
    status = intent.get("status")
    brand, last4, method = _method_details(intent)
    if status == "succeeded":
        outcome = classify(None, succeeded=True)
    elif status in {"processing", "requires_capture"}:
        outcome = classify(None, pending=True)
    elif status == "requires_action" and (intent.get("next_action") or {}).get("type") == MICRODEPOSITS:
        # A bank account typed in by hand: Stripe sends two small deposits for the payer to confirm within days;
        # the debit is pending until then, as any ACH debit is until it clears (a webhook says how it ends).
        return ChargeResult(classify(None, pending=True), intent.get("id"), code=MICRODEPOSITS, method_type="ach")
    elif status == "requires_action":
        # 3-D Secure: the payer authenticates in their browser (Stripe.js handleNextAction with this secret).
        return ChargeResult(
            ChargeOutcome.REQUIRES_ACTION,
            intent.get("id"),
            code="authentication_required",
            message="the card's bank asks the payer to confirm the payment",
            brand=brand,
            last4=last4,
            method_type=method,
            client_secret=intent.get("client_secret"),
        )
    else:
        error = intent.get("last_payment_error") or {}
        code = error.get("decline_code") or error.get("code") or str(status or "unknown")
        return _failed(code, error.get("message") or f"stripe: payment {status}", intent.get("id"))
    return ChargeResult(outcome, intent.get("id"), brand=brand, last4=last4, method_type=method)


def _method_details(intent: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    charge = intent.get("latest_charge")
    details = charge.get("payment_method_details") if isinstance(charge, dict) else None
    if not details:
        types = intent.get("payment_method_types") or []
        return None, None, "ach" if "us_bank_account" in types else None
    if details.get("type") == "us_bank_account":
        return None, details["us_bank_account"].get("last4"), "ach"
    card = details.get("card") or {}
    method = "wallet" if card.get("wallet") else "debit" if card.get("funding") == "debit" else "card"
    return card.get("brand"), card.get("last4"), method


def _declined(exc: stripe.CardError) -> ChargeResult:
    body: dict[str, Any] = exc.json_body if isinstance(exc.json_body, dict) else {}
    error: dict[str, Any] = body.get("error") or {}
    code = error.get("decline_code") or error.get("code") or exc.code or "card_declined"
    intent = error.get("payment_intent") or {}
    return _failed(code, _message(exc), intent.get("id"))


def _failed(code: str, message: str, transaction_id: str | None = None) -> ChargeResult:
    # A declined intent's id is kept: staff can find the attempt by the id they see in Stripe's dashboard.
    return ChargeResult(classify(code), transaction_id, code=code, message=message)


def _message(exc: stripe.StripeError) -> str:
    return str(exc.user_message or type(exc).__name__)


def _event(event: dict[str, Any]) -> ProcessorEvent:
    kind = EVENT_KINDS.get(str(event.get("type")), IGNORED)
    obj: dict[str, Any] = (event.get("data") or {}).get("object") or {}
    occurred_at = datetime.fromtimestamp(int(event.get("created") or 0), UTC)
    code: str | None = None
    amount: int | None = obj.get("amount")
    transaction_id = obj.get("id")
    if kind == "charge.succeeded":
        amount = obj.get("amount_received", amount)
    elif kind == "charge.failed":
        error = obj.get("last_payment_error") or {}
        code = error.get("decline_code") or error.get("code")
    elif kind == "charge.returned":  # a dispute: for ACH, the bank's return of a debit it had paid
        transaction_id, code = obj.get("payment_intent") or obj.get("charge"), obj.get("reason")
    elif kind == "refund.succeeded":  # a Charge: what has been refunded of it so far
        transaction_id, amount = obj.get("payment_intent") or obj.get("id"), obj.get("amount_refunded")
    elif kind == "refund.failed":
        transaction_id, code = obj.get("payment_intent") or obj.get("charge"), obj.get("failure_reason")
    key = (obj.get("metadata") or {}).get("idempotency_key") if obj.get("object") == "payment_intent" else None
    return ProcessorEvent(
        charge_key=str(key) if key else None,
        event_id=str(event.get("id")),
        kind=kind,
        transaction_id=str(transaction_id or ""),
        occurred_at=occurred_at,
        code=code,
        amount=int(amount) if amount is not None else None,
    )
