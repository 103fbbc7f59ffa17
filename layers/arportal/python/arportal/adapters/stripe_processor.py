"""Stripe as the ``PaymentProcessor``: PaymentIntents created and confirmed in one call, refunds, webhooks.

- **Charge**: ``POST /v1/payment_intents`` with ``confirm=true``, the payment method from Stripe Elements (a
  ConfirmationToken ``ctoken_...`` from the Payment Element, a PaymentMethod ``pm_...``, or a legacy card token
  ``tok_...``) and OUR idempotency key twice: as the ``Idempotency-Key`` header, so a repeated request (ours, or
  the SDK's own network retry) is the same charge, and in ``metadata[idempotency_key]``, so the intent can be
  found again. ``succeeded`` is posted; ``processing`` (ACH Direct Debit, ``us_bank_account``) is pending
  until the webhook says otherwise; a decline comes back as a ``CardError`` and is classified by its decline code.
  ``requires_action`` (3-D Secure) waits for the payer with the intent's client secret; the payer's return with
  the same key reads the intent again, since Stripe replays the first answer; an abandoned one is cancelled
  (``cancel_charge``). How each answer reads: ``stripe_answers.py``.
- **Lost answers**: rate limits, connection failures and timeouts (and Stripe's own 5xx) raise
  ``ProcessorUnavailableError``; the caller then asks ``find_charge``. Stripe cannot look an intent up by an
  idempotency key and its ids cannot be chosen, so ``find_charge`` reads the metadata: first the list of intents
  created in the last 15 minutes (the list API is strongly consistent, and a lost answer is reconciled within
  seconds), then Search (``metadata['idempotency_key']:'...'``), which finds older ones but lags writes by up to
  a minute. Neither can double-charge: a retried charge carries the same Idempotency-Key, which Stripe answers
  with the first result for 24 hours.
- **Credentials** (``api_key``, ``webhook_secret``) come from a loader called on first use, so building the
  processor costs a cold start nothing; an ``AuthenticationError`` is a ``DependencyError`` (a 503 to the caller
  and an alarm for operators), never a decline.
- **Payouts**: Stripe's automatic payouts and the balance transactions in each (``stripe_payouts``).
- **Saved methods**: a SetupIntent on the customer's Stripe Customer; a saved ``pm_...`` is charged with that
  Customer, off session for schedules (``stripe_saved_methods``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, cast

import stripe

from arportal import clock as product_clock
from arportal.adapters import stripe_payouts
from arportal.adapters import stripe_saved_methods as saved_methods
from arportal.adapters.stripe_answers import (
    _declined,
    _event,
    _failed,
    _message,
    _result,
)
from arportal.domain.errors import DependencyError
from arportal.domain.payouts import BalanceTransaction, Payout
from arportal.domain.processing import ChargeOutcome, classify
from arportal.ports import (
    ChargeRequest,
    ChargeResult,
    ProcessorEvent,
    ProcessorUnavailableError,
    RefundResult,
    SavedMethodResult,
    WebhookSignatureError,
)

if TYPE_CHECKING:
    from arportal.adapters.processors import ProcessorCredentials

SIGNATURE_HEADER = "Stripe-Signature"
WEBHOOK_TOLERANCE_S = 300
RECENT_WINDOW_S = 15 * 60
MAX_RECENT_INTENTS = 500  # how far the recent-intents list is read before falling back to Search
_UNAVAILABLE = (stripe.RateLimitError, stripe.APIConnectionError, stripe.APIError)
_NOT_ALLOWED = (stripe.AuthenticationError, stripe.PermissionError)
_T = TypeVar("_T")


class StripeProcessor:
    name = "stripe"

    def __init__(
        self,
        credentials: Callable[[], ProcessorCredentials],
        *,
        api_base: str | None = None,
        timeout_s: float = 8,
        max_network_retries: int = 2,
        clock: Callable[[], float] = product_clock.timestamp,
    ) -> None:
        self._credentials = credentials
        self._api_base = api_base
        self._timeout_s = timeout_s  # below the API functions' 15 s, so a slow Stripe becomes a clean 503
        self._retries = max_network_retries
        self._clock = clock

    @cached_property
    def _client(self) -> stripe.StripeClient:
        return stripe.StripeClient(
            self._credentials().api_key,
            base_addresses={"api": self._api_base} if self._api_base else None,
            http_client=stripe.RequestsClient(timeout=self._timeout_s),
            max_network_retries=self._retries,
        )

    # --- charges ------------------------------------------------------------------------------------------

    def charge(self, request: ChargeRequest) -> ChargeResult:
        source = _payment_source(request.token)
        if source is None:
            return ChargeResult(classify("invalid_token"), None, code="invalid_token", message="not a Stripe token")
        params: dict[str, Any] = {
            "amount": request.amount,
            "currency": request.currency.lower(),
            "confirm": True,
            "description": request.description[:1000],
            "metadata": {
                **(request.metadata or {}),
                **({"customer_id": request.customer_id} if request.customer_id else {}),
                "idempotency_key": request.idempotency_key,
            },
            # Redirect-based methods would need a return_url and a customer in a browser; ours never redirect.
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
            "expand": ["latest_charge"],
            **source,
        }
        if request.off_session and "payment_method" in source:
            # A saved method (only schedules charge those): Stripe charges it only with the Customer it belongs to.
            owner = self._guarded(
                lambda: saved_methods.method_customer(self._client, request.token), ProcessorUnavailableError
            )
            params.update({"off_session": True, **({"customer": owner} if owner else {})})
        elif request.off_session:
            params["off_session"] = True
        result = self._create_intent(params, request.idempotency_key)
        if request.off_session and result.code == saved_methods.AUTHENTICATION_REQUIRED:
            # Nobody is there to confirm it (Stripe declines with authentication_required, or leaves the intent
            # waiting): a decline the payer is told about, and a waiting intent is cancelled so it cannot take money.
            if result.outcome is ChargeOutcome.REQUIRES_ACTION and result.transaction_id:
                self.cancel_charge(result.transaction_id)
            result = replace(
                result,
                outcome=ChargeOutcome.DECLINED,
                message=saved_methods.PAY_ONLINE,
                client_secret=None,
            )
        return result

    def save_payment_method(self, customer_id: str, token: str, *, idempotency_key: str) -> SavedMethodResult:
        """A SetupIntent for our customer's Stripe Customer, confirmed with the Payment Element's ConfirmationToken
        (``stripe_saved_methods``): the ``pm_...`` later charges name, or the bank's step the payer must take."""
        return self._guarded(lambda: saved_methods.save(self._client, customer_id, token, idempotency_key))

    def _guarded(self, call: Callable[[], _T], silent: type[Exception] = DependencyError) -> _T:
        """A Stripe call that moves no money: its silence raises ``silent`` (a 503 by default; a charge's caller
        gets ``ProcessorUnavailableError``, looks for the charge, finds none and retries)."""
        try:
            return call()
        except _UNAVAILABLE as exc:
            raise silent("the payment processor did not answer; try again with the same key") from exc
        except _NOT_ALLOWED as exc:
            raise DependencyError("the payment processor refused our credentials") from exc

    def _create_intent(self, params: dict[str, Any], idempotency_key: str) -> ChargeResult:
        """Create and confirm one PaymentIntent once per key, and read Stripe's answer as a ``ChargeResult``."""
        try:
            intent = self._client.v1.payment_intents.create(cast(Any, params), {"idempotency_key": idempotency_key})
        except stripe.CardError as exc:
            return _declined(exc)
        except stripe.IdempotencyError as exc:
            return _failed("idempotency_key_reused", _message(exc))
        except stripe.InvalidRequestError as exc:
            code = "invalid_token" if exc.code == "resource_missing" else (exc.code or "invalid_request")
            return _failed(code, _message(exc))
        except _UNAVAILABLE as exc:
            raise ProcessorUnavailableError(f"stripe: {type(exc).__name__}") from exc
        except _NOT_ALLOWED as exc:
            raise DependencyError("the payment processor refused our credentials") from exc
        data = intent.to_dict()
        if data.get("status") == "requires_action" and data.get("id"):
            # Stripe answers a repeated key with the FIRST answer (requires_action) for 24 h, even once the payer
            # has authenticated: the payer's return with the same key must read the intent as it is now.
            data = self._intent(str(data["id"])) or data
        return _result(data)

    def _intent(self, transaction_id: str) -> dict[str, Any] | None:
        try:
            found = self._client.v1.payment_intents.retrieve(transaction_id, cast(Any, {"expand": ["latest_charge"]}))
        except stripe.InvalidRequestError:
            return None
        except _UNAVAILABLE as exc:
            raise ProcessorUnavailableError(f"stripe: {type(exc).__name__}") from exc
        except _NOT_ALLOWED as exc:
            raise DependencyError("the payment processor refused our credentials") from exc
        return found.to_dict()

    def cancel_charge(self, transaction_id: str) -> ChargeResult | None:
        """Cancel an intent the payer left waiting for their action (3-D Secure never completed), so it can no
        longer take money; answers the intent as it is afterwards (succeeded, if the payer finished first)."""
        try:
            self._client.v1.payment_intents.cancel(
                transaction_id,
                cast(Any, {"cancellation_reason": "abandoned"}),
                {"idempotency_key": f"cancel:{transaction_id}"},
            )
        except stripe.InvalidRequestError:
            pass  # no longer cancellable (it succeeded or failed meanwhile): what it is now is read below
        except _UNAVAILABLE as exc:
            raise DependencyError("the payment processor could not be asked to cancel this charge; retry") from exc
        except _NOT_ALLOWED as exc:
            raise DependencyError("the payment processor refused our credentials") from exc
        intent = self._intent(transaction_id)
        return _result(intent) if intent else None

    def find_charge(self, idempotency_key: str) -> ChargeResult | None:
        try:
            intent = self._recent_intent(idempotency_key) or self._searched_intent(idempotency_key)
        except _UNAVAILABLE as exc:
            raise DependencyError("the payment processor could not be asked about this charge; retry") from exc
        except _NOT_ALLOWED as exc:
            raise DependencyError("the payment processor refused our credentials") from exc
        return _result(intent) if intent else None

    def _recent_intent(self, idempotency_key: str) -> dict[str, Any] | None:
        since = int(self._clock()) - RECENT_WINDOW_S
        page = self._client.v1.payment_intents.list(
            cast(Any, {"created": {"gte": since}, "limit": 100, "expand": ["data.latest_charge"]})
        )
        for seen, intent in enumerate(page.auto_paging_iter()):
            if seen >= MAX_RECENT_INTENTS:
                break
            data = intent.to_dict()
            if (data.get("metadata") or {}).get("idempotency_key") == idempotency_key:
                return data
        return None

    def _searched_intent(self, idempotency_key: str) -> dict[str, Any] | None:
        quoted = idempotency_key.replace("\\", "\\\\").replace("'", "\\'")
        found = self._client.v1.payment_intents.search(
            cast(Any, {"query": f"metadata['idempotency_key']:'{quoted}'", "expand": ["data.latest_charge"]})
        )
        return next((i.to_dict() for i in found.data), None)

    def represent_debit(self, transaction_id: str, request: ChargeRequest) -> ChargeResult:
        """A new PaymentIntent on the original's bank-account PaymentMethod and customer, confirmed under the
        original's mandate (a multi-use mandate, as Stripe gives a saved or reusable bank account; a single-use
        one is refused by Stripe and that refusal is returned as the decline)."""
        try:
            original = self._client.v1.payment_intents.retrieve(
                transaction_id, cast(Any, {"expand": ["latest_charge"]})
            ).to_dict()
        except stripe.InvalidRequestError as exc:
            return _failed("not_an_ach_debit", _message(exc))
        except _UNAVAILABLE as exc:
            raise ProcessorUnavailableError(f"stripe: {type(exc).__name__}") from exc
        except _NOT_ALLOWED as exc:
            raise DependencyError("the payment processor refused our credentials") from exc
        charge = original.get("latest_charge")
        details = (charge.get("payment_method_details") or {}) if isinstance(charge, dict) else {}
        bank = details.get("us_bank_account") if details.get("type") == "us_bank_account" else None
        method = original.get("payment_method")
        if not bank or not method:
            return _failed("not_an_ach_debit", f"stripe: {transaction_id} is not a bank-account debit")
        params: dict[str, Any] = {
            "amount": request.amount,
            "currency": request.currency.lower(),
            "confirm": True,
            "payment_method": method if isinstance(method, str) else method.get("id"),
            "payment_method_types": ["us_bank_account"],
            "description": request.description[:1000],
            "metadata": {
                **(request.metadata or {}),
                "represents": transaction_id,
                "idempotency_key": request.idempotency_key,
            },
            "expand": ["latest_charge"],
        }
        if original.get("customer"):
            params["customer"] = original["customer"]
        if bank.get("mandate"):
            params["mandate"] = bank["mandate"]
        return self._create_intent(params, request.idempotency_key)

    # --- refunds ------------------------------------------------------------------------------------------

    def refund(self, transaction_id: str, amount: int, *, idempotency_key: str) -> RefundResult:
        params = {"payment_intent": transaction_id, "amount": amount, "metadata": {"idempotency_key": idempotency_key}}
        try:
            refund = self._client.v1.refunds.create(cast(Any, params), {"idempotency_key": idempotency_key})
        except stripe.IdempotencyError as exc:
            return RefundResult(False, None, code="idempotency_key_reused", message=_message(exc))
        except (stripe.InvalidRequestError, stripe.CardError) as exc:
            return RefundResult(False, None, code=exc.code or "invalid_request", message=_message(exc))
        except _UNAVAILABLE as exc:
            raise DependencyError("the payment processor did not answer; retry the refund with the same key") from exc
        except _NOT_ALLOWED as exc:
            raise DependencyError("the payment processor refused our credentials") from exc
        data = refund.to_dict()
        # "pending" is accepted (bank refunds take days); a later failure arrives as a refund.failed webhook.
        if data.get("status") in {"succeeded", "pending"}:
            return RefundResult(True, data.get("id"))
        return RefundResult(False, data.get("id"), code=data.get("failure_reason") or data.get("status"))

    # --- webhooks -----------------------------------------------------------------------------------------

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> ProcessorEvent:
        credentials = self._credentials()
        if not credentials.webhook_secret:
            raise WebhookSignatureError("no webhook secret is configured: every webhook is refused")
        header = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), None)
        try:
            # tolerance=0: the SDK would judge the timestamp by the system clock; it is judged below by ours.
            event = stripe.Webhook.construct_event(
                body.decode("utf-8"), header, credentials.webhook_secret, tolerance=0, api_key=credentials.api_key
            )
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise WebhookSignatureError(f"the Stripe signature did not verify: {exc}") from exc
        signed_at = _signed_at(header or "")
        if signed_at < self._clock() - WEBHOOK_TOLERANCE_S:
            # The SDK's own check, word for word: only a signature too old is refused (a replay), not one ahead.
            raise WebhookSignatureError(
                f"the Stripe signature did not verify: Timestamp outside the tolerance zone ({signed_at})"
            )
        return _event(event.to_dict())

    # --- payouts ------------------------------------------------------------------------------------------

    def payouts(self, *, arrived_since: date, arrived_until: date) -> list[Payout]:
        return stripe_payouts.payouts(self._client, arrived_since, arrived_until)

    def payout_transactions(self, payout_id: str) -> list[BalanceTransaction]:
        return stripe_payouts.payout_transactions(self._client, payout_id)

    def payout_transactions_page(
        self, payout_id: str, *, after: str | None
    ) -> tuple[list[BalanceTransaction], str | None]:
        return stripe_payouts.payout_transactions_page(self._client, payout_id, after)


def _signed_at(header: str) -> int:
    """The ``t=`` of a ``Stripe-Signature`` the SDK has verified (parsed as the SDK parses it)."""
    return int(next(part.split("=", 2)[1] for part in header.split(",") if part.split("=", 2)[0] == "t"))


def _payment_source(token: str) -> dict[str, Any] | None:
    if token.startswith("ctoken_"):
        return {"confirmation_token": token}  # carries the ACH mandate and wallet details from the Payment Element
    if token.startswith("pm_"):
        return {"payment_method": token}
    if token.startswith("tok_"):
        return {"payment_method_data": {"type": "card", "card": {"token": token}}}
    return None
