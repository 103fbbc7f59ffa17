"""The approval machine's Tasks (``statemachines/approval.asl.json``): record the request with the task token a
second staff member's decision resumes it with, then the outcome: approved and carried out, rejected, or expired.
The decision itself is taken in the staff API (``services/approvals.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from arportal import clock
from arportal.config import settings
from arportal.domain.models import Approval
from arportal.services import approval_workflow
from arportal.wiring import workflows


class _Input(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AwaitDecisionInput(_Input):
    token: str = Field(min_length=1)
    approval: dict[str, Any]


class DecisionInput(_Input):
    approval_id: str
    decided_by: str | None = None
    note: str | None = None


def await_decision(event: dict[str, Any]) -> dict[str, Any]:
    data = AwaitDecisionInput.model_validate(event)
    fields = {"currency": settings().currency, "created_at": clock.now(), **data.approval}
    approval = Approval.model_validate({k: v for k, v in fields.items() if k in Approval.model_fields})
    expires_in = int(data.approval.get("expires_in_seconds", 7 * 86_400))
    approval_workflow.await_decision(
        workflows.approval_workflow_store(), approval, task_token=data.token, expires_in_s=expires_in, now=clock.now()
    )
    return {"approval_id": approval.approval_id, "status": approval.status.value}


def execute_approved(event: dict[str, Any]) -> dict[str, Any]:
    data = DecisionInput.model_validate(event)
    state = approval_workflow.execute_approved(
        workflows.approval_workflow_store(),
        data.approval_id,
        decided_by=data.decided_by or "unknown",
        note=data.note,
        now=clock.now(),
        actions=workflows.approved_actions(),
    )
    return {"approval_id": data.approval_id, "status": "approved", "execution": state}


def record_rejected(event: dict[str, Any]) -> dict[str, Any]:
    data = DecisionInput.model_validate(event)
    approval_workflow.record_rejected(
        workflows.approval_workflow_store(),
        data.approval_id,
        decided_by=data.decided_by or "unknown",
        note=data.note,
        now=clock.now(),
    )
    return {"approval_id": data.approval_id, "status": "rejected"}


def mark_expired(event: dict[str, Any]) -> dict[str, Any]:
    data = DecisionInput.model_validate(event)
    approval_workflow.mark_expired(workflows.approval_workflow_store(), data.approval_id, now=clock.now())
    return {"approval_id": data.approval_id, "status": "expired"}


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "await_decision": await_decision,
    "execute_approved": execute_approved,
    "record_rejected": record_rejected,
    "mark_expired": mark_expired,
}
