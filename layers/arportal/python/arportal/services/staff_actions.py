"""Staff exceptions: refunds, voids, reversals, adjustments and write-offs, acted on now or filed for approval.

``request_staff_action`` checks the request against the ledger first (a refund above what is refundable, a void
after settlement, an adjustment below a zero balance are refused before anyone is asked to approve them), then
asks the rule table (``domain/approvals.needs_approval``): permitted and small enough, it is carried out at once
(``staff_action_executors.carry_out``); otherwise an approval is filed and the approval machine started
(``ApprovalFiled``: the API answers 202).

The machine is started under a name derived from the approval id, and a retry of the same request finds the
approval it filed (through the request's guard) and starts it again: Step Functions answers the same execution
for the same name and input, so a start that failed once is recovered by retrying, never doubled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from arportal.domain.approvals import needs_approval
from arportal.domain.errors import NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import Approval, AuditEvent
from arportal.domain.permissions import Role
from arportal.domain.staff_actions import check_money_back, plan_adjustment
from arportal.domain.status import ApprovalStatus
from arportal.ports import StaffActionStore
from arportal.services.staff_action_executors import carry_out
from arportal.services.staff_action_orders import (
    MONEY_BACK,
    ActionDone,
    Order,
    StaffActionServices,
    adjustment_kind,
    order_from_request,
    order_invoice,
    payment_state,
    replayed,
)

__all__ = [
    "ActionDone",
    "ApprovalFiled",
    "Order",
    "StaffActionServices",
    "carry_out",
    "order_from_request",
    "request_staff_action",
]


@dataclass(frozen=True)
class ApprovalFiled:
    approval: Approval


def request_staff_action(
    order: Order, *, roles: frozenset[Role], services: StaffActionServices, now: datetime
) -> ActionDone | ApprovalFiled:
    applied = services.store.applied(order.scope, order.key)
    if applied is not None and applied.filed_approval_id:
        return _resume(applied.filed_approval_id, services=services)
    if applied is not None:
        return replayed(order, applied.entity_id, applied.result)
    amount, customer_id = _checked(order, services.store)
    if not needs_approval(order.action, amount, roles, services.threshold):
        return carry_out(order, services=services, now=now)
    return _file(order, amount, customer_id, services=services, now=now)


def _checked(order: Order, store: StaffActionStore) -> tuple[int, str | None]:
    """The amount the request moves, after the ledger's rules; raises what they refuse."""
    if order.action in MONEY_BACK:
        state = payment_state(store, order.target_id)
        return check_money_back(order.action, state.payment, order.amount), state.payment.customer_id
    invoice = order_invoice(store, order)
    plan_adjustment(invoice, adjustment_kind(order), order.amount or 0, description=order.note)
    return abs(order.amount or 0), invoice.customer_id


def _file(
    order: Order, amount: int, customer_id: str | None, *, services: StaffActionServices, now: datetime
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
    services.approvals.file(approval, order.as_request(), audit, guard=(order.scope, order.key))
    services.workflow.start_approval(approval.approval_id, _workflow_input(approval, services.expiry_seconds))
    return ApprovalFiled(approval)


def _resume(approval_id: str, *, services: StaffActionServices) -> ApprovalFiled:
    """A retry of a request already filed: start its machine again if it still waits. The same name and the same
    input (built from the stored approval) make this a no-op when the first start did happen."""
    stored = services.approvals.get(approval_id)
    if stored is None:
        raise NotFoundError(f"no approval {approval_id}")
    approval = stored.approval
    if approval.status is ApprovalStatus.PENDING and stored.task_token is None:
        services.workflow.start_approval(approval.approval_id, _workflow_input(approval, services.expiry_seconds))
    return ApprovalFiled(approval)


def _workflow_input(approval: Approval, expiry_seconds: int) -> dict[str, object]:
    return {
        **approval.model_dump(mode="json", exclude_none=True, exclude={"created_at", "status"}),
        "expires_in_seconds": expiry_seconds,
    }
