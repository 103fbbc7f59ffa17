"""Carrying a staff exception out: the one place it is applied, whether at once or by the approval machine once
a second staff member approves (``EXECUTORS``, keyed by action).

Money back goes to the processor first, with an idempotency key derived from the request (or the approval),
exactly like a charge; then one conditional transaction writes the ledger, the outbox event and the hash-chained
audit record, guarded by the same key, so a retry neither refunds nor writes twice. A transaction that lost a race
is planned again from fresh reads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from arportal.domain.approvals import StaffAction
from arportal.domain.errors import ConflictError, DependencyError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.domain.staff_actions import (
    AdjustmentRecord,
    MoneyBack,
    ProcessorRefusedError,
    check_money_back,
    plan_adjustment,
    plan_money_back,
)
from arportal.ports import PaymentProcessor, PaymentState, ProcessorUnavailableError
from arportal.services.money_back_notices import notify_money_back
from arportal.services.staff_action_orders import (
    ActionDone,
    Order,
    StaffActionServices,
    adjustment_kind,
    order_invoice,
    payment_state,
    replayed,
)

logger = logging.getLogger("arportal.exceptions")
APPLY_ATTEMPTS = 3
OFFLINE_PROCESSOR = "offline"  # cash and cheque: money is handed back at the counter, no processor call
BANK_PROCESSOR = "bank"  # a wire or ACH credit from a bank file: money goes back by the agency's own bank transfer


def carry_out(order: Order, *, services: StaffActionServices, now: datetime) -> ActionDone:
    return EXECUTORS[order.action](order, services, now)


def _money_back(order: Order, services: StaffActionServices, now: datetime) -> ActionDone:
    store = services.store
    refund_id = None
    refunded_at_processor = False
    for _ in range(APPLY_ATTEMPTS):
        applied = store.applied(order.scope, order.key)
        if applied is not None:
            return replayed(order, applied.entity_id, applied.result)
        state = payment_state(store, order.target_id)
        payment = state.payment
        amount = check_money_back(order.action, payment, order.amount)
        back = plan_money_back(
            order.action,
            payment,
            amount=amount,
            allocations=state.allocations,
            invoices=state.invoices,
            credit=state.credit,
            actor=order.approved_by or order.requested_by,
            note=order.reason_code.value,
            now=now,
        )
        if not refunded_at_processor and _through_processor(order.action, state):
            refund_id = _refund(services.processor, state, back.processor_amount, f"{order.scope}:{order.key}")
            refunded_at_processor = True
        audit = AuditEvent(
            event_id=new_id("aud"),
            entity_type="payment",
            entity_id=payment.payment_id,
            action=f"payment.{order.action.value}",
            actor=order.requested_by,
            at=now,
            before={"status": payment.status.value, "refunded": payment.refunded},
            after={
                "status": back.after.status.value,
                "amount": amount,
                "refunded": back.after.refunded,
                "reopened": [c.after.invoice_id for c in back.invoice_changes],
                "shortfall": back.shortfall,
                "note": order.note,
                "approval_id": order.approval_id,
                "approved_by": order.approved_by,
                "refund_id": refund_id,
            },
            reason=order.reason_code.value,
            request_id=order.request_id,
        )
        try:
            store.apply_money_back(back, scope=order.scope, key=order.key, audit=audit)
        except ConflictError:
            continue
        _tell_the_payer(order.action, back, services)
        return ActionDone(
            order.action,
            payment.payment_id,
            back.after.status.value,
            amount,
            shortfall=back.shortfall,
            refund_id=refund_id,
            balances={c.after.invoice_id: c.after.balance for c in back.invoice_changes},
        )
    raise ConflictError(
        "the payment kept changing while this was applied; retry with the same Idempotency-Key",
        details={"payment_id": order.target_id},
    )


def _tell_the_payer(action: StaffAction, back: MoneyBack, services: StaffActionServices) -> None:
    """The payer's email about it (``money_back_notices``); never fails the change, which has committed."""
    if services.notices is None:
        return
    try:
        notify_money_back(action, back, notices=services.notices)
    except Exception:  # the change stands; the staff member can still tell the payer
        logger.exception("the payer was not told about the %s of %s", action.value, back.after.payment_id)


def _adjust(order: Order, services: StaffActionServices, now: datetime) -> ActionDone:
    store = services.store
    kind = adjustment_kind(order)
    for _ in range(APPLY_ATTEMPTS):
        applied = store.applied(order.scope, order.key)
        if applied is not None:
            return replayed(order, applied.entity_id, applied.result)
        invoice = order_invoice(store, order)
        amount = order.amount or 0
        change = plan_adjustment(invoice, kind, amount, description=f"Adjustment ({order.reason_code.value})")
        record = AdjustmentRecord(
            adjustment_id=new_id("adj"),
            customer_id=invoice.customer_id,
            invoice_id=invoice.invoice_id,
            invoice_number=invoice.invoice_number,
            kind=kind,
            amount=amount,
            currency=invoice.currency,
            reason_code=order.reason_code,
            note=order.note,
            by=order.requested_by,
            at=now,
            approval_id=order.approval_id,
        )
        after = change.after
        audit = AuditEvent(
            event_id=new_id("aud"),
            entity_type="invoice",
            entity_id=invoice.invoice_id,
            action=f"invoice.{kind.value}",
            actor=order.requested_by,
            at=now,
            before={"amount": invoice.amount, "credited": invoice.credited, "balance": invoice.balance},
            after={
                "amount": after.amount,
                "credited": after.credited,
                "balance": after.balance,
                "adjustment_id": record.adjustment_id,
                "note": order.note,
                "approval_id": order.approval_id,
                "approved_by": order.approved_by,
            },
            reason=order.reason_code.value,
            request_id=order.request_id,
        )
        try:
            store.apply_adjustment(change, record, scope=order.scope, key=order.key, audit=audit)
        except ConflictError:
            continue
        return ActionDone(
            order.action, record.adjustment_id, after.status.value, amount, balances={after.invoice_id: after.balance}
        )
    raise ConflictError("the invoice kept changing while this was applied; retry with the same Idempotency-Key")


EXECUTORS: dict[StaffAction, Callable[[Order, StaffActionServices, datetime], ActionDone]] = {
    StaffAction.REFUND: _money_back,
    StaffAction.VOID: _money_back,
    StaffAction.REVERSAL: _money_back,
    StaffAction.ADJUSTMENT: _adjust,
    StaffAction.WRITE_OFF: _adjust,
}


def _through_processor(action: StaffAction, state: PaymentState) -> bool:
    payment = state.payment
    return (
        action in {StaffAction.REFUND, StaffAction.VOID}
        and payment.processor not in {OFFLINE_PROCESSOR, BANK_PROCESSOR}
        and payment.transaction_id is not None
    )


def _refund(processor: PaymentProcessor, state: PaymentState, amount: int, key: str) -> str | None:
    transaction_id = state.payment.transaction_id or ""
    try:
        result = processor.refund(transaction_id, amount, idempotency_key=key)
    except ProcessorUnavailableError as exc:
        raise DependencyError(
            "the payment processor did not answer; nothing was recorded; retry with the same key"
        ) from exc
    if not result.succeeded:
        raise ProcessorRefusedError(
            result.message or "the payment processor refused the refund",
            details={"processor_code": result.code, "transaction_id": transaction_id},
        )
    return result.refund_id
