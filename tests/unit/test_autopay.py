"""Autopay and plan schedules with in-memory ports: enrolment, acceptance, cancellation and the daily run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from arportal.domain.errors import BusinessRuleError, ConflictError, NotFoundError
from arportal.domain.models import InstalmentStatus, PaymentMethodType, PlanFrequency, SavedPaymentMethod, ScheduleKind
from arportal.domain.plans import PlannedInstalment
from arportal.services import autopay, plans
from arportal.services.payment_methods import IdempotencyKeyReusedError
from tests import builders as b
from tests.fakes import InMemoryPaymentPosting, InMemorySchedules, RecordingStarter

NOW = b.NOW
TODAY = NOW.date()


class World:
    def __init__(self, *invoice_amounts: int, due: date | None = None) -> None:
        self.customer = b.customer()
        cid = self.customer.customer_id
        self.account = b.account(cid)
        self.invoices = [
            b.invoice(cid, self.account.account_number, amount=a, due=due or TODAY + timedelta(days=20))
            for a in invoice_amounts
        ]
        self.ledger = InMemoryPaymentPosting(self.invoices, [self.account])
        self.store = InMemorySchedules(self.invoices, [self.customer])
        self.method = self.save_method("tok_visa")

    @property
    def cid(self) -> str:
        return self.customer.customer_id

    def save_method(self, token: str, *, exp_year: int = b.VALID_EXP_YEAR) -> SavedPaymentMethod:
        method = SavedPaymentMethod(
            method_id=f"pm_{b.n():026d}",
            customer_id=self.cid,
            method_type=PaymentMethodType.CARD,
            processor_token=token,
            brand="visa",
            last4="4242",
            exp_month=12,
            exp_year=exp_year,
            created_at=NOW,
        )
        self.store.methods_[method.method_id] = method
        return method

    def enrol(self, *, key: str = "key-1", days_before_due: int = 0, method: str | None = None) -> autopay.Created:
        return autopay.enrol(
            self.ledger,
            self.store,
            self.store,
            self.cid,
            account_number=self.account.account_number,
            payment_method_id=method or self.method.method_id,
            days_before_due=days_before_due,
            currency="USD",
            idempotency_key=key,
            now=NOW,
        )

    def plan_request(self, count: int = 3, *, accepted: tuple[PlannedInstalment, ...] = (), method: str | None = None):
        return plans.PlanRequest(
            account_number=self.account.account_number,
            invoice_ids=tuple(i.invoice_id for i in self.invoices),
            instalment_count=count,
            frequency=PlanFrequency.MONTHLY,
            payment_method_id=method,
            accepted=accepted,
        )

    def accept_plan(self, count: int = 3, *, key: str = "plan-1", by_hand: bool = False) -> autopay.Created:
        quote = plans.quote(self.ledger, self.cid, self.plan_request(count), today=TODAY)
        request = self.plan_request(
            count, accepted=quote.instalments, method=None if by_hand else self.method.method_id
        )
        return plans.accept(self.ledger, self.store, self.store, self.cid, request, idempotency_key=key, now=NOW)


# --- enrolment ----------------------------------------------------------------------------------------------


def test_enrolling_creates_one_autopay_per_account_and_a_replay_returns_it():
    world = World(10_000)
    first = world.enrol()
    again = world.enrol()
    assert not first.replayed and again.replayed
    assert again.schedule.schedule_id == first.schedule.schedule_id
    assert first.schedule.kind is ScheduleKind.AUTOPAY
    with pytest.raises(ConflictError, match="already has autopay"):
        world.enrol(key="key-2")


def test_a_key_reused_for_another_enrolment_is_refused():
    world = World(10_000)
    world.enrol()
    with pytest.raises(IdempotencyKeyReusedError):
        world.enrol(days_before_due=5)


def test_enrolment_needs_the_customers_own_account_and_a_current_method():
    world = World(10_000)
    expired = world.save_method("tok_visa", exp_year=b.EXPIRED_EXP_YEAR)
    with pytest.raises(BusinessRuleError, match="expired"):
        world.enrol(method=expired.method_id)
    with pytest.raises(NotFoundError):
        world.enrol(method="pm_SOMEONE_ELSES")
    stranger = World(10_000)
    with pytest.raises(NotFoundError):
        autopay.enrol(
            stranger.ledger,
            world.store,
            world.store,
            world.cid,
            account_number=stranger.account.account_number,
            payment_method_id=world.method.method_id,
            days_before_due=0,
            currency="USD",
            idempotency_key="k",
            now=NOW,
        )


def test_cancelling_is_idempotent_and_only_for_the_owner():
    world = World(10_000)
    created = world.enrol()
    cancelled = autopay.cancel(world.store, world.cid, created.schedule.schedule_id, now=NOW)
    assert not cancelled.active and cancelled.closed_at == NOW
    assert autopay.cancel(world.store, world.cid, created.schedule.schedule_id, now=NOW).active is False
    with pytest.raises(NotFoundError):
        autopay.cancel(world.store, "CUS-SOMEONEELSE", created.schedule.schedule_id, now=NOW)
    assert not world.enrol(key="key-after-cancel").replayed  # the account may enrol again


# --- plans ----------------------------------------------------------------------------------------------------


def test_a_plan_is_created_only_from_the_exact_quote():
    world = World(6_000, 3_001)
    quote = plans.quote(world.ledger, world.cid, world.plan_request(), today=TODAY)
    tampered = (PlannedInstalment(quote.instalments[0].due_date, 1), *quote.instalments[1:])
    with pytest.raises(plans.QuoteMismatchError) as refused:
        plans.accept(
            world.ledger, world.store, world.store, world.cid, world.plan_request(accepted=tampered),
            idempotency_key="k", now=NOW,
        )  # fmt: skip
    assert refused.value.details["quote"][0]["amount"] == 3_001
    created = world.accept_plan()
    assert [i.amount for i in created.schedule.instalments] == [3_001, 3_000, 3_000]
    assert created.schedule.invoice_ids == [i.invoice_id for i in world.invoices]


def test_an_invoice_is_in_one_plan_at_a_time():
    world = World(6_000)
    world.accept_plan()
    with pytest.raises(ConflictError, match="already in another payment plan"):
        world.accept_plan(key="plan-2")


def test_a_quote_refuses_invoices_that_are_not_the_customers():
    world = World(6_000)
    stranger = World(5_000)
    request = plans.PlanRequest(
        account_number=world.account.account_number,
        invoice_ids=(stranger.invoices[0].invoice_id,),
        instalment_count=2,
        frequency=PlanFrequency.WEEKLY,
    )
    with pytest.raises(NotFoundError):
        plans.quote(world.ledger, world.cid, request, today=TODAY)


# --- the daily run --------------------------------------------------------------------------------------------


def test_the_run_starts_each_due_autopay_charge_once_however_often_it_runs():
    # Given autopay three days before due and an invoice due in three days
    world = World(12_345, due=TODAY + timedelta(days=3))
    world.enrol(days_before_due=3)
    starter = RecordingStarter()

    # When the run happens twice the same day
    first = autopay.run(world.store, world.store, starter, today=TODAY, now=NOW)
    second = autopay.run(world.store, world.store, starter, today=TODAY, now=NOW)

    # Then one execution was started, for the invoice's balance, with the card's token
    assert (first.started, second.started, second.already_started) == (1, 0, 1)
    ((name, payload),) = starter.started.items()
    assert name.startswith(f"autopay-{world.invoices[0].due_date:%Y%m%d}-")
    charge = payload["charge"]
    assert charge["amount"] == 12_345 and charge["token"] == "tok_visa"
    assert charge["idempotency_key"].endswith(world.invoices[0].due_date.isoformat())
    assert payload["post"]["invoice_ids"] == [world.invoices[0].invoice_id]


def test_the_run_leaves_invoices_in_a_plan_to_the_plan():
    # Given an account on autopay whose invoice due today is in a payment plan paid by hand
    world = World(5_000, due=TODAY)
    world.enrol(days_before_due=0)
    world.accept_plan(count=2, by_hand=True)

    # When the run comes today
    report = autopay.run(world.store, world.store, RecordingStarter(), today=TODAY, now=NOW)

    # Then autopay does not charge it: the plan decides how it is paid
    assert report.started == 0
    assert report.skipped["in_payment_plan"] == 1


def test_the_run_charges_only_invoices_due_at_the_enrolments_lead_time():
    world = World(5_000, 7_000, due=TODAY + timedelta(days=3))
    world.enrol(days_before_due=2)
    assert autopay.run(world.store, world.store, RecordingStarter(), today=TODAY, now=NOW).started == 0
    tomorrow = TODAY + timedelta(days=1)
    assert autopay.run(world.store, world.store, RecordingStarter(), today=tomorrow, now=NOW).started == 2


def test_an_instalment_due_today_charges_the_plans_shortfall():
    world = World(9_000)
    created = world.accept_plan(count=3)
    day = created.schedule.instalments[0].due_date
    starter = RecordingStarter()
    report = autopay.run(world.store, world.store, starter, today=day, now=NOW)
    assert report.started == 1
    (payload,) = starter.started.values()
    assert payload["charge"]["amount"] == 3_000
    assert payload["post"]["instalment"] == 1


def test_an_instalment_paid_early_is_marked_paid_and_not_charged():
    # Given a plan, and the customer paying 45.00 by hand before the first date
    world = World(9_000)
    created = world.accept_plan(count=3)
    invoice = world.store.invoices[world.invoices[0].invoice_id]
    world.store.invoices[invoice.invoice_id] = invoice.model_copy(update={"paid": 4_500, "balance": 4_500})
    starter = RecordingStarter()

    # When the first instalment's date comes
    first_day = created.schedule.instalments[0].due_date
    report = autopay.run(world.store, world.store, starter, today=first_day, now=NOW)

    # Then nothing is charged and the instalment shows paid
    assert report.started == 0 and report.nothing_to_charge == 1
    stored = world.store.schedules[created.schedule.schedule_id]
    assert stored.instalments[0].status is InstalmentStatus.PAID
    # And on the second date only the remaining 15.00 of it is charged
    second_day = created.schedule.instalments[1].due_date
    autopay.run(world.store, world.store, starter, today=second_day, now=NOW)
    (payload,) = starter.started.values()
    assert payload["charge"]["amount"] == 1_500


def test_a_plan_paid_by_hand_is_never_charged_and_closes_when_paid_off():
    world = World(9_000)
    created = world.accept_plan(count=3, by_hand=True)
    day = created.schedule.instalments[0].due_date
    report = autopay.run(world.store, world.store, RecordingStarter(), today=day, now=NOW)
    assert report.started == 0 and report.skipped["paid_by_hand"] == 1
    invoice = world.store.invoices[world.invoices[0].invoice_id]
    world.store.invoices[invoice.invoice_id] = invoice.model_copy(update={"paid": 9_000, "balance": 0})
    autopay.run(world.store, world.store, RecordingStarter(), today=day, now=NOW)
    assert not world.store.schedules[created.schedule.schedule_id].active
