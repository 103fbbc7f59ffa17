"""The reconciler: every charge ends up recorded.

A payment's intent is recorded before its charge and closed by the transaction that posts it
(``domain/payment_intents.py``). An intent still open ``RECONCILE_AFTER`` later was cut off between its charge and
its posting (a crash, a timeout, a lost answer, a client that gave up). Each run of the ``reconcile`` job, for each
such intent, oldest first:

1. reads it again, strongly (the index it was found in lags), and leaves it if it moved meanwhile;
2. answers it from the ledger if a payment was posted under its key (closing it: ``already_posted``);
3. asks the processor by the intent's key (``find_charge``; never charges); a charge still waiting for the payer's
   action (3-D Secure) is left for ``ACTION_EXPIRES``, then cancelled at the processor and decided as it is then;
4. posts a succeeded or pending charge through the payment's own posting path (``payments.post_intended_charge``:
   what is still open is paid, the rest held as the payer's credit), closing the intent in that transaction with a
   ``payment.reconciled`` event and audit record; or closes the intent (no charge, or the charge failed) with a
   ``payment_intent.closed`` event and audit record.

Every step is conditional, so a run racing a client's retry of the same key, or another run, does nothing twice:
the posting is guarded by the payment's key, a close by the intent's ``attempt_id``. An intent that fails (the
processor does not answer, storage fails) stays open for the next run and is reported.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from arportal.domain import event_entities
from arportal.domain.errors import ConflictError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.domain.payment_intents import (
    ACTION_EXPIRES,
    RECONCILE_AFTER,
    RECONCILER,
    IntentOutcome,
    IntentStatus,
    LedgerEvent,
    PaymentIntent,
    Verdict,
    close_outcome,
    due_for_reconciliation,
    reconcile_cutoff,
    verdict,
)
from arportal.domain.posting import Posting
from arportal.domain.processing import ChargeOutcome
from arportal.ports import ChargeResult, PaymentProcessor
from arportal.ports.payments import CancellableCharges, IntentPosting, IntentStore
from arportal.services.payments import PaymentsConfig, post_intended_charge

logger = logging.getLogger("arportal.reconciliation")
BATCH = 100  # intents per run, oldest first; the rest wait for the next run (minutes later)
RECONCILED = "payment.reconciled"
INTENT_CLOSED = "payment_intent.closed"


@dataclass
class ReconcileReport:
    cutoff: datetime
    examined: int = 0
    posted: list[str] = field(default_factory=list)  # payment ids posted by this run
    closed: list[str] = field(default_factory=list)  # charge keys closed without a payment
    skipped: int = 0  # moved meanwhile (posted or retried by the client, closed by another run)
    failed: list[dict[str, str]] = field(default_factory=list)  # left open for the next run

    def as_dict(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff.isoformat(),
            "examined": self.examined,
            "posted": len(self.posted),
            "closed": len(self.closed),
            "skipped": self.skipped,
            "failed": len(self.failed),
            "payment_ids": list(self.posted),
            "failures": list(self.failed),
        }


def reconcile(
    *,
    intents: IntentStore,
    ledger: IntentPosting,
    processor: PaymentProcessor,
    config: PaymentsConfig,
    now: datetime,
    after: timedelta = RECONCILE_AFTER,
    limit: int = BATCH,
) -> ReconcileReport:
    report = ReconcileReport(reconcile_cutoff(now, after))
    for listed in intents.open_intents(created_before=report.cutoff, limit=limit):
        report.examined += 1
        try:
            _reconcile_one(listed, intents, ledger, processor, config, now=now, after=after, report=report)
        except ConflictError:
            report.skipped += 1  # a client's retry or another run moved it first: theirs stands
        except Exception as exc:  # one intent's failure (processor, storage) must not hold up the others
            logger.exception("payment intent %s could not be reconciled", listed.charge_key)
            report.failed.append({"charge_key": listed.charge_key, "error": f"{type(exc).__name__}: {exc}"[:500]})
    return report


def _reconcile_one(
    listed: PaymentIntent,
    intents: IntentStore,
    ledger: IntentPosting,
    processor: PaymentProcessor,
    config: PaymentsConfig,
    *,
    now: datetime,
    after: timedelta,
    report: ReconcileReport,
    force: bool = False,
) -> None:
    intent = intents.intent(listed.charge_key)
    if intent is None or not (
        due_for_reconciliation(intent, now, after) or (force and intent.status is IntentStatus.OPEN)
    ):
        report.skipped += 1
        return
    posted = ledger.posted_payment(intent.scope, intent.idempotency_key)
    if posted is not None:
        _close(intents, intent, IntentOutcome.ALREADY_POSTED, now=now, payment_id=posted.payment_id)
        report.closed.append(intent.charge_key)
        return
    charge = processor.find_charge(intent.charge_key)
    if charge is not None and charge.outcome is ChargeOutcome.REQUIRES_ACTION:
        if force or intent.created_at > now - ACTION_EXPIRES:
            report.skipped += 1  # the payer may still be confirming with their bank: never cancelled early
            return
        charge = _cancelled(processor, charge)
    if verdict(charge.outcome if charge else None) is Verdict.POST and charge is not None:
        result = post_intended_charge(
            intent,
            charge,
            ledger=ledger,
            config=config,
            now=now,
            events=lambda posting: (_reconciled(intent, posting),),
        )
        if result.replayed:  # the client's retry posted it first
            report.skipped += 1
        else:
            report.posted.append(result.payment.payment_id)
        return
    _close(intents, intent, close_outcome(charge.outcome if charge else None), now=now, charge=charge)
    report.closed.append(intent.charge_key)


def reconcile_intent(
    charge_key: str,
    *,
    intents: IntentStore,
    ledger: IntentPosting,
    processor: PaymentProcessor,
    config: PaymentsConfig,
    now: datetime,
) -> ReconcileReport:
    """Decide one open intent now, whatever its age: the processor reported its charge (a webhook about a payer
    who confirmed with their bank, or failed to, and never came back to the page). Posted or closed as the
    reconciler would; an intent that is not open (posted by the payer's return, closed) is left as it is."""
    report = ReconcileReport(now)
    stored = intents.intent(charge_key)
    if stored is None:
        return report
    report.examined += 1
    try:
        _reconcile_one(
            stored, intents, ledger, processor, config, now=now, after=RECONCILE_AFTER, report=report, force=True
        )
    except ConflictError:
        report.skipped += 1
    return report


def _cancelled(processor: PaymentProcessor, charge: ChargeResult) -> ChargeResult | None:
    """An intent left waiting for the payer's action is cancelled at the processor, so it can never take money
    after it is closed here; what the processor says afterwards decides (it may have succeeded meanwhile)."""
    if isinstance(processor, CancellableCharges) and charge.transaction_id:
        return processor.cancel_charge(charge.transaction_id)
    return charge  # a processor that cannot cancel: closed as not charged (it never posts without the payer)


def _reconciled(intent: PaymentIntent, posting: Posting) -> LedgerEvent:
    payment = posting.payment
    applied = sum(a.amount for a in posting.allocations)
    return LedgerEvent(
        RECONCILED,
        entity=event_entities.of_intent_attempt(intent.charge_key, intent.created_at),
        detail={
            "payment_id": payment.payment_id,
            "customer_id": payment.customer_id,
            "status": payment.status.value,
            "amount": payment.amount,
            "fee_amount": payment.fee_amount,
            "currency": payment.currency,
            "channel": payment.channel.value,
            "transaction_id": payment.transaction_id,
            "receipt_number": payment.receipt_number,
            "applied": applied,
            "credit": posting.credit.amount if posting.credit else 0,
            "allocations": [{"invoice_id": a.invoice_id, "amount": a.amount} for a in posting.allocations],
            "intended_at": intent.created_at.isoformat(),
            "actor": intent.actor,
        },
    )


def _close(
    intents: IntentStore,
    intent: PaymentIntent,
    outcome: IntentOutcome,
    *,
    now: datetime,
    payment_id: str | None = None,
    charge: ChargeResult | None = None,
) -> None:
    code = charge.code if charge else None
    detail: dict[str, object] = {
        "customer_id": intent.customer_id,
        "outcome": outcome.value,
        "amount": intent.amount,
        "fee_amount": intent.fee,
        "currency": intent.currency,
        "channel": intent.channel.value,
        "intended_at": intent.created_at.isoformat(),
        "payment_id": payment_id,
        "transaction_id": charge.transaction_id if charge else None,
        "code": code,
        "actor": intent.actor,
    }
    audit = AuditEvent(
        event_id=new_id("aud"),
        entity_type="payment_intent",
        entity_id=intent.charge_key,
        action=INTENT_CLOSED,
        actor=RECONCILER,
        at=now,
        before={"status": intent.status.value, "attempt_id": intent.attempt_id},
        after={k: v for k, v in detail.items() if v is not None},
        request_id=intent.request_id,
    )
    intents.close_intent(
        intent,
        outcome=outcome,
        at=now,
        audit=audit,
        events=(
            LedgerEvent(
                INTENT_CLOSED, detail, entity=event_entities.of_intent_attempt(intent.charge_key, intent.created_at)
            ),
        ),
        payment_id=payment_id,
        code=code,
    )
