"""Autopay: enrol an account, cancel a schedule, and the daily run that starts the charges that are due.

Enrolment: an account of the customer's own and one of their saved methods; each invoice on that account is
paid on its due date, or ``days_before_due`` (0-30) days before. One autopay per account.

The run (once a day, and safe to run again): every enrolment is read from the ByDueDate index, then the
invoices due ``today + lead`` for each lead time in use, and the plan instalments due today. Each charge starts
one ``payment_retry`` execution whose NAME and charge idempotency key are derived from (schedule, invoice or
instalment, due date): a second run the same day finds the name taken and starts nothing (its input names the
run, so Step Functions answers "already exists" rather than handing back a running execution), and even a new
execution could not charge twice, because the processor sees the same key. Invoices in an active payment plan
are left to the plan. The amount is what is open when the run reads it; posting applies it (anything paid
meanwhile turns the rest into account credit, never into a negative balance).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from arportal.domain.errors import BusinessRuleError, ConflictError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import Invoice, SavedPaymentMethod, Schedule, ScheduleKind
from arportal.domain.plans import amount_due, is_complete, refreshed
from arportal.ports import (
    AutopayEnrolment,
    DueItems,
    DueItemsReader,
    InstalmentDue,
    PaymentMethodStore,
    PaymentPosting,
    RequestClaim,
    ScheduleStore,
    WorkflowStarter,
)
from arportal.services.payment_methods import IdempotencyKeyReusedError, fingerprint

CLAIM_SCOPE = "schedule"
DEFAULT_BACKOFF_DAYS = (1, 3, 5)  # retries of a failed scheduled charge: 1, 3 and 5 days later


class ScheduleConflictError(ConflictError):
    code = "schedule_conflict"


@dataclass(frozen=True)
class Created:
    schedule: Schedule
    replayed: bool


# --- enrol and cancel -----------------------------------------------------------------------------------------


def require_method(methods: PaymentMethodStore, customer_id: str, method_id: str, *, today: date) -> SavedPaymentMethod:
    method = methods.method(customer_id, method_id)
    if method is None:
        raise NotFoundError("no such payment method", details=[{"field": "payment_method_id", "reason": "not yours"}])
    if method.expired(today):
        raise BusinessRuleError(
            "that card has expired; save a current one first",
            details=[{"field": "payment_method_id", "reason": "expired"}],
        )
    return method


def enrol(
    ledger: PaymentPosting,
    schedules: ScheduleStore,
    methods: PaymentMethodStore,
    customer_id: str,
    *,
    account_number: str,
    payment_method_id: str,
    days_before_due: int,
    currency: str,
    idempotency_key: str,
    now: datetime,
) -> Created:
    print_ = fingerprint({"autopay": [account_number, payment_method_id, days_before_due]})
    replay = replayed(schedules, customer_id, idempotency_key, print_)
    if replay is not None:
        return replay
    account = ledger.account(customer_id, account_number)
    if account is None:
        raise NotFoundError(f"account {account_number} is not one of yours")
    require_method(methods, customer_id, payment_method_id, today=now.date())
    schedule = Schedule(
        schedule_id=new_id("sch"),
        customer_id=customer_id,
        kind=ScheduleKind.AUTOPAY,
        account_number=account_number,
        payment_method_id=payment_method_id,
        currency=currency,
        days_before_due=days_before_due,
        created_at=now,
    )
    return create_schedule(
        schedules,
        schedule,
        idempotency_key=idempotency_key,
        fingerprint=print_,
        taken="this account already has autopay (cancel it to change it), or the payment method was just removed",
    )


def create_schedule(
    schedules: ScheduleStore, schedule: Schedule, *, idempotency_key: str, fingerprint: str, taken: str
) -> Created:
    claim = RequestClaim(schedule.customer_id, CLAIM_SCOPE, idempotency_key, fingerprint, schedule.schedule_id)
    try:
        schedules.create(schedule, claim=claim)
    except ConflictError as exc:
        replay = replayed(schedules, schedule.customer_id, idempotency_key, fingerprint)
        if replay is not None:
            return replay
        raise ScheduleConflictError(taken) from exc
    return Created(schedule, replayed=False)


def replayed(schedules: ScheduleStore, customer_id: str, key: str, print_: str) -> Created | None:
    claim = schedules.claim(customer_id, CLAIM_SCOPE, key)
    if claim is None:
        return None
    if claim.fingerprint != print_:
        raise IdempotencyKeyReusedError("this Idempotency-Key was already used for a different request")
    schedule = schedules.schedule(customer_id, claim.target_id)
    if schedule is None:
        raise NotFoundError("the schedule created with this Idempotency-Key no longer exists")
    return Created(schedule, replayed=True)


def cancel(schedules: ScheduleStore, customer_id: str, schedule_id: str, *, now: datetime) -> Schedule:
    """Idempotent: cancelling a schedule that has already ended returns it as it is."""
    schedule = schedules.schedule(customer_id, schedule_id)
    if schedule is None:
        raise NotFoundError("no such schedule")
    if schedule.active:
        schedules.close(schedule, at=now)
        schedule = schedules.schedule(customer_id, schedule_id) or schedule
    return schedule


# --- the daily run ----------------------------------------------------------------------------------------------


@dataclass
class RunReport:
    day: str
    started: int = 0
    already_started: int = 0
    nothing_to_charge: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "skipped": dict(self.skipped)}


@dataclass(frozen=True)
class _Charge:
    schedule: Schedule
    method: SavedPaymentMethod
    subject: str  # the invoice id, or "inst<nn>"
    due_date: date
    amount: int
    currency: str
    description: str
    invoice_ids: tuple[str, ...]
    instalment: int | None = None


def execution_name(schedule_id: str, subject: str, due: date, kind: ScheduleKind) -> str:
    digest = hashlib.sha256(f"{schedule_id}|{subject}|{due.isoformat()}".encode()).hexdigest()[:40]
    return f"{kind.value}-{due:%Y%m%d}-{digest}"


def charge_key(schedule_id: str, subject: str, due: date) -> str:
    return f"sched-{schedule_id}-{subject}-{due.isoformat()}"


def run(
    reader: DueItemsReader,
    schedules: ScheduleStore,
    starter: WorkflowStarter,
    *,
    today: date,
    now: datetime,
    backoff_days: tuple[int, ...] = DEFAULT_BACKOFF_DAYS,
    run_id: str | None = None,
) -> RunReport:
    report = RunReport(day=today.isoformat())
    run_id = run_id or f"{today.isoformat()}@{now.isoformat()}"
    due: dict[date, DueItems] = {}

    def due_on(day: date) -> DueItems:
        if day not in due:
            due[day] = reader.due_on(day)
        return due[day]

    enrolled: dict[tuple[int, str, str], AutopayEnrolment] = {
        (e.days_before_due, e.customer_id, e.account_number): e for e in reader.autopay_enrolments()
    }
    invoices: list[tuple[AutopayEnrolment, Invoice]] = []
    for lead in sorted({lead for lead, _, _ in enrolled}):
        for invoice in due_on(today + timedelta(days=lead)).invoices:
            enrolment = enrolled.get((lead, invoice.customer_id, invoice.account_number))
            if enrolment is not None and invoice.balance > 0 and not invoice.voided:
                invoices.append((enrolment, invoice))
    instalments = due_on(today).instalments
    covered = reader.plan_covered([(i.customer_id, i.invoice_id) for _, i in invoices])
    found = reader.schedules_by_key(
        [(e.customer_id, e.schedule_id) for e, _ in invoices] + [(i.customer_id, i.schedule_id) for i in instalments]
    )
    live = {sid: s for sid, s in found.items() if s.active}
    methods = reader.methods_by_key(
        [(s.customer_id, s.payment_method_id) for s in live.values() if s.payment_method_id]
    )
    charges: list[_Charge] = []
    for enrolment, invoice in invoices:
        schedule = live.get(enrolment.schedule_id)
        method = methods.get(schedule.payment_method_id or "") if schedule else None
        if (invoice.customer_id, invoice.invoice_id) in covered:
            report.skipped["in_payment_plan"] += 1
        elif schedule is None or method is None:
            report.skipped["no_active_schedule_or_method"] += 1
        else:
            charges.append(
                _Charge(
                    schedule,
                    method,
                    invoice.invoice_id,
                    invoice.due_date,
                    invoice.balance,
                    invoice.currency,
                    f"Autopay: invoice {invoice.invoice_number}",
                    (invoice.invoice_id,),
                )
            )
    charges.extend(
        _instalment_charges(reader, schedules, instalments, live=live, methods=methods, report=report, now=now)
    )
    for charge in charges:
        payload = {**_payload(charge, backoff_days), "run": run_id}
        name = execution_name(charge.schedule.schedule_id, charge.subject, charge.due_date, charge.schedule.kind)
        if starter.start_payment_retry(name, payload):
            report.started += 1
        else:
            report.already_started += 1
    return report


def _instalment_charges(
    reader: DueItemsReader,
    schedules: ScheduleStore,
    due: list[InstalmentDue],
    *,
    live: dict[str, Schedule],
    methods: dict[str, SavedPaymentMethod],
    report: RunReport,
    now: datetime,
) -> list[_Charge]:
    plans = [live[i.schedule_id] for i in due if i.schedule_id in live]
    balances = reader.invoices_by_key([(p.customer_id, inv) for p in plans for inv in p.invoice_ids])
    charges = []
    for entry in due:
        schedule = live.get(entry.schedule_id)
        index = entry.number - 1
        if schedule is None or index >= len(schedule.instalments):
            report.skipped["no_active_schedule_or_method"] += 1
            continue
        owed = sum(balances[i].balance for i in schedule.invoice_ids if i in balances)
        amount = amount_due(schedule.instalments, index, owed)
        if amount == 0:
            # Paid early (or by hand): mark it so, and close the plan if nothing is left.
            report.nothing_to_charge += 1
            marked = refreshed(schedule.instalments, owed)
            if marked != schedule.instalments:
                schedules.save_instalments(schedule, marked)
            if is_complete(owed):
                schedules.close(schedule, at=now)
            continue
        method = methods.get(schedule.payment_method_id or "")
        if method is None:
            report.skipped["paid_by_hand" if schedule.payment_method_id is None else "no_method"] += 1
            continue
        charges.append(
            _Charge(
                schedule,
                method,
                f"inst{entry.number:02d}",
                entry.due_date,
                amount,
                schedule.currency,
                f"Payment plan: instalment {entry.number} of {len(schedule.instalments)}",
                tuple(schedule.invoice_ids),
                entry.number,
            )
        )
    return charges


def _payload(charge: _Charge, backoff_days: tuple[int, ...]) -> dict[str, Any]:
    schedule = charge.schedule
    return {
        "charge": {
            "idempotency_key": charge_key(schedule.schedule_id, charge.subject, charge.due_date),
            "amount": charge.amount,
            "currency": charge.currency,
            "token": charge.method.processor_token,
            "description": charge.description,
            "customer_id": schedule.customer_id,
        },
        "backoff_days": list(backoff_days),
        "attempt": 1,
        "post": {
            "schedule_id": schedule.schedule_id,
            "kind": schedule.kind.value,
            "account_number": schedule.account_number,
            "invoice_ids": list(charge.invoice_ids),
            "instalment": charge.instalment,
            "due_date": charge.due_date.isoformat(),
            "payment_method_id": charge.method.method_id,
            "method_label": _label(charge.method),
        },
    }


def _label(method: SavedPaymentMethod) -> str:
    kind = {"ach": "bank account", "wallet": "wallet"}.get(method.method_type.value, method.brand or "card")
    return f"{kind} ending {method.last4}"
