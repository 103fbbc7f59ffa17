"""What a processor's later report does to a payment: ACH and other delayed methods, and returns after posting.

Transitions (only those ``domain/status.py`` allows):
    charge.succeeded  pending | authorized -> posted        a receipt is issued (and emailed)
    charge.failed     pending | authorized -> failed        the allocations are taken back
    charge.returned   posted | settled | partially_refunded -> reversed   (an ACH return such as NSF, a chargeback)
                      pending | authorized -> failed        (a return reported before any success)
Taking allocations back reopens each invoice (paid down, balance up, status and its open/due index entries back,
version + 1) and removes the credit note the payment created, or reduces it to what was already used: credit spent
on other invoices meanwhile is not clawed back here; the audit record and the event say how much
(``credit_shortfall``) so staff can follow up.

A report that does not apply (a card payment's own success report arriving after it posted, a failure for a
payment already failed, an event kind this service does not handle) is acknowledged and changes nothing:
processors resend whatever is not answered with a 2xx, forever.

Invariants: each change is one conditional transaction (the payment's status and version, every invoice's
version, the credit note's remaining amount, all as read; a guard item per processor event id), so an event
applies at most once however often it is delivered, and a change that lost a race (settlement, another report)
is planned again from fresh reads.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from arportal.domain.errors import ConflictError
from arportal.domain.ids import new_id, new_reference
from arportal.domain.models import AuditEvent, StatusChange
from arportal.domain.posting import InvoiceChange, apply_to_invoice
from arportal.domain.status import PaymentStatus, transition_invoice, transition_payment
from arportal.ports import PaymentState, PaymentStatusChange, PaymentStatusStore, ProcessorEvent
from arportal.services.payments import credit_note_id_for
from arportal.services.receipts import (
    ReceiptDelivery,
    ReceiptServices,
    deliver_receipt,
    notify_failure,
    payer_contact,
    receipt_from,
)

P = PaymentStatus
TARGETS: dict[str, dict[PaymentStatus, PaymentStatus]] = {
    "charge.succeeded": {P.PENDING: P.POSTED, P.AUTHORIZED: P.POSTED},
    "charge.failed": {P.PENDING: P.FAILED, P.AUTHORIZED: P.FAILED},
    "charge.returned": {
        P.POSTED: P.REVERSED,
        P.SETTLED: P.REVERSED,
        P.PARTIALLY_REFUNDED: P.REVERSED,
        P.PENDING: P.FAILED,
        P.AUTHORIZED: P.FAILED,
    },
}
APPLY_ATTEMPTS = 3
NO_PAYMENT = "no payment has this transaction id"


class EventOutcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this event id was applied before: nothing more to do
    IGNORED = "ignored"  # unknown transaction, or a report that does not apply to the payment as it is


@dataclass(frozen=True)
class EventResult:
    outcome: EventOutcome
    payment_id: str | None = None
    status: PaymentStatus | None = None
    reason: str | None = None
    change: PaymentStatusChange | None = None
    credit_shortfall: int = 0
    delivery: ReceiptDelivery | None = None  # the receipt or notice sent about it


def handle_processor_event(
    event: ProcessorEvent,
    *,
    processor: str,
    store: PaymentStatusStore,
    receipts: ReceiptServices | None,
    now: datetime,
    actor: str | None = None,
) -> EventResult:
    """Apply the event, then tell the payer: the receipt when a payment posts, what to do next when it fails or
    is returned. Telling them never fails the event (the processor would only send it again). ``actor``: who the
    audit and the history name (default ``processor:<processor>``; a bank file's return: ``system:bank-files``)."""
    result = apply_processor_event(event, processor=processor, store=store, now=now, actor=actor)
    if result.outcome is not EventOutcome.APPLIED or result.change is None or receipts is None:
        return result
    change = result.change
    payment = change.after
    contact = payer_contact(receipts, payment.customer_id)
    if change.receipt is not None:
        delivery = deliver_receipt(payment, change.receipt, contact, receipts, now=now)
    elif payment.status in {P.FAILED, P.REVERSED}:
        reopened = [c.after.invoice_number for c in change.invoice_changes]
        delivery = notify_failure(payment, contact, receipts, code=event.code, reopened=reopened)
    else:
        return result
    return replace(result, delivery=delivery)


def apply_processor_event(
    event: ProcessorEvent, *, processor: str, store: PaymentStatusStore, now: datetime, actor: str | None = None
) -> EventResult:
    """Apply one verified processor event at most once."""
    applied = store.applied_event(processor, event.event_id)
    if applied is not None:
        return EventResult(EventOutcome.DUPLICATE, applied.payment_id, applied.status, "already applied")
    if event.kind not in TARGETS:
        return EventResult(EventOutcome.IGNORED, reason=f"{event.kind} does not change a payment's status here")
    owner = store.payment_for_transaction(event.transaction_id)
    if owner is None:
        return EventResult(EventOutcome.IGNORED, reason=NO_PAYMENT)
    customer_id, payment_id = owner
    for _ in range(APPLY_ATTEMPTS):
        state = store.payment_state(customer_id, payment_id, credit_note_id=credit_note_id_for(payment_id))
        if state is None:
            return EventResult(EventOutcome.IGNORED, payment_id, reason="the payment record is missing")
        planned = plan_status_change(state, event, processor=processor, now=now, actor=actor)
        if isinstance(planned, str):
            return EventResult(EventOutcome.IGNORED, payment_id, state.payment.status, planned)
        change, shortfall = planned
        try:
            store.apply_status_change(
                change,
                processor=processor,
                event_id=event.event_id,
                audit=_audit(change, event, actor or f"processor:{processor}", shortfall),
            )
        except ConflictError:
            applied = store.applied_event(processor, event.event_id)
            if applied is not None:  # the same event, delivered twice at once: the other delivery applied it
                return EventResult(EventOutcome.DUPLICATE, applied.payment_id, applied.status, "already applied")
            continue  # the payment or an invoice changed since it was read: plan again
        return EventResult(
            EventOutcome.APPLIED, payment_id, change.after.status, change=change, credit_shortfall=shortfall
        )
    raise ConflictError(
        "the payment kept changing while this report was applied; the processor's retry will apply it",
        details={"payment_id": payment_id, "event_id": event.event_id},
    )


def plan_status_change(
    state: PaymentState, event: ProcessorEvent, *, processor: str, now: datetime, actor: str | None = None
) -> tuple[PaymentStatusChange, int] | str:
    """The change ``event`` makes to the payment in ``state`` and the credit that could not be taken back,
    or why it makes none. Pure: nothing is read or written."""
    payment = state.payment
    target = TARGETS.get(event.kind, {}).get(payment.status)
    if target is None:
        return f"{event.kind} does not apply to a {payment.status.value} payment"
    transition_payment(payment.status, target)  # the table above must never allow what the status machine does not
    note = event.code or event.kind
    by = actor or f"processor:{processor}"
    history = [*payment.history, StatusChange(status=target, at=now, by=by, note=note)]
    update: dict[str, object] = {"status": target, "history": history, "version": payment.version + 1}
    receipt = None
    if target is P.POSTED:
        if payment.receipt_number is None:
            update["receipt_number"] = new_reference("R")
            receipt = receipt_from(payment, state.allocations, str(update["receipt_number"]), now)
        return PaymentStatusChange(payment, payment.model_copy(update=update), (), None, None, receipt), 0
    if target is P.FAILED:
        update["fee_amount"] = 0  # a fee is only ever collected with the payment it came with
    changes = _taken_back(state)
    credit = state.credit if payment.unapplied else None
    credit_before = credit_after = None
    shortfall = 0
    if credit is not None:
        used = credit.amount - credit.remaining
        shortfall = used
        if credit.remaining:
            credit_before = credit
            # What was applied elsewhere stays as the record of it; nothing is left to spend.
            credit_after = credit.model_copy(update={"amount": used, "remaining": 0}) if used else None
    elif payment.unapplied:
        shortfall = payment.unapplied  # its credit note is not where it should be: staff must look
    after = payment.model_copy(update=update)
    return PaymentStatusChange(payment, after, changes, credit_before, credit_after, None), shortfall


def _taken_back(state: PaymentState) -> tuple[InvoiceChange, ...]:
    invoices = {i.invoice_id: i for i in state.invoices}
    changes = []
    for allocation in state.allocations:
        invoice = invoices.get(allocation.invoice_id)
        if invoice is None:
            continue
        # An adjustment may have lowered what the invoice shows as paid: never take back more than it shows.
        amount = min(allocation.amount, invoice.paid)
        if amount <= 0:
            continue
        after = apply_to_invoice(invoice, -amount)
        if after.status is not invoice.status:
            transition_invoice(invoice.status, after.status)
        changes.append(InvoiceChange(invoice, after, -amount))
    return tuple(changes)


def _audit(change: PaymentStatusChange, event: ProcessorEvent, actor: str, shortfall: int) -> AuditEvent:
    after: dict[str, object] = {"status": change.after.status.value, "event_id": event.event_id, "kind": event.kind}
    if change.invoice_changes:
        after["reopened"] = [c.after.invoice_id for c in change.invoice_changes]
    if shortfall:
        after["credit_shortfall"] = shortfall
    return AuditEvent(
        event_id=new_id("aud"),
        entity_type="payment",
        entity_id=change.after.payment_id,
        action=f"payment.{change.after.status.value}",
        actor=actor,
        at=change.after.history[-1].at,
        before={"status": change.before.status.value},
        after=after,
        reason=event.code,
    )
