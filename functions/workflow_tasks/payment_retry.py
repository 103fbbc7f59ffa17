"""The payment_retry machine's Tasks (``statemachines/payment_retry.asl.json``): charge, decide whether and when
to try again, and, for a charge a schedule started (autopay, a plan's instalment), post it, tell the payer it
failed, or stop when the schedule was cancelled while the charge waited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict, Field

from arportal import clock
from arportal.config import settings
from arportal.domain.processing import ChargeOutcome
from arportal.domain.values import Currency
from arportal.ports import ChargeRequest
from arportal.services import payment_retry
from arportal.wiring import stores

if TYPE_CHECKING:
    from arportal.services.scheduled_payments import ProcessorAnswer, ScheduledCharge

# The same service as the handler's logger: Powertools hands back that logger, with the keys it appends (the task).
logger = Logger(service="workflow_tasks")


class _Input(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ChargeInput(_Input):
    class Charge(BaseModel):
        idempotency_key: str = Field(min_length=8, max_length=200)
        amount: int = Field(gt=0)
        currency: Currency
        token: str = Field(min_length=1, max_length=200)
        description: str = Field(default="Payment", max_length=200)
        customer_id: str | None = None

    charge: Charge
    attempt: int = Field(default=1, ge=1)


class NextAttemptInput(_Input):
    outcome: ChargeOutcome
    attempts_made: int = Field(ge=1)
    backoff_days: list[int]


def charge(event: dict[str, Any]) -> dict[str, Any]:
    data = ChargeInput.model_validate(event)
    request = ChargeRequest(**data.charge.model_dump())
    result = payment_retry.charge(stores.processor(), request, attempt=data.attempt)
    logger.info("charge attempt", extra={"outcome": result.outcome.value, "attempt": result.attempt})
    return {**asdict(result), "outcome": result.outcome.value}


def next_attempt(event: dict[str, Any]) -> dict[str, Any]:
    data = NextAttemptInput.model_validate(event)
    decision = payment_retry.plan_next_attempt(
        data.outcome, attempts_made=data.attempts_made, backoff_days=data.backoff_days
    )
    return asdict(decision)


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


def post_charge(event: dict[str, Any]) -> dict[str, Any]:
    from arportal.services import scheduled_payments

    charge, answer = _scheduled(event)
    result = scheduled_payments.post_charge(
        charge,
        answer,
        ledger=stores.payment_posting(),
        schedules=stores.schedules(),
        processor_name=settings().processor,
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
    from arportal.services import receipts

    try:
        delivery = receipts.confirm_scheduled(
            customer_id, payment_id, services=stores.receipt_services(), now=clock.now()
        )
    except Exception:  # the receipt can be sent again from the ledger (POST /v1/staff/receipts/{id}/email)
        logger.exception("receipt of a scheduled charge not delivered", extra={"payment_id": payment_id})
        return None
    if delivery and delivery.problems:
        logger.warning("receipt of a scheduled charge incomplete", extra={"problems": list(delivery.problems)})
    return delivery.document_id if delivery else None


def charge_failed(event: dict[str, Any]) -> dict[str, Any]:
    from arportal.services import scheduled_payments

    charge, answer = _scheduled(event)
    outcome = scheduled_payments.charge_failed(
        charge,
        answer,
        schedules=stores.schedules(),
        customers=stores.customer_records(),
        notices=stores.notice_log(),
        mailer=stores.mailer(),
        agency=settings().agency_name,
        portal=stores.portal_url(),
        now=clock.now(),
        ledger=stores.payment_posting(),
        processor_name=settings().processor,
    )
    return asdict(outcome)


def schedule_active(event: dict[str, Any]) -> dict[str, Any]:
    """Before a retry: a schedule cancelled while the charge waited is not charged again."""
    charge, _ = _scheduled(event)
    if charge.schedule_id is None or charge.customer_id is None:
        return {"active": True}
    schedule = stores.schedules().schedule(charge.customer_id, charge.schedule_id)
    return {"active": bool(schedule and schedule.active)}


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "charge": charge,
    "next_attempt": next_attempt,
    "post_charge": post_charge,
    "charge_failed": charge_failed,
    "schedule_active": schedule_active,
}
