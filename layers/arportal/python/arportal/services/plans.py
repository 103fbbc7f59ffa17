"""Payment plans: quote a schedule for chosen invoices, then accept exactly that schedule.

The customer sees a quote (``quote``) and accepts it by sending back the instalments it showed, with
``accept: true``; the plan is created only if a fresh quote for the same choices is exactly the same schedule
(the balances may have changed meanwhile: then the customer is shown the new quote and accepts again). The
rules of the schedule itself are in ``arportal.domain.plans``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from arportal.domain.errors import ConflictError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import Instalment, PlanFrequency, Schedule, ScheduleKind
from arportal.domain.plans import PlannedInstalment, PlanQuote, quote_plan
from arportal.ports import PaymentMethodStore, PaymentPosting, ScheduleStore
from arportal.services.autopay import Created, create_schedule, replayed, require_method
from arportal.services.payment_methods import fingerprint


class QuoteMismatchError(ConflictError):
    code = "quote_mismatch"


@dataclass(frozen=True)
class PlanRequest:
    account_number: str
    invoice_ids: tuple[str, ...]
    instalment_count: int
    frequency: PlanFrequency
    first_due_date: date | None = None
    payment_method_id: str | None = None  # None: the customer pays each instalment by hand
    accepted: tuple[PlannedInstalment, ...] = field(default=())


def quote(ledger: PaymentPosting, customer_id: str, request: PlanRequest, *, today: date) -> PlanQuote:
    if ledger.account(customer_id, request.account_number) is None:
        raise NotFoundError(f"account {request.account_number} is not one of yours")
    found = ledger.invoices(customer_id, list(dict.fromkeys(request.invoice_ids)))
    missing = sorted(set(request.invoice_ids) - {i.invoice_id for i in found})
    if missing:
        raise NotFoundError("some invoices are not yours or do not exist", details=missing)
    currency = found[0].currency if found else ""
    return quote_plan(
        [next(i for i in found if i.invoice_id == wanted) for wanted in request.invoice_ids],
        account_number=request.account_number,
        currency=currency,
        count=request.instalment_count,
        frequency=request.frequency,
        today=today,
        first_due=request.first_due_date,
    )


def accept(
    ledger: PaymentPosting,
    schedules: ScheduleStore,
    methods: PaymentMethodStore,
    customer_id: str,
    request: PlanRequest,
    *,
    idempotency_key: str,
    now: datetime,
) -> Created:
    print_ = fingerprint({"plan": request.__dict__})
    replay = replayed(schedules, customer_id, idempotency_key, print_)
    if replay is not None:
        return replay
    fresh = quote(ledger, customer_id, request, today=now.date())
    if not fresh.matches(request.accepted):
        raise QuoteMismatchError(
            "the plan you accepted no longer matches what is owed; review the new quote and accept it",
            details={"quote": _as_json(fresh.instalments)},
        )
    if request.payment_method_id is not None:
        require_method(methods, customer_id, request.payment_method_id, today=now.date())
    schedule = Schedule(
        schedule_id=new_id("sch"),
        customer_id=customer_id,
        kind=ScheduleKind.PLAN,
        account_number=request.account_number,
        payment_method_id=request.payment_method_id,
        currency=fresh.currency,
        instalments=[Instalment(due_date=i.due_date, amount=i.amount) for i in fresh.instalments],
        created_at=now,
        invoice_ids=list(fresh.invoice_ids),
        frequency=fresh.frequency,
    )
    return create_schedule(
        schedules,
        schedule,
        idempotency_key=idempotency_key,
        fingerprint=print_,
        taken="an invoice you chose is already in another payment plan",
    )


def _as_json(instalments: Sequence[PlannedInstalment]) -> list[dict[str, object]]:
    return [{"due_date": i.due_date.isoformat(), "amount": i.amount} for i in instalments]
