"""The use cases behind the payment_retry machine's charge attempts (``statemachines/payment_retry.asl.json``).

The machine holds the control flow: waiting between attempts, branching on the outcome, publishing events. These
functions make one attempt and decide whether another follows. Step Functions retries a Task whose Lambda call
failed, so an attempt is safe to run twice: it uses its own idempotency key (``<key>:<attempt>``), so a repeated
attempt never charges twice and a new attempt is never answered from the previous one's failure.

What a scheduled charge does once the attempts are over (post it, tell the payer it failed) is
``services/scheduled_payments.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from arportal.domain.processing import ChargeOutcome, RetryDecision, next_attempt
from arportal.ports import ChargeRequest, ChargeResult, PaymentProcessor, ProcessorUnavailableError


@dataclass(frozen=True)
class ChargeAttempt:
    outcome: ChargeOutcome
    attempt: int
    idempotency_key: str
    transaction_id: str | None
    code: str | None
    message: str | None
    brand: str | None = None
    last4: str | None = None
    method_type: str | None = None
    reconciled: bool = False  # the processor did not answer and the outcome was looked up afterwards


def attempt_key(idempotency_key: str, attempt: int) -> str:
    return f"{idempotency_key}:{attempt}"


def charge(processor: PaymentProcessor, request: ChargeRequest, *, attempt: int) -> ChargeAttempt:
    """One charge attempt. When the processor does not answer, whether money moved is unknown: ask it
    (``find_charge``) before calling the attempt retryable, so a charge that went through is never repeated."""
    key = attempt_key(request.idempotency_key, attempt)
    # Every attempt here is a schedule's charge of a saved method, made while the payer is away.
    this_attempt = replace(
        request,
        idempotency_key=key,
        metadata={**(request.metadata or {}), "attempt": str(attempt)},
        off_session=True,
    )
    reconciled = False
    try:
        result = processor.charge(this_attempt)
    except ProcessorUnavailableError:
        reconciled = True
        found = processor.find_charge(key)
        result = found or ChargeResult(
            ChargeOutcome.RETRYABLE, None, code="timeout", message="the processor did not answer; nothing was charged"
        )
    return ChargeAttempt(
        outcome=result.outcome,
        attempt=attempt,
        idempotency_key=key,
        transaction_id=result.transaction_id,
        code=result.code,
        message=result.message,
        brand=result.brand,
        last4=result.last4,
        method_type=result.method_type,
        reconciled=reconciled,
    )


def plan_next_attempt(outcome: ChargeOutcome, *, attempts_made: int, backoff_days: list[int]) -> RetryDecision:
    return next_attempt(outcome, attempts_made, backoff_days)
