"""A deterministic sandbox payment processor: the ``PaymentProcessor`` the local runtime and tests use.

Like a real processor's test mode, the token decides the outcome (``tok_visa`` succeeds, ``tok_declined`` is a
hard decline, ``tok_insufficient_funds`` may succeed later, ``tok_ach`` stays pending), and the transaction id
is derived from the idempotency key, so the same key always names the same charge.

Invariant: one idempotency key charges at most once. A repeated request returns the first answer; the same key
with different parameters is refused (``idempotency_key_reused``), as Stripe does.

Charges are remembered in memory for this process (shared by every instance), which is what ``find_charge``
reconciles a lost answer against.
"""

from __future__ import annotations

import hashlib
import re
import threading

from arportal.domain.processing import ChargeOutcome, classify
from arportal.ports import ChargeRequest, ChargeResult, ProcessorUnavailableError

# token -> (brand, last4, method type) of tokens that succeed; anything else below is a failure code.
_SUCCEEDING: dict[str, tuple[str | None, str, str]] = {
    "tok_visa": ("visa", "4242", "card"),
    "tok_mastercard": ("mastercard", "4444", "card"),
    "tok_amex": ("amex", "8431", "card"),
    "tok_discover": ("discover", "1117", "card"),
    "tok_debit": ("visa", "5556", "debit"),
    "tok_wallet": ("visa", "4242", "wallet"),
}
_PENDING: dict[str, tuple[str | None, str, str]] = {"tok_ach": (None, "6789", "ach")}
_FAILING: dict[str, str] = {
    "tok_declined": "card_declined",
    "tok_expired": "expired_card",
    "tok_incorrect_cvc": "incorrect_cvc",
    "tok_stolen": "stolen_card",
    "tok_lost": "lost_card",
    "tok_account_closed": "account_closed",
    "tok_insufficient_funds": "insufficient_funds",
    "tok_processing_error": "processing_error",
    "tok_rate_limited": "rate_limited",
}
UNAVAILABLE = "tok_unavailable"  # no answer, and no charge was made
UNAVAILABLE_AFTER_CHARGE = "tok_unavailable_after_charge"  # the charge succeeded but its answer was lost
_FLAKY = re.compile(r"^tok_flaky_(?P<failures>[0-9]{1,2})$")  # fails (retryable) on attempts 1..n

# The processor's published test card numbers, for the local hosted-fields stand-in.
TEST_CARDS: dict[str, str] = {
    "4242424242424242": "tok_visa",
    "5555555555554444": "tok_mastercard",
    "378282246310005": "tok_amex",
    "6011111111111117": "tok_discover",
    "4000056655665556": "tok_debit",
    "4000000000000002": "tok_declined",
    "4000000000009995": "tok_insufficient_funds",
    "4000000000000119": "tok_processing_error",
    "4000000000000069": "tok_expired",
    "4000000000009979": "tok_stolen",
}

_charges: dict[str, tuple[ChargeRequest, ChargeResult]] = {}
_charges_lock = threading.Lock()


def token_for_test_card(number: str) -> str | None:
    """What the sandbox's hosted fields hand back for a test card number (None: not a test card)."""
    return TEST_CARDS.get(re.sub(r"[ -]", "", number))


def transaction_id_for(idempotency_key: str) -> str:
    return "sbx_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


class SandboxProcessor:
    name = "sandbox"

    def charge(self, request: ChargeRequest) -> ChargeResult:
        with _charges_lock:
            previous = _charges.get(request.idempotency_key)
            if previous is not None:
                if _same_charge(previous[0], request):
                    return previous[1]
                return ChargeResult(
                    ChargeOutcome.DECLINED,
                    None,
                    code="idempotency_key_reused",
                    message="this idempotency key was used for a different charge",
                )
            if request.token == UNAVAILABLE:
                raise ProcessorUnavailableError("sandbox: no answer (nothing was charged)")
            result = _decide(request)
            _charges[request.idempotency_key] = (request, result)
        if request.token == UNAVAILABLE_AFTER_CHARGE:
            raise ProcessorUnavailableError("sandbox: the charge was made but its answer was lost")
        return result

    def find_charge(self, idempotency_key: str) -> ChargeResult | None:
        with _charges_lock:
            found = _charges.get(idempotency_key)
        return found[1] if found else None


def _same_charge(a: ChargeRequest, b: ChargeRequest) -> bool:
    return (a.amount, a.currency, a.token, a.customer_id) == (b.amount, b.currency, b.token, b.customer_id)


def _decide(request: ChargeRequest) -> ChargeResult:
    token = request.token
    if request.amount <= 0:
        return _failed("invalid_amount", "the amount must be positive")
    if token in _SUCCEEDING or token == UNAVAILABLE_AFTER_CHARGE:
        brand, last4, method = _SUCCEEDING.get(token, ("visa", "4242", "card"))
        return _succeeded(request, brand, last4, method)
    if token in _PENDING:
        brand, last4, method = _PENDING[token]
        return ChargeResult(
            classify(None, pending=True),
            transaction_id_for(request.idempotency_key),
            brand=brand,
            last4=last4,
            method_type=method,
        )
    if token in _FAILING:
        return _failed(_FAILING[token], f"sandbox: {_FAILING[token].replace('_', ' ')}")
    flaky = _FLAKY.match(token)
    if flaky:
        attempt = int((request.metadata or {}).get("attempt", "1"))
        if attempt <= int(flaky["failures"]):
            return _failed("processing_error", f"sandbox: flaky token, attempt {attempt}")
        return _succeeded(request, "visa", "4242", "card")
    return _failed("invalid_token", "sandbox: unknown token")


def _succeeded(request: ChargeRequest, brand: str | None, last4: str, method: str) -> ChargeResult:
    return ChargeResult(
        classify(None, succeeded=True),
        transaction_id_for(request.idempotency_key),
        brand=brand,
        last4=last4,
        method_type=method,
    )


def _failed(code: str, message: str) -> ChargeResult:
    return ChargeResult(classify(code), None, code=code, message=message)
