"""A deterministic sandbox payment processor: the ``PaymentProcessor`` of the local runtime, of tests, and of a
deployed stack set to ``processor: sandbox``.

Like a real processor's test mode, the token decides the outcome. Tokens come from the sandbox's hosted fields
(``sandbox_cards``: ``tok_<kind>_<brand>_<last4>_<nonce>``) or are fixed names (``tok_visa`` succeeds,
``tok_declined`` is a hard decline, ``tok_insufficient_funds`` may succeed later, ``tok_ach`` stays pending,
``tok_flaky_<n>`` fails on attempts 1..n). The transaction id is derived from the idempotency key, so the same
key always names the same charge.

Invariants: one idempotency key charges at most once (a repeated request gets the first answer; the same key
with different parameters is refused with ``idempotency_key_reused``, as Stripe does); one refund key refunds at
most once; the refunds of a charge never exceed it. The records live in a ``SandboxStore``: in memory, or in the
ledger table when the processor is given a table name (so every Lambda container sees the same charges).

ACH debits stay pending until the simulation (``simulate_ach``: settle, fail, return) moves them and sends the
signed webhook (``sandbox_webhooks``) that a real processor would send.

Every movement is kept by day (``SandboxActivity``), and payouts are built from it as a processor pays out: T+2
banking days for cards, T+3 for ACH, fees and refunds netted, now and then a split payout or a late transaction
(``sandbox_payouts``, with its ``PayoutRules``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Literal

from arportal import clock as product_clock
from arportal.adapters import sandbox_webhooks
from arportal.adapters.sandbox_cards import FIXED_TOKENS, KINDS, TokenInfo, parse_token
from arportal.adapters.sandbox_payouts import PayoutRules, SandboxPayouts
from arportal.adapters.sandbox_records import (
    NEXT_STATES,
    REFUNDABLE_STATES,
    ActivityKind,
    SandboxActivity,
    SandboxCharge,
    SandboxRefund,
    SandboxTransaction,
    TransactionState,
    opaque_id,
)
from arportal.adapters.sandbox_store import DynamoSandboxStore, InMemorySandboxStore
from arportal.domain.errors import ConflictError, DependencyError, NotFoundError
from arportal.domain.payouts import BalanceTransaction, Payout
from arportal.domain.processing import ChargeOutcome, classify
from arportal.ports import (
    ChargeRequest,
    ChargeResult,
    ProcessorEvent,
    ProcessorUnavailableError,
    RefundResult,
    SandboxStore,
    SavedMethodResult,
)

_FLAKY = re.compile(r"^tok_flaky_(?P<failures>[0-9]{1,2})$")  # fails (retryable) on attempts 1..n

AchAction = Literal["settle", "fail", "return"]
# action -> (the state it starts from, the state it leaves, the event it sends, the code when the kind has none)
ACH_ACTIONS: dict[str, tuple[TransactionState, TransactionState, str, str | None]] = {
    "settle": (TransactionState.PENDING, TransactionState.SETTLED, "charge.succeeded", None),
    "fail": (TransactionState.PENDING, TransactionState.FAILED, "charge.failed", "insufficient_funds"),
    "return": (TransactionState.SETTLED, TransactionState.RETURNED, "charge.returned", "debit_not_authorized"),
}
_MOVED = {"settle": ActivityKind.SETTLED, "fail": ActivityKind.FAILED, "return": ActivityKind.RETURNED}


def transaction_id_for(idempotency_key: str) -> str:
    return opaque_id("sbx_", idempotency_key)


def refund_id_for(idempotency_key: str) -> str:
    return opaque_id("sbxre_", idempotency_key)


@dataclass(frozen=True)
class AchSimulation:
    event: ProcessorEvent
    delivery: sandbox_webhooks.Delivery


class SandboxProcessor:
    name = "sandbox"

    def __init__(
        self,
        table_name: str | None = None,
        *,
        store: SandboxStore | None = None,
        webhook_secret: str | Callable[[], str | None] | None = None,
        clock: Callable[[], float] = product_clock.timestamp,
        payout_rules: PayoutRules | None = None,
    ) -> None:
        self._store: SandboxStore = store or (DynamoSandboxStore(table_name) if table_name else InMemorySandboxStore())
        self._secret = webhook_secret if callable(webhook_secret) else (lambda: webhook_secret)
        self._clock = clock
        self._payouts = SandboxPayouts(self._store.activity, payout_rules or PayoutRules())

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    # --- PaymentProcessor ---------------------------------------------------------------------------------

    def charge(self, request: ChargeRequest) -> ChargeResult:
        previous = self._store.charge(request.idempotency_key)
        if previous is not None:
            return _replayed(previous, request)
        info = FIXED_TOKENS.get(request.token) or parse_token(request.token)
        if info is not None and info.behaviour.no_answer:
            raise ProcessorUnavailableError("sandbox: no answer (nothing was charged)")
        result = _decide(request, info)
        now = self._now()
        transaction = _transaction(request, result, info, at=now)
        activity = _moved(transaction, ActivityKind.CHARGED, request.amount, at=now) if transaction else None
        recorded = self._store.add_charge(SandboxCharge(request, result), transaction, activity=activity)
        if recorded.request != request:
            return _replayed(recorded, request)  # a racing request with this key was recorded first
        if info is not None and info.behaviour.answer_lost:
            raise ProcessorUnavailableError("sandbox: the charge was made but its answer was lost")
        return result

    def save_payment_method(self, customer_id: str, token: str, *, idempotency_key: str) -> SavedMethodResult:
        """The sandbox keeps no customers: its tokens can be charged again as they are."""
        return SavedMethodResult(ChargeOutcome.SUCCEEDED, token)

    def find_charge(self, idempotency_key: str) -> ChargeResult | None:
        found = self._store.charge(idempotency_key)
        return found.result if found else None

    def represent_debit(self, transaction_id: str, request: ChargeRequest) -> ChargeResult:
        """A new debit of the bank account the original debit used: the sandbox charges its token again (so a
        token that fails or returns behaves the same way on the new presentment)."""
        transaction = self._store.transaction(transaction_id)
        original = self._store.charge(transaction.idempotency_key) if transaction else None
        if transaction is None or original is None or KINDS[transaction.kind].method != "ach":
            return _failed("not_an_ach_debit", f"sandbox: {transaction_id} is not an ACH debit it made")
        return self.charge(replace(request, token=original.request.token))

    def refund(self, transaction_id: str, amount: int, *, idempotency_key: str) -> RefundResult:
        previous = self._store.refund(idempotency_key)
        if previous is not None:
            return _refund_replayed(previous, transaction_id, amount)
        if amount <= 0:
            return _refused("invalid_amount", "the refund amount must be positive")
        transaction = self._store.transaction(transaction_id)
        if transaction is None:
            return _refused("charge_not_found", f"sandbox: no charge {transaction_id}")
        refusal = _refund_refusal(transaction, amount)
        if refusal is None:
            accepted = RefundResult(True, refund_id_for(idempotency_key))
            activity = _moved(transaction, ActivityKind.REFUNDED, amount, at=self._now(), refund_id=accepted.refund_id)
            recorded = self._store.add_refund(
                SandboxRefund(idempotency_key, transaction_id, amount, accepted), activity=activity
            )
            if recorded is not None:
                return _refund_replayed(recorded, transaction_id, amount)
            refusal = _refused("amount_too_large", "sandbox: the charge no longer has that much to refund")
        # A racing request with this very key may have refunded meanwhile: then this is its replay, not a refusal.
        raced = self._store.refund(idempotency_key)
        return _refund_replayed(raced, transaction_id, amount) if raced is not None else refusal

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> ProcessorEvent:
        sandbox_webhooks.verify(headers, body, self._secret(), now=self._clock())
        return sandbox_webhooks.read_event(body)

    def payouts(self, *, arrived_since: date, arrived_until: date) -> list[Payout]:
        return self._payouts.payouts(arrived_since, arrived_until, today=self._now().date())

    def payout_transactions(self, payout_id: str) -> list[BalanceTransaction]:
        found = self._payouts.transactions(payout_id, today=self._now().date())
        if found is None:
            raise NotFoundError(f"the sandbox made no payout {payout_id}")
        return found

    # --- the ACH simulation -------------------------------------------------------------------------------

    def simulate_ach(self, transaction_id: str, action: AchAction, *, webhook_url: str) -> AchSimulation:
        """Move a pending ACH debit as its bank would (settle or fail it; return a settled one) and send the
        signed webhook. Repeating an action re-sends the same event (same id), as a processor's retry does."""
        secret = self._secret()
        if not secret:
            raise DependencyError("the sandbox has no webhook secret, so it cannot sign webhooks")
        event, currency = self.ach_event(transaction_id, action)
        body = sandbox_webhooks.event_body(event, currency=currency)
        return AchSimulation(event, sandbox_webhooks.deliver(webhook_url, body, secret, now=self._clock()))

    def ach_event(self, transaction_id: str, action: AchAction) -> tuple[ProcessorEvent, str]:
        """Apply ``action`` to the debit and return the event that reports it (and the debit's currency)."""
        transaction = self._store.transaction(transaction_id)
        if transaction is None or KINDS[transaction.kind].method != "ach":
            raise NotFoundError(f"no ACH debit {transaction_id} in the sandbox")
        start, target, kind, default_code = ACH_ACTIONS[action]
        if transaction.state is not target:
            allowed = target in NEXT_STATES.get(transaction.state, frozenset())
            refundable = transaction.amount if target is TransactionState.SETTLED else 0
            moved = _moved(transaction, _MOVED[action], transaction.amount, at=self._now())
            if not (
                allowed
                and self._store.move(transaction_id, expected=start, to=target, refundable=refundable, activity=moved)
            ):
                # A racing simulation may have made the same move first: then this is a repeat, not a conflict.
                now = self._store.transaction(transaction_id) or transaction
                if now.state is not target:
                    raise ConflictError(
                        f"a {now.state.value} debit cannot be {target.value} now",
                        details={"state": now.state.value, "action": action},
                    )
        code = None if target is TransactionState.SETTLED else (KINDS[transaction.kind].code or default_code)
        event = ProcessorEvent(
            event_id=opaque_id("sbxevt_", f"{transaction_id}:{action}"),
            kind=kind,
            transaction_id=transaction_id,
            occurred_at=datetime.fromtimestamp(int(self._clock()), UTC),
            code=code,
            amount=transaction.amount,
        )
        return event, transaction.currency


def _same_charge(a: ChargeRequest, b: ChargeRequest) -> bool:
    return (a.amount, a.currency, a.token, a.customer_id) == (b.amount, b.currency, b.token, b.customer_id)


def _replayed(previous: SandboxCharge, request: ChargeRequest) -> ChargeResult:
    if _same_charge(previous.request, request):
        return previous.result
    return _failed("idempotency_key_reused", "this idempotency key was used for a different charge")


def _decide(request: ChargeRequest, info: TokenInfo | None) -> ChargeResult:
    if request.amount <= 0:
        return _failed("invalid_amount", "the amount must be positive")
    if info is None:
        flaky = _FLAKY.match(request.token)
        if not flaky:
            return _failed("invalid_token", "sandbox: unknown token")
        attempt = int((request.metadata or {}).get("attempt", "1"))
        if attempt <= int(flaky["failures"]):
            return _failed("processing_error", f"sandbox: flaky token, attempt {attempt}")
        info = FIXED_TOKENS["tok_visa"]
    kind = info.behaviour
    if kind.code is not None and not kind.pending:
        return _failed(kind.code, f"sandbox: {kind.code.replace('_', ' ')}")
    return ChargeResult(
        classify(None, succeeded=not kind.pending, pending=kind.pending),
        transaction_id_for(request.idempotency_key),
        brand=info.brand,
        last4=info.last4,
        method_type=kind.method,
    )


def _transaction(
    request: ChargeRequest, result: ChargeResult, info: TokenInfo | None, *, at: datetime
) -> SandboxTransaction | None:
    if result.transaction_id is None:
        return None
    pending = info is not None and info.behaviour.pending
    return SandboxTransaction(
        transaction_id=result.transaction_id,
        idempotency_key=request.idempotency_key,
        amount=request.amount,
        currency=request.currency,
        kind=info.kind if info is not None else "card",
        state=TransactionState.PENDING if pending else TransactionState.SUCCEEDED,
        refundable=0 if pending else request.amount,
        charged_at=at,
    )


def _moved(
    transaction: SandboxTransaction, kind: ActivityKind, amount: int, *, at: datetime, refund_id: str | None = None
) -> SandboxActivity:
    return SandboxActivity(
        kind=kind,
        at=at,
        transaction_id=transaction.transaction_id,
        method=KINDS[transaction.kind].method,
        amount=amount,
        currency=transaction.currency,
        charged_at=transaction.charged_at or at,  # recorded before the sandbox kept it: charged as it moves
        refund_id=refund_id,
    )


def _refund_refusal(transaction: SandboxTransaction, amount: int) -> RefundResult | None:
    if transaction.state not in REFUNDABLE_STATES:
        return _refused("charge_not_refundable", f"sandbox: a {transaction.state.value} charge cannot be refunded")
    if amount > transaction.refundable:
        return _refused("amount_too_large", f"sandbox: at most {transaction.refundable} can still be refunded")
    return None


def _refund_replayed(recorded: SandboxRefund, transaction_id: str, amount: int) -> RefundResult:
    if (recorded.transaction_id, recorded.amount) == (transaction_id, amount):
        return recorded.result
    return _refused("idempotency_key_reused", "this idempotency key was used for a different refund")


def _failed(code: str, message: str) -> ChargeResult:
    return ChargeResult(classify(code), None, code=code, message=message)


def _refused(code: str, message: str) -> RefundResult:
    return RefundResult(False, None, code=code, message=message)
