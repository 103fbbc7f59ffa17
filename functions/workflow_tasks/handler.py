"""The Lambda behind every Task state of the payment_retry, approval and settlement machines.

The event names its ``task``; ``TASKS`` maps it to a small function that validates the input, makes one service
call and returns plain JSON for the machine. An unknown task is a programming error in an ASL file: it raises
``UnknownTaskError``, which the machine does not catch, so the execution fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict, Field

from arportal.adapters.dynamodb.workflow_store import DynamoWorkflowStore
from arportal.config import settings
from arportal.domain.models import Approval
from arportal.domain.processing import ChargeOutcome
from arportal.ports import ChargeRequest, PaymentProcessor
from arportal.services import workflow

logger = Logger(service="workflow_tasks")


class UnknownTaskError(Exception):
    """The machine asked for a task this function does not have."""


class _Input(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ChargeInput(_Input):
    class Charge(BaseModel):
        idempotency_key: str = Field(min_length=8, max_length=200)
        amount: int = Field(gt=0)
        currency: str = Field(pattern=r"^[A-Z]{3}$")
        token: str = Field(min_length=1, max_length=200)
        description: str = Field(default="Payment", max_length=200)
        customer_id: str | None = None

    charge: Charge
    attempt: int = Field(default=1, ge=1)


class NextAttemptInput(_Input):
    outcome: ChargeOutcome
    attempts_made: int = Field(ge=1)
    backoff_days: list[int]


class AwaitDecisionInput(_Input):
    token: str = Field(min_length=1)
    approval: dict[str, Any]


class DecisionInput(_Input):
    approval_id: str
    decided_by: str | None = None
    note: str | None = None


class SettlementInput(_Input):
    day: date | None = None


class MarkSettledInput(_Input):
    day: date
    payment: dict[str, Any]


class ReportInput(_Input):
    day: date
    results: list[dict[str, Any]]


@cache
def _processor() -> PaymentProcessor:
    if settings().processor == "sandbox":
        from arportal.adapters.sandbox import SandboxProcessor

        return SandboxProcessor()
    raise NotImplementedError(f"no adapter for processor {settings().processor!r} yet")


@cache
def _store() -> DynamoWorkflowStore:
    return DynamoWorkflowStore(settings().ledger_table)


def _now() -> datetime:
    return datetime.now(UTC)


def charge(event: dict[str, Any]) -> dict[str, Any]:
    data = ChargeInput.model_validate(event)
    request = ChargeRequest(**data.charge.model_dump())
    result = workflow.charge(_processor(), request, attempt=data.attempt)
    logger.info("charge attempt", extra={"outcome": result.outcome.value, "attempt": result.attempt})
    return {**asdict(result), "outcome": result.outcome.value}


def next_attempt(event: dict[str, Any]) -> dict[str, Any]:
    data = NextAttemptInput.model_validate(event)
    decision = workflow.plan_next_attempt(
        data.outcome, attempts_made=data.attempts_made, backoff_days=data.backoff_days
    )
    return asdict(decision)


def await_decision(event: dict[str, Any]) -> dict[str, Any]:
    data = AwaitDecisionInput.model_validate(event)
    fields = {"currency": settings().currency, "created_at": _now(), **data.approval}
    approval = Approval.model_validate({k: v for k, v in fields.items() if k in Approval.model_fields})
    expires_in = int(data.approval.get("expires_in_seconds", 7 * 86_400))
    workflow.await_decision(_store(), approval, task_token=data.token, expires_in_s=expires_in, now=_now())
    return {"approval_id": approval.approval_id, "status": approval.status.value}


def execute_approved(event: dict[str, Any]) -> dict[str, Any]:
    data = DecisionInput.model_validate(event)
    state = workflow.execute_approved(
        _store(), data.approval_id, decided_by=data.decided_by or "unknown", note=data.note, now=_now()
    )
    return {"approval_id": data.approval_id, "status": "approved", "execution": state}


def record_rejected(event: dict[str, Any]) -> dict[str, Any]:
    data = DecisionInput.model_validate(event)
    workflow.record_rejected(
        _store(), data.approval_id, decided_by=data.decided_by or "unknown", note=data.note, now=_now()
    )
    return {"approval_id": data.approval_id, "status": "rejected"}


def mark_expired(event: dict[str, Any]) -> dict[str, Any]:
    data = DecisionInput.model_validate(event)
    workflow.mark_expired(_store(), data.approval_id, now=_now())
    return {"approval_id": data.approval_id, "status": "expired"}


def settlement_candidates(event: dict[str, Any]) -> dict[str, Any]:
    data = SettlementInput.model_validate(event.get("input") or {})
    day = data.day or (_now().date() - timedelta(days=1))
    found = workflow.settlement_candidates(_store(), day)
    return {"day": day.isoformat(), "payments": [asdict(c) for c in found]}


def mark_settled(event: dict[str, Any]) -> dict[str, Any]:
    data = MarkSettledInput.model_validate(event)
    candidate = workflow.SettlementCandidate(**data.payment)
    outcome = workflow.mark_settled(_store(), candidate, day=data.day, now=_now())
    return asdict(outcome)


def settlement_report(event: dict[str, Any]) -> dict[str, Any]:
    data = ReportInput.model_validate(event)
    outcomes = [
        workflow.SettlementOutcome(
            workflow.SettlementCandidate(**r["candidate"]), settled=bool(r["settled"]), status=r.get("status")
        )
        for r in data.results
    ]
    return asdict(workflow.settlement_report(data.day, outcomes))


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "charge": charge,
    "next_attempt": next_attempt,
    "await_decision": await_decision,
    "execute_approved": execute_approved,
    "record_rejected": record_rejected,
    "mark_expired": mark_expired,
    "settlement_candidates": settlement_candidates,
    "mark_settled": mark_settled,
    "settlement_report": settlement_report,
}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    task = TASKS.get(str(event.get("task")))
    if task is None:
        raise UnknownTaskError(f"workflow_tasks has no task {event.get('task')!r}; known: {sorted(TASKS)}")
    logger.append_keys(task=event["task"])
    return task(event)
