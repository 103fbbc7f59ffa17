"""A payment's intent: recorded before the processor is charged, so no charge can end up without its payment.

The intent is keyed by the processor's idempotency key (``<scope>:<Idempotency-Key>``): the one name the charge
and the payment share. It is written ``open`` before the processor is called and closed in the very transaction
that posts the payment (``posted``). An intent still ``open`` a few minutes later belongs to a payment that was
cut off between its charge and its posting (a crash, a timeout, a lost answer): the reconciler asks the processor
by the key and then posts the charge through the same posting path, or closes the intent (``closed``) when
nothing was charged or the charge failed.

Rules (pure, unit-tested in tests/unit/test_payment_intents.py):
- a retry with the same key may re-open an intent that is not posted, for the same payment only (customer,
  amount, currency): a key names one payment, ever;
- an intent is due for reconciliation once it has been open for ``RECONCILE_AFTER``: far longer than a payment
  request can run (15 s), well inside the window in which a processor finds charges by key at once (Stripe lists
  the last 15 minutes strongly consistently);
- what the processor says decides: a succeeded or pending charge is posted, no charge or a failed one closes;
- posting never gives up after a charge: after ``services.payments.POSTING_ATTEMPTS`` lost races it holds the
  money as the payer's credit (``fallback_plan``), which touches no contended invoice and so cannot lose again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from arportal.domain.allocation import AllocationPlan
from arportal.domain.event_entities import EventEntity
from arportal.domain.models import Channel, Entity, Invoice, PaymentMethodType
from arportal.domain.processing import ChargeOutcome
from arportal.domain.values import Currency, CustomerId, MinorAmount

RECONCILE_AFTER = timedelta(minutes=5)
# A charge waiting for the payer to confirm with their bank (3-D Secure) is theirs to finish for this long; then the
# reconciler cancels it (a bank's challenge itself lapses well within it).
ACTION_EXPIRES = timedelta(minutes=30)
RECONCILER = "system:reconciler"  # the actor of what the reconciler writes


class IntentStatus(StrEnum):
    OPEN = "open"  # recorded before the charge; no payment yet
    POSTED = "posted"  # closed by the transaction that posted its payment (by the request or the reconciler)
    CLOSED = "closed"  # closed by the reconciler without a payment: nothing was charged, or the charge failed


class IntentOutcome(StrEnum):
    """Why an intent was closed."""

    POSTED = "posted"  # its payment posted (or was recorded as failed by the request itself)
    NO_CHARGE = "no_charge"  # the processor has no charge under the key
    CHARGE_FAILED = "charge_failed"  # the processor declined the charge: no money moved
    ALREADY_POSTED = "already_posted"  # a payment was posted under the key without closing it


class Verdict(StrEnum):
    """What the reconciler does with an intent, from what the processor says."""

    POST = "post"
    CLOSE = "close"


class IntendedPart(Entity):
    invoice_id: str
    amount: MinorAmount


class PaymentIntent(Entity):
    charge_key: str = Field(min_length=1, max_length=512, description="The processor's idempotency key")
    scope: str
    idempotency_key: str
    attempt_id: str = Field(description="Changes whenever a retry re-opens it: the reconciler's close checks it")
    customer_id: CustomerId
    amount: MinorAmount
    fee: MinorAmount = 0
    currency: Currency
    method: PaymentMethodType
    channel: Channel
    actor: str
    invoices: list[IntendedPart] | None = None  # the payer's choice; None: the agency's rule
    account_number: str | None = None
    new_invoices: list[Invoice] = Field(default_factory=list)  # a staff cart's fees, created by the posting
    terminal_id: str | None = None
    drawer_id: str | None = None
    description: str = "Payment"
    request_id: str | None = None
    status: IntentStatus = IntentStatus.OPEN
    created_at: datetime
    closed_at: datetime | None = None
    closed_by: str | None = None
    outcome: IntentOutcome | None = None
    payment_id: str | None = None
    code: str | None = None  # the processor's failure code, when the charge failed


@dataclass(frozen=True)
class LedgerEvent:
    """An event the ledger writes to its outbox in the same transaction as the change it describes."""

    detail_type: str
    detail: dict[str, object] = field(default_factory=dict)
    entity: EventEntity = field(kw_only=True)  # what it is about, and its sequence (``domain/event_entities``)


def same_payment(stored: PaymentIntent, wanted: PaymentIntent) -> bool:
    """Whether ``wanted`` is the payment ``stored`` was recorded for (a retry), not another one under its key."""
    return (stored.customer_id, stored.amount, stored.currency) == (wanted.customer_id, wanted.amount, wanted.currency)


def may_reopen(stored: PaymentIntent, wanted: PaymentIntent) -> bool:
    """A retry re-opens the intent of its own payment unless that payment is posted (then it is replayed)."""
    return stored.status is not IntentStatus.POSTED and same_payment(stored, wanted)


def reconcile_cutoff(now: datetime, after: timedelta = RECONCILE_AFTER) -> datetime:
    """Intents created before this instant are due for reconciliation."""
    if after <= timedelta(0):
        raise ValueError("the reconciler waits a positive time before it acts")
    return now - after


def due_for_reconciliation(intent: PaymentIntent, now: datetime, after: timedelta = RECONCILE_AFTER) -> bool:
    return intent.status is IntentStatus.OPEN and intent.created_at < reconcile_cutoff(now, after)


def verdict(outcome: ChargeOutcome | None) -> Verdict:
    """``outcome`` is what the processor found under the intent's key (None: no charge at all)."""
    if outcome in {ChargeOutcome.SUCCEEDED, ChargeOutcome.PENDING}:
        return Verdict.POST
    return Verdict.CLOSE


def close_outcome(outcome: ChargeOutcome | None) -> IntentOutcome:
    """Why an intent the reconciler closes without a payment is closed."""
    if verdict(outcome) is Verdict.POST:
        raise ValueError("a succeeded or pending charge is posted, not closed")
    return IntentOutcome.NO_CHARGE if outcome is None else IntentOutcome.CHARGE_FAILED


def fallback_plan(plan: AllocationPlan, new_invoice_ids: frozenset[str] = frozenset()) -> AllocationPlan:
    """The plan that cannot lose a race: only the parts paying invoices this very posting creates (a staff cart's
    fees, which nobody else can touch), the rest held as the payer's credit."""
    kept = tuple(p for p in plan.parts if p.invoice.invoice_id in new_invoice_ids)
    total = plan.applied + plan.unapplied
    return AllocationPlan(kept, total - sum(p.amount for p in kept))


def closing_status(outcome: IntentOutcome) -> IntentStatus:
    """An intent whose payment was posted is ``posted``; one closed without a payment is ``closed``."""
    return (
        IntentStatus.POSTED if outcome in {IntentOutcome.POSTED, IntentOutcome.ALREADY_POSTED} else IntentStatus.CLOSED
    )


def closed(
    intent: PaymentIntent,
    *,
    outcome: IntentOutcome,
    at: datetime,
    by: str,
    payment_id: str | None = None,
    code: str | None = None,
) -> PaymentIntent:
    """The intent as its closing writes it."""
    if intent.status is not IntentStatus.OPEN:
        raise ValueError(f"intent {intent.charge_key} is already {intent.status.value}")
    status = closing_status(outcome)
    if status is IntentStatus.POSTED and payment_id is None:
        raise ValueError("a posted intent names its payment")
    return intent.model_copy(
        update={
            "status": status,
            "outcome": outcome,
            "closed_at": at,
            "closed_by": by,
            "payment_id": payment_id,
            "code": code,
        }
    )
