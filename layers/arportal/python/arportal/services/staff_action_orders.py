"""What a staff exception is made of: the order (what was asked, under which key it applies once), its outcome,
the ports it runs against, and the reads both the filing side (``exceptions.py``) and the executors
(``staff_action_executors.py``) start from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from arportal.domain.approvals import StaffAction
from arportal.domain.errors import NotFoundError
from arportal.domain.models import Invoice
from arportal.domain.staff_actions import AdjustmentKind, ReasonCode
from arportal.ports import ApprovalStore, ApprovalWorkflow, PaymentProcessor, PaymentState, StaffActionStore
from arportal.services.money_back_notices import MoneyBackNotices

MONEY_BACK = frozenset({StaffAction.REFUND, StaffAction.VOID, StaffAction.REVERSAL})


@dataclass(frozen=True)
class Order:
    """One exception to carry out: what the staff member asked for, under which key it applies once."""

    action: StaffAction
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
    action: StaffAction
    entity_id: str  # payment id, or adjustment id
    status: str  # the payment's or the invoice's status after it
    amount: int
    replayed: bool = False
    shortfall: int = 0
    refund_id: str | None = None
    balances: dict[str, int] = field(default_factory=dict)  # invoice id -> balance after


@dataclass(frozen=True)
class StaffActionServices:
    store: StaffActionStore
    approvals: ApprovalStore
    workflow: ApprovalWorkflow
    processor: PaymentProcessor
    currency: str
    threshold: int
    expiry_seconds: int
    notices: MoneyBackNotices | None = None  # who tells the payer about money back (None: no one)


def order_from_request(request: dict[str, object], *, approval_id: str, approved_by: str) -> Order:
    """The order an approval carries out: what was filed, applied once under the approval's own id."""
    amount = request.get("amount")
    customer_id = request.get("customer_id")
    return Order(
        action=StaffAction(str(request["action"])),
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


def payment_state(store: StaffActionStore, payment_id: str) -> PaymentState:
    state = store.locate_payment(payment_id)
    if state is None:
        raise NotFoundError(f"no payment {payment_id}")
    return state


def order_invoice(store: StaffActionStore, order: Order) -> Invoice:
    invoice = store.invoice(order.customer_id, order.target_id) if order.customer_id else None
    if invoice is None:
        raise NotFoundError(f"no invoice {order.target_id} for customer {order.customer_id}")
    return invoice


def adjustment_kind(order: Order) -> AdjustmentKind:
    return AdjustmentKind.WRITE_OFF if order.action is StaffAction.WRITE_OFF else AdjustmentKind.ADJUSTMENT


def replayed(order: Order, entity_id: str, result: dict[str, object]) -> ActionDone:
    amount = result.get("amount", order.amount or 0)
    return ActionDone(order.action, entity_id, str(result.get("status", "")), int(str(amount or 0)), replayed=True)
