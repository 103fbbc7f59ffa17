"""The approval machine's side of an approval (``statemachines/approval.asl.json``): what its Task states write.

An approval has two sides, one module each:

- the staff side, ``services/approvals.py``: the queue, who may decide, claiming a decision and resuming the
  waiting execution with it, and carrying out an approved request (``ApprovedExecutor``);
- the machine's side, here: it records the request with the task token it waits on (``await_decision``), and
  then the outcome it was resumed with or timed out into: approved and carried out, rejected, or expired.

Step Functions retries a Task whose Lambda call failed, so every write here is conditional on the status it
expects (pending), and a repeat that finds the target status already set is a success.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from arportal.domain.errors import ConflictError
from arportal.domain.models import Approval
from arportal.domain.status import ApprovalStatus, transition_approval
from arportal.ports import ApprovalWorkflowStore, ApprovedActions


def await_decision(
    store: ApprovalWorkflowStore, approval: Approval, *, task_token: str, expires_in_s: int, now: datetime
) -> None:
    """Record the request and the token a second staff member's decision will resume the machine with."""
    store.save_approval_request(approval, task_token=task_token, expires_at=now + timedelta(seconds=expires_in_s))


def execute_approved(
    store: ApprovalWorkflowStore,
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
        carried_out = {ApprovalStatus.EXECUTED, ApprovalStatus.FAILED}
        if actions is None or store.approval_status(approval_id) not in carried_out:
            raise
    if actions is None:
        return "ready"
    return actions.execute(approval_id, decided_by=decided_by, now=now)


def record_rejected(
    store: ApprovalWorkflowStore, approval_id: str, *, decided_by: str, note: str | None, now: datetime
) -> None:
    _decide(store, approval_id, ApprovalStatus.REJECTED, at=now, decided_by=decided_by, note=note)


def mark_expired(store: ApprovalWorkflowStore, approval_id: str, *, now: datetime) -> None:
    _decide(store, approval_id, ApprovalStatus.EXPIRED, at=now, decided_by=None, note="no decision before expiry")


def _decide(
    store: ApprovalWorkflowStore,
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
