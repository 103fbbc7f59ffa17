"""Scheduled charges after the processor has answered: post one that went through, or tell the customer.

``post_charge`` posts a charge the payment_retry machine already made (autopay, plan instalment). It is
``pay()``'s second half without the charging: the payment, its allocations, the receipt, the audit record and the
outbox event in ONE transaction guarded by the charge's BASE idempotency key (the machine charges with
``<key>:<attempt>``, but one scheduled charge is one payment however many attempts it took), so a replayed
Task posts once and answers with the payment it posted the first time.

Where the money goes: the schedule's invoices (a plan's, oldest due first; autopay's one invoice), capped at
what each still owes; the rest is held as credit on the schedule's account. Scheduled charges carry no
convenience fee: the customer agreed to the amount, and the machine charged exactly that.

``charge_failed`` runs when a scheduled charge is given up (hard decline, or every retry failed): the charge is
recorded as a ``failed`` payment standing for all its tries (as an interactive decline is; it moves no money), the
plan's instalment is marked failed and the customer gets one email saying what happened and what to do.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from arportal.domain.allocation import AllocationPlan, allocate_oldest_first
from arportal.domain.email_feedback import RecipientSuppressedError
from arportal.domain.errors import ConflictError
from arportal.domain.ids import new_id, new_reference
from arportal.domain.models import (
    AuditEvent,
    Channel,
    Instalment,
    InstalmentStatus,
    Invoice,
    MethodDetail,
    Payment,
    PaymentMethodType,
    StatusChange,
)
from arportal.domain.money import Money
from arportal.domain.plans import is_complete, refreshed
from arportal.domain.posting import plan_posting
from arportal.domain.processing import ChargeOutcome
from arportal.domain.reminders import FailedCharge, NoticeKind, payment_failed_message
from arportal.domain.status import PaymentStatus
from arportal.ports import CustomerRepository, Email, Mailer, NoticeLog, PaymentPosting, ScheduleStore
from arportal.services.payments import credit_note_id_for

logger = logging.getLogger("arportal.scheduled_payments")

SCOPE = "payment_retry"  # the posting guard's scope: every scheduled charge's base key is unique within it
ACTOR = "system:autopay"
POSTING_ATTEMPTS = 4
NOTICE_KEEP_DAYS = 120


@dataclass(frozen=True)
class ScheduledCharge:
    """What the machine was started with (``charge`` and, for scheduled charges, ``post``)."""

    idempotency_key: str  # the BASE key (no ":<attempt>")
    customer_id: str | None
    amount: int
    currency: str
    description: str
    schedule_id: str | None = None
    account_number: str | None = None
    invoice_ids: tuple[str, ...] = ()
    instalment: int | None = None  # 1-based
    due_date: date | None = None
    method_label: str | None = None


@dataclass(frozen=True)
class ProcessorAnswer:
    outcome: ChargeOutcome
    transaction_id: str | None
    attempts: int
    code: str | None = None
    message: str | None = None
    brand: str | None = None
    last4: str | None = None
    method_type: str | None = None


@dataclass(frozen=True)
class Posted:
    posted: bool
    payment: Payment | None = None
    replayed: bool = False
    reason: str | None = None  # why it could not be posted (the money is then unapplied: finance resolves it)


# --- posting -------------------------------------------------------------------------------------------------


def post_charge(
    charge: ScheduledCharge,
    answer: ProcessorAnswer,
    *,
    ledger: PaymentPosting,
    schedules: ScheduleStore,
    processor_name: str,
    now: datetime,
) -> Posted:
    if answer.outcome not in {ChargeOutcome.SUCCEEDED, ChargeOutcome.PENDING}:
        raise ValueError(f"only a charge that went through is posted, not {answer.outcome.value}")
    if charge.customer_id is None:
        return Posted(False, reason="the charge names no customer")
    existing = ledger.posted_payment(SCOPE, charge.idempotency_key)
    if existing is not None:
        _after_posting(charge, existing, ledger=ledger, schedules=schedules, now=now)
        return Posted(True, existing, replayed=True)
    credit_account = ledger.account(charge.customer_id, charge.account_number) if charge.account_number else None
    payment = _payment(charge, answer, processor_name, now)
    audit = AuditEvent(
        event_id=new_id("aud"),
        entity_type="payment",
        entity_id=payment.payment_id,
        action=f"payment.{payment.status.value}",
        actor=ACTOR,
        at=now,
        after={"amount": payment.amount, "status": payment.status.value, "channel": Channel.AUTOPAY.value},
        reason=charge.description,
    )
    credit_note_id = credit_note_id_for(payment.payment_id)  # the payments core's rule: reversals find it
    for _ in range(POSTING_ATTEMPTS):
        plan = allocate_oldest_first(payment.amount, payment.currency, _invoices(charge, ledger))
        if not plan.parts and credit_account is None:
            logger.error("scheduled charge has nowhere to post", extra={"key": charge.idempotency_key})
            return Posted(False, reason="no open invoice and no account to hold the money as credit")
        payment = payment.model_copy(
            update={
                "unapplied": plan.unapplied,
                "departments": sorted({part.invoice.department for part in plan.parts}),
            }
        )
        posting = plan_posting(
            payment,
            plan,
            now=now,
            credit_note_id=credit_note_id,
            receipt_number=payment.receipt_number,
            credit_account=credit_account,
        )
        try:
            ledger.post(posting, scope=SCOPE, idempotency_key=charge.idempotency_key, audit=audit)
        except ConflictError:
            already = ledger.posted_payment(SCOPE, charge.idempotency_key)
            if already is not None:
                _after_posting(charge, already, ledger=ledger, schedules=schedules, now=now)
                return Posted(True, already, replayed=True)
            continue  # an invoice changed under us: plan again from fresh reads
        _after_posting(charge, payment, ledger=ledger, schedules=schedules, now=now)
        return Posted(True, payment)
    raise ConflictError("the invoices kept changing while the scheduled charge was being posted; the task retries")


def _invoices(charge: ScheduledCharge, ledger: PaymentPosting) -> list[Invoice]:
    assert charge.customer_id is not None
    if charge.invoice_ids:
        return ledger.invoices(charge.customer_id, list(charge.invoice_ids))
    found = ledger.open_invoices(charge.customer_id)
    fresh = ledger.invoices(charge.customer_id, [i.invoice_id for i in found])  # the index may lag a write
    return [i for i in fresh if charge.account_number in (None, i.account_number)]


_METHOD_TYPES = {t.value: t for t in PaymentMethodType}


def _payment(charge: ScheduledCharge, answer: ProcessorAnswer, processor_name: str, now: datetime) -> Payment:
    assert charge.customer_id is not None
    posted = answer.outcome is ChargeOutcome.SUCCEEDED
    status = PaymentStatus.POSTED if posted else PaymentStatus.PENDING
    history = [StatusChange(status=PaymentStatus.AUTHORIZED, at=now, by="processor")] if posted else []
    note = f"scheduled charge, attempt {answer.attempts}"
    history.append(StatusChange(status=status, at=now, by="processor", note=note))
    return _record(charge, answer, processor_name, now, history=history)


def _record(
    charge: ScheduledCharge, answer: ProcessorAnswer, processor_name: str, now: datetime, *, history: list[StatusChange]
) -> Payment:
    status = history[-1].status
    posted = status is PaymentStatus.POSTED
    assert charge.customer_id is not None
    return Payment(
        payment_id=new_id("pay"),
        customer_id=charge.customer_id,
        amount=charge.amount,
        currency=charge.currency,
        method=MethodDetail(
            type=_METHOD_TYPES.get(answer.method_type or "", PaymentMethodType.CARD),
            brand=answer.brand,
            last4=answer.last4,
        ),
        channel=Channel.AUTOPAY,
        status=status,
        history=history,
        processor=processor_name,
        transaction_id=answer.transaction_id,
        receipt_number=new_reference("R") if posted else None,
        taken_by=ACTOR,
        created_at=now,
        attempt=min(max(answer.attempts, 1), 100),  # one record for all the machine's tries (the metrics count them)
    )


def _after_posting(
    charge: ScheduledCharge, payment: Payment, *, ledger: PaymentPosting, schedules: ScheduleStore, now: datetime
) -> None:
    """Bring a plan's instalments up to date with what its invoices still owe (and close it when paid off).
    Not part of the money's transaction: it is derived from the invoices, so a retry recomputes it."""
    if charge.schedule_id is None or charge.customer_id is None or not charge.instalment:
        return
    schedule = schedules.schedule(charge.customer_id, charge.schedule_id)
    if schedule is None:
        return
    owed = sum(i.balance for i in ledger.invoices(charge.customer_id, list(schedule.invoice_ids)))
    updated = refreshed(schedule.instalments, owed, payment_id=payment.payment_id)
    if updated != schedule.instalments:
        schedules.save_instalments(schedule, updated)
    if schedule.active and is_complete(owed):
        schedules.close(schedule, at=now)


# --- giving up -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FailureOutcome:
    instalment_marked: bool
    notified: bool
    reason: str | None = None


def charge_failed(
    charge: ScheduledCharge,
    answer: ProcessorAnswer,
    *,
    schedules: ScheduleStore,
    customers: CustomerRepository,
    notices: NoticeLog,
    mailer: Mailer,
    agency: str,
    portal: str | None,
    now: datetime,
    ledger: PaymentPosting | None = None,
    processor_name: str = "",
) -> FailureOutcome:
    if ledger is not None:
        _record_failure(charge, answer, ledger=ledger, processor_name=processor_name, now=now)
    marked = _mark_failed(charge, schedules)
    customer = customers.get(charge.customer_id) if charge.customer_id else None
    if customer is None or not customer.email:
        return FailureOutcome(marked, notified=False, reason="no customer email on file")
    due = charge.due_date or now.date()
    kind = NoticeKind.PAYMENT_FAILED.value
    claimed = notices.claim(
        customer.customer_id,
        kind,
        charge.idempotency_key,
        due,
        at=now,
        keep_until=now.date() + timedelta(days=NOTICE_KEEP_DAYS),
    )
    if not claimed:
        return FailureOutcome(marked, notified=False, reason="already notified")
    failure = FailedCharge(
        label=_label(charge),
        amount=Money(charge.amount, charge.currency),
        hard_decline=answer.outcome is ChargeOutcome.DECLINED,
        attempts=answer.attempts,
        reason=answer.message or answer.code,
        method=charge.method_label or _method(answer),
    )
    message = payment_failed_message(agency, customer.name, failure, portal=portal)
    try:
        mailer.send(Email(to=(customer.email,), subject=message.subject, text=message.text))
    except RecipientSuppressedError:  # bounced or complained before: the record says so, a retry would not reach
        return FailureOutcome(marked, notified=False, reason="email suppressed")
    except Exception:
        notices.release(customer.customer_id, kind, charge.idempotency_key, due)  # the next try sends it
        raise
    return FailureOutcome(marked, notified=True)


def _record_failure(
    charge: ScheduledCharge, answer: ProcessorAnswer, *, ledger: PaymentPosting, processor_name: str, now: datetime
) -> None:
    """The given-up charge as a ``failed`` payment standing for all its tries, as an interactive decline records
    one: the success rates count its tries and its series (docs/finance.md "Metrics"). Posted once under its own
    guard (``failure_key``: never the base key a charge that went through is posted under), so a repeated Task
    records nothing more; it moves no money (no allocation, no journal)."""
    guard = failure_key(charge.idempotency_key)
    if charge.customer_id is None or ledger.posted_payment(SCOPE, guard) is not None:
        return
    note = f"scheduled charge given up after {answer.attempts} attempt(s): {answer.code or answer.outcome.value}"
    history = [StatusChange(status=PaymentStatus.FAILED, at=now, by="processor", note=note[:200])]
    payment = _record(charge, answer, processor_name, now, history=history)
    audit = AuditEvent(
        event_id=new_id("aud"),
        entity_type="payment",
        entity_id=payment.payment_id,
        action="payment.failed",
        actor=ACTOR,
        at=now,
        after={"amount": payment.amount, "status": payment.status.value, "channel": Channel.AUTOPAY.value},
        reason=charge.description,
    )
    plan = AllocationPlan((), payment.amount)
    posting = plan_posting(
        payment, plan, now=now, credit_note_id=credit_note_id_for(payment.payment_id), receipt_number=None
    )
    with contextlib.suppress(ConflictError):  # recorded by a repeated Task meanwhile
        ledger.post(posting, scope=SCOPE, idempotency_key=guard, audit=audit)


def failure_key(idempotency_key: str) -> str:
    """The guard of a given-up charge's failed record."""
    return f"{idempotency_key}:failed"


def _mark_failed(charge: ScheduledCharge, schedules: ScheduleStore) -> bool:
    if charge.schedule_id is None or charge.customer_id is None or not charge.instalment:
        return False
    schedule = schedules.schedule(charge.customer_id, charge.schedule_id)
    index = charge.instalment - 1
    if schedule is None or index >= len(schedule.instalments):
        return False
    current = schedule.instalments[index]
    if current.status is not InstalmentStatus.SCHEDULED:
        return current.status is InstalmentStatus.FAILED
    updated: list[Instalment] = list(schedule.instalments)
    updated[index] = current.model_copy(update={"status": InstalmentStatus.FAILED})
    schedules.save_instalments(schedule, updated)
    return True


def _label(charge: ScheduledCharge) -> str:
    if charge.instalment:
        return f"instalment {charge.instalment} of your payment plan ({charge.description})"
    return charge.description


def _method(answer: ProcessorAnswer) -> str | None:
    if not answer.last4:
        return None
    return f"{answer.brand or answer.method_type or 'card'} ending {answer.last4}"
