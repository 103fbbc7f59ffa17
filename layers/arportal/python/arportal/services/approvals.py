"""The staff side of approvals: the queue, a second staff member's decision, and carrying out what was approved.

The approval machine's side (the request's task token, and recording the decision it is resumed with) is
``services/approval_workflow.py``; the two meet on the approval item and the task token.

A decision is a second staff member's: someone holding ``approvals.decide`` who did not file the request
(``domain/approvals.may_decide``). It is claimed on the approval item first (conditional: pending and undecided),
with its audit record, and only then is the waiting execution resumed with ``SendTaskSuccess``; so two people
deciding at once cannot both resume it, and the same person sending the same decision again (a double click, a
retry after a lost answer) gets the approval back instead of an error. The machine then records the decision
and, when approved, carries the action out (``services/approval_workflow.execute_approved``, through
``ApprovedExecutor`` below).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from arportal.domain.errors import ConflictError, DomainError, ForbiddenError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.domain.permissions import Permission, Role, permissions_of
from arportal.domain.status import ApprovalStatus
from arportal.ports import ApprovalStore, ApprovalWorkflow, Page, StoredApproval
from arportal.services.staff_action_executors import carry_out
from arportal.services.staff_action_orders import StaffActionServices, order_from_request


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"

    @property
    def recorded(self) -> str:
        return "approved" if self is Decision.APPROVE else "rejected"


class SelfApprovalError(ForbiddenError):
    code = "self_approval"


class ApprovalNotPendingError(ConflictError):
    code = "approval_not_pending"


@dataclass(frozen=True)
class Decided:
    approval: StoredApproval
    replayed: bool


def decide(
    approval_id: str,
    decision: Decision,
    *,
    note: str | None,
    actor: str,
    roles: frozenset[Role],
    store: ApprovalStore,
    workflow: ApprovalWorkflow,
    now: datetime,
) -> Decided:
    if Permission.APPROVALS_DECIDE not in permissions_of(roles):
        raise ForbiddenError("your role does not grant approvals.decide", details={"needs": "approvals.decide"})
    stored = store.get(approval_id)
    if stored is None:
        raise NotFoundError(f"no approval {approval_id}")
    if stored.approval.requested_by == actor:
        raise SelfApprovalError("you cannot decide on your own request; another staff member must decide it")
    if stored.decision is None and stored.approval.status is ApprovalStatus.PENDING:
        if stored.task_token is None:
            raise ConflictError(
                "this approval is still being set up; try again in a moment", details={"retry_after_seconds": 2}
            )
        audit = AuditEvent(
            event_id=new_id("aud"),
            entity_type="approval",
            entity_id=approval_id,
            action=f"approval.{decision.recorded}",
            actor=actor,
            at=now,
            after={"decision": decision.recorded, "note": note},
        )
        if store.claim_decision(approval_id, decision=decision.recorded, decided_by=actor, note=note, audit=audit):
            workflow.send_task_success(
                stored.task_token, {"decision": decision.recorded, "decided_by": actor, "note": note}
            )
            return Decided(store.get(approval_id) or stored, replayed=False)
        stored = store.get(approval_id) or stored
    return _repeated(stored, decision, actor, workflow)


def _repeated(stored: StoredApproval, decision: Decision, actor: str, workflow: ApprovalWorkflow) -> Decided:
    """The same decision by the same person again: answered with the approval (and the machine resumed, in
    case the first attempt claimed it but did not get that far). Anything else on a decided approval: 409."""
    if stored.decision == decision.recorded and stored.decision_by == actor:
        if stored.approval.status is ApprovalStatus.PENDING and stored.task_token:
            workflow.send_task_success(
                stored.task_token, {"decision": decision.recorded, "decided_by": actor, "note": None}
            )
        return Decided(stored, replayed=True)
    raise ApprovalNotPendingError(
        f"this approval is {stored.approval.status.value}"
        + (f" (decided: {stored.decision})" if stored.decision else "")
        + "; only a pending approval can be decided",
        details={"status": stored.approval.status.value, "decision": stored.decision},
    )


def queue(
    store: ApprovalStore,
    *,
    status: ApprovalStatus | None,
    actor: str,
    roles: frozenset[Role],
    limit: int,
    start: dict[str, object] | None,
) -> Page[StoredApproval]:
    """Everyone's requests for those who decide; a requester without ``approvals.decide`` sees their own."""
    mine_only = Permission.APPROVALS_DECIDE not in permissions_of(roles)
    return store.listed(status=status, requested_by=actor if mine_only else None, limit=limit, start=start)


@dataclass(frozen=True)
class ApprovedExecutor:
    """Carries out an approved request (``execute_approved`` calls it once the decision is recorded): the
    executor registry of ``services/staff_action_executors.py``, then the approval moves on to executed or
    failed, with an audit record. An approval filed outside the staff API has no request: it stays approved
    ("ready")."""

    approvals: ApprovalStore
    services: StaffActionServices

    def execute(self, approval_id: str, *, decided_by: str, now: datetime) -> str:
        stored = self.approvals.get(approval_id)
        if stored is None or stored.request is None:
            return "ready"
        status = stored.approval.status
        if status is not ApprovalStatus.APPROVED:
            return status.value  # executed or failed by an earlier attempt of this Task; expired: nothing to do
        order = order_from_request(stored.request, approval_id=approval_id, approved_by=decided_by)
        outcome: dict[str, object]
        try:
            done = carry_out(order, services=self.services, now=now)
        except DomainError as exc:
            status = ApprovalStatus.FAILED
            outcome = {"code": exc.code, "message": exc.message}
        else:
            status = ApprovalStatus.EXECUTED
            outcome = {
                "entity_id": done.entity_id,
                "status": done.status,
                "amount": done.amount,
                "refund_id": done.refund_id,
                "shortfall": done.shortfall,
            }
        audit = AuditEvent(
            event_id=new_id("aud"),
            entity_type="approval",
            entity_id=approval_id,
            action=f"approval.{status.value}",
            actor="system:approval",
            at=now,
            after={**outcome, "approved_by": decided_by},
        )
        if not self.approvals.finish(approval_id, status=status, outcome=outcome, audit=audit, at=now):
            again = self.approvals.get(approval_id)
            return again.approval.status.value if again else status.value
        return status.value
