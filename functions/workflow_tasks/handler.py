"""The Lambda behind every Task state of the payment_retry, approval and settlement machines.

The event names its ``task``; ``TASKS`` maps it to a small function that validates the input, makes one service
call and returns plain JSON for the machine. An unknown task is a programming error in an ASL file: it raises
``UnknownTaskError``, which the machine does not catch, so the execution fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict, Field

from arportal import clock
from arportal.adapters.dynamodb.workflow_store import DynamoWorkflowStore
from arportal.adapters.processors import processor_for
from arportal.config import settings
from arportal.domain.models import Approval
from arportal.domain.processing import ChargeOutcome
from arportal.ports import ApprovedActions, ChargeRequest, PaymentProcessor, SettlementCandidate
from arportal.services import workflow

if TYPE_CHECKING:
    from arportal.services.scheduled_payments import ProcessorAnswer, ScheduledCharge

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


def _processor() -> PaymentProcessor:
    return processor_for(settings())  # cached per container by the factory


@cache
def _store() -> DynamoWorkflowStore:
    return DynamoWorkflowStore(settings().ledger_table)


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
    fields = {"currency": settings().currency, "created_at": clock.now(), **data.approval}
    approval = Approval.model_validate({k: v for k, v in fields.items() if k in Approval.model_fields})
    expires_in = int(data.approval.get("expires_in_seconds", 7 * 86_400))
    workflow.await_decision(_store(), approval, task_token=data.token, expires_in_s=expires_in, now=clock.now())
    return {"approval_id": approval.approval_id, "status": approval.status.value}


def execute_approved(event: dict[str, Any]) -> dict[str, Any]:
    data = DecisionInput.model_validate(event)
    state = workflow.execute_approved(
        _store(),
        data.approval_id,
        decided_by=data.decided_by or "unknown",
        note=data.note,
        now=clock.now(),
        actions=_approved_actions(),
    )
    return {"approval_id": data.approval_id, "status": "approved", "execution": state}


def _approved_actions() -> ApprovedActions:
    # Imported here: only the approval machine's ExecuteApproved Task needs the exception services.
    from arportal.adapters.dynamodb.approvals import DynamoApprovalStore
    from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
    from arportal.adapters.dynamodb.staff_actions import DynamoStaffActionStore
    from arportal.adapters.ses import SesMailer
    from arportal.adapters.stepfunctions import StepFunctionsApprovals
    from arportal.services.approvals import ApprovedExecutor
    from arportal.services.money_back_notices import MoneyBackNotices
    from arportal.services.staff_actions import StaffActionServices

    s = settings()
    approvals = DynamoApprovalStore(s.ledger_table, s.audit_table)
    services = StaffActionServices(
        store=DynamoStaffActionStore(s.ledger_table, s.audit_table),
        approvals=approvals,
        workflow=StepFunctionsApprovals(s.approval_state_machine),
        processor=_processor(),
        currency=s.currency,
        threshold=s.approval_threshold,
        expiry_seconds=s.approval_expiry_seconds,
        notices=MoneyBackNotices(  # an approved refund, void or reversal tells the payer as one done at once does
            customers=DynamoCustomerRecords(s.ledger_table),
            mailer=SesMailer(s.sender_email),
            agency_name=s.agency_name,
            portal_url=_portal_url(),
        ),
    )
    return ApprovedExecutor(approvals, services)


def record_rejected(event: dict[str, Any]) -> dict[str, Any]:
    data = DecisionInput.model_validate(event)
    workflow.record_rejected(
        _store(), data.approval_id, decided_by=data.decided_by or "unknown", note=data.note, now=clock.now()
    )
    return {"approval_id": data.approval_id, "status": "rejected"}


def mark_expired(event: dict[str, Any]) -> dict[str, Any]:
    data = DecisionInput.model_validate(event)
    workflow.mark_expired(_store(), data.approval_id, now=clock.now())
    return {"approval_id": data.approval_id, "status": "expired"}


def settlement_candidates(event: dict[str, Any]) -> dict[str, Any]:
    data = SettlementInput.model_validate(event.get("input") or {})
    day = data.day or (clock.today() - timedelta(days=1))
    found = workflow.settlement_candidates(_store(), day)
    return {"day": day.isoformat(), "payments": [asdict(c) for c in found]}


def mark_settled(event: dict[str, Any]) -> dict[str, Any]:
    data = MarkSettledInput.model_validate(event)
    candidate = SettlementCandidate(**data.payment)
    outcome = workflow.mark_settled(_store(), candidate, day=data.day, now=clock.now())
    return asdict(outcome)


def settlement_report(event: dict[str, Any]) -> dict[str, Any]:
    data = ReportInput.model_validate(event)
    outcomes = [
        workflow.SettlementOutcome(
            SettlementCandidate(**r["candidate"]), settled=bool(r["settled"]), status=r.get("status")
        )
        for r in data.results
    ]
    return asdict(workflow.settlement_report(data.day, outcomes))


# --- scheduled charges (autopay, plan instalments): post, give up, or stop when cancelled -----------------------


class ScheduledChargeInput(_Input):
    """The payment_retry execution's state: what it charges, the last answer, and (for scheduled charges) where
    the money goes. ``post`` is absent for a charge not started by a schedule."""

    class Answer(BaseModel):
        outcome: ChargeOutcome
        transaction_id: str | None = None
        code: str | None = None
        message: str | None = None
        brand: str | None = None
        last4: str | None = None
        method_type: str | None = None

    class Post(BaseModel):
        schedule_id: str | None = None
        account_number: str | None = None
        invoice_ids: list[str] = Field(default_factory=list, max_length=80)
        instalment: int | None = Field(default=None, ge=1)
        due_date: date | None = None
        method_label: str | None = Field(default=None, max_length=80)

    charge: ChargeInput.Charge
    attempt: int = Field(default=1, ge=1)
    last_charge: Answer | None = None
    post: Post | None = None


def _scheduled(event: dict[str, Any]) -> tuple[ScheduledCharge, ProcessorAnswer]:
    from arportal.services.scheduled_payments import ProcessorAnswer, ScheduledCharge

    data = ScheduledChargeInput.model_validate(event.get("execution") or {})
    post = data.post or ScheduledChargeInput.Post()
    charge = ScheduledCharge(
        idempotency_key=data.charge.idempotency_key,
        customer_id=data.charge.customer_id,
        amount=data.charge.amount,
        currency=data.charge.currency,
        description=data.charge.description,
        schedule_id=post.schedule_id,
        account_number=post.account_number,
        invoice_ids=tuple(post.invoice_ids),
        instalment=post.instalment,
        due_date=post.due_date,
        method_label=post.method_label,
    )
    last = data.last_charge or ScheduledChargeInput.Answer(outcome=ChargeOutcome.DECLINED)
    answer = ProcessorAnswer(
        outcome=last.outcome,
        transaction_id=last.transaction_id,
        attempts=data.attempt,
        code=last.code,
        message=last.message,
        brand=last.brand,
        last4=last.last4,
        method_type=last.method_type,
    )
    return charge, answer


def _portal_url() -> str | None:
    origin = settings().web_origin
    return origin if origin.startswith("https://") else None


def post_charge(event: dict[str, Any]) -> dict[str, Any]:
    from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
    from arportal.adapters.dynamodb.schedules import DynamoSchedules
    from arportal.services import scheduled_payments

    charge, answer = _scheduled(event)
    s = settings()
    result = scheduled_payments.post_charge(
        charge,
        answer,
        ledger=DynamoPaymentPosting(s.ledger_table, s.audit_table),
        schedules=DynamoSchedules(s.ledger_table),
        processor_name=s.processor,
        now=clock.now(),
    )
    if not result.posted:
        logger.error("charge taken but not posted", extra={"key": charge.idempotency_key, "reason": result.reason})
    payment = result.payment
    receipt_document = None
    if result.posted and payment is not None and payment.customer_id:
        receipt_document = _confirm(payment.customer_id, payment.payment_id)
    return {
        "posted": result.posted,
        "replayed": result.replayed,
        "payment_id": payment.payment_id if payment else None,
        "status": payment.status.value if payment else None,
        "receipt_number": payment.receipt_number if payment else None,
        "receipt_document_id": receipt_document,
        "reason": result.reason,
    }


def _confirm(customer_id: str, payment_id: str) -> str | None:
    """The posted charge's receipt (PDF, document, email); never fails the posting, which already stands."""
    from arportal.adapters.dynamodb.documents import DynamoDocuments
    from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
    from arportal.adapters.pdf.receipt import PdfReceiptRenderer
    from arportal.adapters.s3 import S3DocumentStore
    from arportal.adapters.ses import SesMailer
    from arportal.services import receipts

    s = settings()
    services = receipts.ReceiptServices(
        records=DynamoPaymentPosting(s.ledger_table, s.audit_table),
        documents=DynamoDocuments(s.ledger_table),
        files=S3DocumentStore(s.documents_bucket),
        mailer=SesMailer(s.sender_email),
        renderer=PdfReceiptRenderer(),
        agency_name=s.agency_name,
        portal_url=_portal_url(),
    )
    try:
        delivery = receipts.confirm_scheduled(customer_id, payment_id, services=services, now=clock.now())
    except Exception:  # the receipt can be sent again from the ledger (POST /v1/staff/receipts/{id}/email)
        logger.exception("receipt of a scheduled charge not delivered", extra={"payment_id": payment_id})
        return None
    if delivery and delivery.problems:
        logger.warning("receipt of a scheduled charge incomplete", extra={"problems": list(delivery.problems)})
    return delivery.document_id if delivery else None


def charge_failed(event: dict[str, Any]) -> dict[str, Any]:
    from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
    from arportal.adapters.dynamodb.schedules import DynamoNoticeLog, DynamoSchedules
    from arportal.adapters.ses import SesMailer
    from arportal.services import scheduled_payments

    charge, answer = _scheduled(event)
    s = settings()
    outcome = scheduled_payments.charge_failed(
        charge,
        answer,
        schedules=DynamoSchedules(s.ledger_table),
        customers=DynamoCustomerRecords(s.ledger_table),
        notices=DynamoNoticeLog(s.ledger_table),
        mailer=SesMailer(s.sender_email),
        agency=s.agency_name,
        portal=_portal_url(),
        now=clock.now(),
    )
    return asdict(outcome)


def schedule_active(event: dict[str, Any]) -> dict[str, Any]:
    """Before a retry: a schedule cancelled while the charge waited is not charged again."""
    from arportal.adapters.dynamodb.schedules import DynamoSchedules

    charge, _ = _scheduled(event)
    if charge.schedule_id is None or charge.customer_id is None:
        return {"active": True}
    schedule = DynamoSchedules(settings().ledger_table).schedule(charge.customer_id, charge.schedule_id)
    return {"active": bool(schedule and schedule.active)}


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
    "post_charge": post_charge,
    "charge_failed": charge_failed,
    "schedule_active": schedule_active,
}


@logger.inject_lambda_context(clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    task = TASKS.get(str(event.get("task")))
    if task is None:
        raise UnknownTaskError(f"workflow_tasks has no task {event.get('task')!r}; known: {sorted(TASKS)}")
    logger.append_keys(task=event["task"])
    return task(event)
