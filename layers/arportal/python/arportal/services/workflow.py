"""The use cases behind the Task states of the payment_retry, approval and settlement state machines.

The machines (``statemachines/*.asl.json``) hold the control flow: waiting, retrying, branching, publishing
events. These functions hold the decisions and the writes, each safe to run twice, because Step Functions
retries a Task whose Lambda call failed:

- a charge attempt uses its own idempotency key (``<key>:<attempt>``), so a repeated attempt never charges
  twice and a new attempt is never answered from the previous one's failure;
- approval and settlement writes are conditional on the status they expect, and a repeat that finds the
  target status already set is a success.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from arportal.domain.errors import ConflictError
from arportal.domain.models import Approval, StatusChange
from arportal.domain.processing import ChargeOutcome, RetryDecision, next_attempt
from arportal.domain.status import ApprovalStatus, PaymentStatus, transition_approval, transition_payment
from arportal.ports import (
    ApprovedActions,
    ChargeRequest,
    ChargeResult,
    PaymentProcessor,
    ProcessorUnavailableError,
    SettlementCandidate,
    WorkflowStore,
)

SETTLEMENT_ACTOR = "system:settlement"
A_FAILED = ApprovalStatus.FAILED
MAX_SETTLEMENT_BATCH = 1000  # what one execution's Map carries; a busier day runs again for the rest


# --- payment retry ----------------------------------------------------------------------------------------


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
    this_attempt = replace(request, idempotency_key=key, metadata={**(request.metadata or {}), "attempt": str(attempt)})
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


# --- approvals --------------------------------------------------------------------------------------------


def await_decision(
    store: WorkflowStore, approval: Approval, *, task_token: str, expires_in_s: int, now: datetime
) -> None:
    """Record the request and the token a second staff member's decision will resume the machine with."""
    store.save_approval_request(approval, task_token=task_token, expires_at=now + timedelta(seconds=expires_in_s))


def execute_approved(
    store: WorkflowStore,
    approval_id: str,
    *,
    decided_by: str,
    note: str | None,
    now: datetime,
    actions: ApprovedActions | None = None,
) -> str:
    """Record the approval, then carry out the action it approves (refund, void, reversal, adjustment, write-off)
    through ``actions`` (``services/approvals.ApprovedExecutor``: the executor registry keyed by action), which
    moves the approval on to executed or failed. Safe to repeat: a retried Task finds the approval already
    approved (or executed) and the action's own guard applies it once. Without ``actions`` an approved request
    stays ``approved``: ready to execute."""
    try:
        _decide(store, approval_id, ApprovalStatus.APPROVED, at=now, decided_by=decided_by, note=note)
    except ConflictError:
        # A retried Task whose first attempt already carried it out: the action's guard answers again.
        if actions is None or store.approval_status(approval_id) not in {ApprovalStatus.EXECUTED, A_FAILED}:
            raise
    if actions is None:
        return "ready"
    return actions.execute(approval_id, decided_by=decided_by, now=now)


def record_rejected(
    store: WorkflowStore, approval_id: str, *, decided_by: str, note: str | None, now: datetime
) -> None:
    _decide(store, approval_id, ApprovalStatus.REJECTED, at=now, decided_by=decided_by, note=note)


def mark_expired(store: WorkflowStore, approval_id: str, *, now: datetime) -> None:
    _decide(store, approval_id, ApprovalStatus.EXPIRED, at=now, decided_by=None, note="no decision before expiry")


def _decide(
    store: WorkflowStore,
    approval_id: str,
    status: ApprovalStatus,
    *,
    at: datetime,
    decided_by: str | None,
    note: str | None,
) -> None:
    transition_approval(ApprovalStatus.PENDING, status)  # the rule; the conditional write below enforces it
    moved = store.set_approval_status(
        approval_id, expected=ApprovalStatus.PENDING, status=status, at=at, decided_by=decided_by, note=note
    )
    if not moved and store.approval_status(approval_id) is not status:
        raise ConflictError(f"approval {approval_id} is no longer pending", details={"wanted": status.value})


# --- settlement -------------------------------------------------------------------------------------------
#
# What a day's settlement deposits, per payment: what is left of it after the refunds made before it settled,
# plus the convenience fee charged with it (the processor collected amount + fee in one charge, and a refund
# keeps the fee). A payment refunded in part before settling settles too (``partially_refunded -> settled``),
# for what is left of it; one voided or fully refunded before settling deposits no principal and is not settled.


@dataclass(frozen=True)
class SettlementOutcome:
    candidate: SettlementCandidate
    settled: bool  # False: it had moved on before it could settle (voided, refunded, reversed)
    status: str | None = None


@dataclass(frozen=True)
class SettlementReport:
    day: str
    settled_count: int
    skipped_count: int
    totals: dict[str, int] = field(default_factory=dict)  # currency -> the deposit: gross - refunded + fees
    payment_ids: list[str] = field(default_factory=list)
    gross: dict[str, int] = field(default_factory=dict)  # currency -> the settled payments' amounts
    fees: dict[str, int] = field(default_factory=dict)  # currency -> their convenience fees
    refunded: dict[str, int] = field(default_factory=dict)  # currency -> refunded of them before they settled


def settlement_candidates(
    store: WorkflowStore, day: date, *, limit: int = MAX_SETTLEMENT_BATCH
) -> list[SettlementCandidate]:
    return [
        SettlementCandidate(
            p.payment_id,
            p.customer_id,
            p.amount,
            p.currency,
            fee=p.fee_amount,
            refunded=p.refunded,
            status=p.status.value,
        )
        for p in store.posted_payments(day, limit=limit)
    ]


def mark_settled(
    store: WorkflowStore, candidate: SettlementCandidate, *, day: date, now: datetime
) -> SettlementOutcome:
    expected = PaymentStatus(candidate.status)
    transition_payment(expected, PaymentStatus.SETTLED)  # posted or partially_refunded: the rule refuses others
    change = StatusChange(status=PaymentStatus.SETTLED, at=now, by=SETTLEMENT_ACTOR, note=f"settlement {day}")
    if store.append_status(candidate, change, expected=expected):
        return SettlementOutcome(candidate, settled=True, status=PaymentStatus.SETTLED.value)
    # Already settled: this Task is being retried after its write went through, so it counts once, here.
    current = store.payment_status(candidate)
    settled = current is PaymentStatus.SETTLED
    return SettlementOutcome(candidate, settled=settled, status=current.value if current else None)


def settlement_report(day: date, outcomes: list[SettlementOutcome]) -> SettlementReport:
    gross: dict[str, int] = {}
    fees: dict[str, int] = {}
    refunded: dict[str, int] = {}
    settled = [o for o in outcomes if o.settled]
    for outcome in settled:
        c = outcome.candidate
        gross[c.currency] = gross.get(c.currency, 0) + c.amount
        fees[c.currency] = fees.get(c.currency, 0) + c.fee
        refunded[c.currency] = refunded.get(c.currency, 0) + c.refunded
    return SettlementReport(
        day=day.isoformat(),
        settled_count=len(settled),
        skipped_count=len(outcomes) - len(settled),
        totals={cur: gross[cur] - refunded[cur] + fees[cur] for cur in gross},
        payment_ids=[o.candidate.payment_id for o in settled],
        gross=gross,
        fees=fees,
        refunded=refunded,
    )
