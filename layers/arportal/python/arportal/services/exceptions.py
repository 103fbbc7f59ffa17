"""Staff exceptions: refunds, voids, reversals, adjustments and write-offs, acted on now or filed for approval.

``request_exception`` checks the request against the ledger first (a refund above what is refundable, a void
after settlement, an adjustment below a zero balance are refused before anyone is asked to approve them), then
asks the rule table (``domain/approvals.needs_approval``): permitted and small enough, it is carried out at once;
otherwise an approval is filed and the approval machine started (``ApprovalFiled``: the API answers 202).

``carry_out`` is the one place an exception is applied, whether at once or by the approval machine once a
second staff member approves (``EXECUTORS``, keyed by action). Money back goes to the processor first, with an
idempotency key derived from the request (or the approval), exactly like a charge; then one conditional
transaction writes the ledger, the outbox event and the hash-chained audit record, guarded by the same key, so a
retry neither refunds nor writes twice. A transaction that lost a race is planned again from fresh reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from arportal.domain.approvals import ExceptionAction, needs_approval
from arportal.domain.errors import ConflictError, DependencyError, NotFoundError
from arportal.domain.exceptions import (
    AdjustmentKind,
    AdjustmentRecord,
    ProcessorRefusedError,
    ReasonCode,
    check_money_back,
    plan_adjustment,
    plan_money_back,
)
from arportal.domain.ids import new_id
from arportal.domain.models import Approval, AuditEvent, Invoice
from arportal.domain.permissions import Role
from arportal.ports import (
    ApprovalStore,
    ApprovalWorkflow,
    ExceptionStore,
    PaymentProcessor,
    PaymentState,
    ProcessorUnavailableError,
)

APPLY_ATTEMPTS = 3
MONEY_BACK = frozenset({ExceptionAction.REFUND, ExceptionAction.VOID, ExceptionAction.REVERSAL})
OFFLINE_PROCESSOR = "offline"  # cash and cheque: money is handed back at the counter, no processor call


@dataclass(frozen=True)
class Order:
    """One exception to carry out: what the staff member asked for, under which key it applies once."""

    action: ExceptionAction
    target_id: str  # the payment (refund, void, reversal) or the invoice (adjustment, write-off)
    amount: int | None  # refund: None = all that is refundable; adjustment: signed; write-off: > 0
    reason_code: ReasonCode
    note: str
    requested_by: str
    scope: str  # whose key this is: "staff:<actor>" or "approval"
    key: str  # the Idempotency-Key, or the approval id
    customer_id: str | None = None  # the invoice's owner (adjustments)
    approval_id: str | None = None
    approved_by: str | None = None
    request_id: str | None = None

    def as_request(self) -> dict[str, object]:
        return {
            "action": self.action.value,
            "target_id": self.target_id,
            "amount": self.amount,
            "reason_code": self.reason_code.value,
            "note": self.note,
            "requested_by": self.requested_by,
            "customer_id": self.customer_id,
        }


@dataclass(frozen=True)
class ActionDone:
    action: ExceptionAction
    entity_id: str  # payment id, or adjustment id
    status: str  # the payment's or the invoice's status after it
    amount: int
    replayed: bool = False
    shortfall: int = 0
    refund_id: str | None = None
    balances: dict[str, int] = field(default_factory=dict)  # invoice id -> balance after


@dataclass(frozen=True)
class ApprovalFiled:
    approval: Approval


@dataclass(frozen=True)
class ExceptionServices:
    store: ExceptionStore
    approvals: ApprovalStore
    workflow: ApprovalWorkflow
    processor: PaymentProcessor
    currency: str
    threshold: int
    expiry_seconds: int


def request_exception(
    order: Order, *, roles: frozenset[Role], services: ExceptionServices, now: datetime
) -> ActionDone | ApprovalFiled:
    applied = services.store.applied(order.scope, order.key)
    if applied is not None:
        return _replayed(order, applied.entity_id, applied.result)
    amount, customer_id = _checked(order, services.store)
    if not needs_approval(order.action, amount, roles, services.threshold):
        return carry_out(order, services=services, now=now)
    return _file(order, amount, customer_id, services=services, now=now)


def _checked(order: Order, store: ExceptionStore) -> tuple[int, str | None]:
    """The amount the request moves, after the ledger's rules; raises what they refuse."""
    if order.action in MONEY_BACK:
        state = _payment(store, order.target_id)
        return check_money_back(order.action, state.payment, order.amount), state.payment.customer_id
    invoice = _invoice(store, order)
    plan_adjustment(invoice, _kind(order), order.amount or 0, description=order.note)
    return abs(order.amount or 0), invoice.customer_id


def _file(
    order: Order, amount: int, customer_id: str | None, *, services: ExceptionServices, now: datetime
) -> ApprovalFiled:
    approval = Approval(
        approval_id=new_id("apr"),
        action=order.action.value,
        requested_by=order.requested_by,
        amount=amount,
        currency=services.currency,
        target_id=order.target_id,
        reason=f"{order.reason_code.value}: {order.note}"[:200],
        created_at=now,
        customer_id=customer_id,
    )
    audit = AuditEvent(
        event_id=new_id("aud"),
        entity_type="approval",
        entity_id=approval.approval_id,
        action="approval.requested",
        actor=order.requested_by,
        at=now,
        after={**order.as_request(), "amount": order.amount, "moves": amount},
        reason=order.reason_code.value,
        request_id=order.request_id,
    )
    services.approvals.file(approval, order.as_request(), audit)
    payload = {
        **approval.model_dump(mode="json", exclude_none=True, exclude={"created_at", "status"}),
        "expires_in_seconds": services.expiry_seconds,
    }
    services.workflow.start_approval(approval.approval_id, payload)
    return ApprovalFiled(approval)


# --- carrying it out ------------------------------------------------------------------------------------------


def carry_out(order: Order, *, services: ExceptionServices, now: datetime) -> ActionDone:
    return EXECUTORS[order.action](order, services, now)


def _money_back(order: Order, services: ExceptionServices, now: datetime) -> ActionDone:
    store = services.store
    refund_id = None
    refunded_at_processor = False
    for _ in range(APPLY_ATTEMPTS):
        applied = store.applied(order.scope, order.key)
        if applied is not None:
            return _replayed(order, applied.entity_id, applied.result)
        state = _payment(store, order.target_id)
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


def _adjust(order: Order, services: ExceptionServices, now: datetime) -> ActionDone:
    store = services.store
    kind = _kind(order)
    for _ in range(APPLY_ATTEMPTS):
        applied = store.applied(order.scope, order.key)
        if applied is not None:
            return _replayed(order, applied.entity_id, applied.result)
        invoice = _invoice(store, order)
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


EXECUTORS: dict[ExceptionAction, Callable[[Order, ExceptionServices, datetime], ActionDone]] = {
    ExceptionAction.REFUND: _money_back,
    ExceptionAction.VOID: _money_back,
    ExceptionAction.REVERSAL: _money_back,
    ExceptionAction.ADJUSTMENT: _adjust,
    ExceptionAction.WRITE_OFF: _adjust,
}


def order_from_request(request: dict[str, object], *, approval_id: str, approved_by: str) -> Order:
    """The order an approval carries out: what was filed, applied once under the approval's own id."""
    amount = request.get("amount")
    customer_id = request.get("customer_id")
    return Order(
        action=ExceptionAction(str(request["action"])),
        target_id=str(request["target_id"]),
        amount=int(str(amount)) if amount is not None else None,
        reason_code=ReasonCode(str(request["reason_code"])),
        note=str(request.get("note") or ""),
        requested_by=str(request["requested_by"]),
        scope="approval",
        key=approval_id,
        customer_id=str(customer_id) if customer_id else None,
        approval_id=approval_id,
        approved_by=approved_by,
    )


# --- helpers ---------------------------------------------------------------------------------------------------


def _payment(store: ExceptionStore, payment_id: str) -> PaymentState:
    state = store.locate_payment(payment_id)
    if state is None:
        raise NotFoundError(f"no payment {payment_id}")
    return state


def _invoice(store: ExceptionStore, order: Order) -> Invoice:
    invoice = store.invoice(order.customer_id, order.target_id) if order.customer_id else None
    if invoice is None:
        raise NotFoundError(f"no invoice {order.target_id} for customer {order.customer_id}")
    return invoice


def _kind(order: Order) -> AdjustmentKind:
    return AdjustmentKind.WRITE_OFF if order.action is ExceptionAction.WRITE_OFF else AdjustmentKind.ADJUSTMENT


def _through_processor(action: ExceptionAction, state: PaymentState) -> bool:
    payment = state.payment
    return (
        action in {ExceptionAction.REFUND, ExceptionAction.VOID}
        and payment.processor != OFFLINE_PROCESSOR
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


def _replayed(order: Order, entity_id: str, result: dict[str, object]) -> ActionDone:
    amount = result.get("amount", order.amount or 0)
    return ActionDone(order.action, entity_id, str(result.get("status", "")), int(str(amount or 0)), replayed=True)
