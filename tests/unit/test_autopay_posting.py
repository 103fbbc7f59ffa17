"""Posting a scheduled charge the machine already made, and giving up on one, with in-memory ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from arportal.adapters.sandbox import SandboxProcessor
from arportal.domain.models import Channel, Instalment, InstalmentStatus, PaymentMethodType, Schedule, ScheduleKind
from arportal.domain.processing import ChargeOutcome
from arportal.domain.status import PaymentStatus
from arportal.services import payment_methods, scheduled_payments
from arportal.services.scheduled_payments import ProcessorAnswer, ScheduledCharge
from tests import builders as b
from tests.fakes import InMemoryNotices, InMemoryPaymentPosting, InMemorySchedules, RecordingMailer

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


class World:
    def __init__(self, *amounts: int) -> None:
        self.customer = b.customer()
        cid = self.customer.customer_id
        self.account = b.account(cid)
        self.invoices = [b.invoice(cid, self.account.account_number, amount=a) for a in amounts]
        self.ledger = InMemoryPaymentPosting(self.invoices, [self.account])
        self.store = InMemorySchedules(self.invoices, [self.customer])
        self.plan = Schedule(
            schedule_id=f"sch_{b.n():026d}",
            customer_id=cid,
            kind=ScheduleKind.PLAN,
            account_number=self.account.account_number,
            payment_method_id="pm_1",
            currency="USD",
            instalments=[
                Instalment(due_date=NOW.date() + timedelta(days=30 * k), amount=sum(amounts) // 2) for k in range(2)
            ],
            created_at=NOW,
            invoice_ids=[i.invoice_id for i in self.invoices],
        )
        self.store.schedules[self.plan.schedule_id] = self.plan

    def charge(self, amount: int, *, instalment: int | None = 1, key: str = "sched-key-1") -> ScheduledCharge:
        return ScheduledCharge(
            idempotency_key=key,
            customer_id=self.customer.customer_id,
            amount=amount,
            currency="USD",
            description="Payment plan",
            schedule_id=self.plan.schedule_id if instalment else None,
            account_number=self.account.account_number,
            invoice_ids=tuple(i.invoice_id for i in self.invoices),
            instalment=instalment,
            due_date=NOW.date(),
            method_label="visa ending 4242",
        )

    def post(self, charge: ScheduledCharge, outcome: ChargeOutcome = ChargeOutcome.SUCCEEDED, attempts: int = 1):
        answer = ProcessorAnswer(outcome, "sbx_123", attempts, brand="visa", last4="4242", method_type="card")
        return scheduled_payments.post_charge(
            charge, answer, ledger=self.ledger, schedules=self.store, processor_name="sandbox", now=NOW
        )


def test_a_succeeded_charge_is_posted_once_with_a_receipt_and_the_instalment_marked_paid():
    # Given a 2 x 50.00 plan over two invoices
    world = World(6_000, 4_000)

    # When its first instalment's charge is posted, and the Task is replayed
    first = world.post(world.charge(5_000))
    again = world.post(world.charge(5_000))

    # Then one payment was posted (oldest invoice first), by autopay, with a receipt number
    assert first.posted and not first.replayed
    assert again.replayed and again.payment == first.payment
    assert len(world.ledger.postings) == 1
    payment = first.payment
    assert payment is not None
    assert (payment.status, payment.channel, payment.fee_amount) == (PaymentStatus.POSTED, Channel.AUTOPAY, 0)
    assert payment.receipt_number and payment.method.type is PaymentMethodType.CARD
    balances = sorted(i.balance for i in world.ledger.invoices_by_id.values())
    assert sum(balances) == 5_000
    plan = world.store.schedules[world.plan.schedule_id]
    assert plan.instalments[0].status is InstalmentStatus.PAID
    assert plan.instalments[0].payment_id == payment.payment_id
    assert plan.active


def test_the_last_instalment_closes_the_plan():
    world = World(10_000)
    world.post(world.charge(5_000, key="k1"))
    world.post(world.charge(5_000, instalment=2, key="k2"))
    plan = world.store.schedules[world.plan.schedule_id]
    assert [i.status for i in plan.instalments] == [InstalmentStatus.PAID, InstalmentStatus.PAID]
    assert not plan.active


def test_ach_is_posted_pending_without_a_receipt_yet():
    world = World(10_000)
    posted = world.post(world.charge(5_000), ChargeOutcome.PENDING)
    assert posted.payment is not None
    assert posted.payment.status is PaymentStatus.PENDING and posted.payment.receipt_number is None


def test_money_beyond_what_is_owed_is_held_as_credit_on_the_account():
    # Given the invoice was paid by hand while the charge was being retried
    world = World(5_000)
    paid = world.invoices[0].model_copy(update={"paid": 5_000, "balance": 0, "status": "paid"})
    world.ledger.invoices_by_id[paid.invoice_id] = paid
    posted = world.post(world.charge(5_000, instalment=None))
    assert posted.posted
    (credit,) = world.ledger.credits
    assert credit.amount == 5_000 and credit.account_number == world.account.account_number


def test_a_charge_with_nowhere_to_go_is_reported_not_posted():
    world = World(5_000)
    orphan = scheduled_payments.ScheduledCharge("k", "CUS-NOBODY0001", 5_000, "USD", "x")
    answer = ProcessorAnswer(ChargeOutcome.SUCCEEDED, "sbx_1", 1)
    result = scheduled_payments.post_charge(
        orphan, answer, ledger=world.ledger, schedules=world.store, processor_name="sandbox", now=NOW
    )
    assert not result.posted and result.reason
    with pytest.raises(ValueError):
        scheduled_payments.post_charge(
            orphan,
            ProcessorAnswer(ChargeOutcome.DECLINED, None, 1),
            ledger=world.ledger,
            schedules=world.store,
            processor_name="sandbox",
            now=NOW,
        )


def _fail(world: World, mailer: RecordingMailer, outcome: ChargeOutcome, attempts: int):
    return scheduled_payments.charge_failed(
        world.charge(5_000),
        ProcessorAnswer(outcome, None, attempts, code="card_declined", message="sandbox: card declined"),
        schedules=world.store,
        customers=world.store,
        notices=InMemoryNotices(world.store),
        mailer=mailer,
        agency="City of Springfield",
        portal="https://pay.example.gov",
        now=NOW,
    )


def test_giving_up_marks_the_instalment_failed_and_emails_the_customer_once():
    world = World(10_000)
    mailer = RecordingMailer()
    outcome = _fail(world, mailer, ChargeOutcome.DECLINED, 1)
    again = _fail(world, mailer, ChargeOutcome.DECLINED, 1)
    assert outcome.instalment_marked and outcome.notified
    assert not again.notified
    (email,) = mailer.sent
    assert email.to == (world.customer.email,)
    assert "did not go through" in email.subject
    assert "50.00 USD" in email.text and "visa ending 4242" in email.text
    assert "will not try that payment method again" in email.text and "https://pay.example.gov" in email.text
    plan = world.store.schedules[world.plan.schedule_id]
    assert plan.instalments[0].status is InstalmentStatus.FAILED


def test_exhausted_retries_say_how_often_we_tried_and_a_failed_send_can_be_retried():
    world = World(10_000)
    with pytest.raises(Exception, match="mail is down"):
        _fail(world, RecordingMailer(failing=True), ChargeOutcome.RETRYABLE, 4)
    mailer = RecordingMailer()
    assert _fail(world, mailer, ChargeOutcome.RETRYABLE, 4).notified
    assert "tried 4 times" in mailer.sent[0].text


def test_saved_methods_follow_the_default_and_replacement_rules():
    store = InMemorySchedules()
    cid = "CUS-METHODS001"

    def save(key: str, *, default: bool = False, last4: str = "4242"):
        draft = payment_methods.MethodDraft(PaymentMethodType.CARD, "tok_visa", last4, "visa", 12, 2030, None, default)
        return payment_methods.save_method(
            store, cid, draft, idempotency_key=key, now=NOW, processor=SandboxProcessor()
        ).method

    first = save("a")
    second = save("b", default=True, last4="1111")
    assert first.is_default and store.methods_[first.method_id].is_default is False
    assert store.methods_[second.method_id].is_default
    store.schedules["sch_1"] = world_schedule = Schedule(
        schedule_id="sch_1",
        customer_id=cid,
        kind=ScheduleKind.AUTOPAY,
        account_number="UT-200001",
        payment_method_id=first.method_id,
        currency="USD",
        created_at=NOW,
    )
    with pytest.raises(payment_methods.MethodInUseError) as refused:
        payment_methods.remove_method(store, store, cid, first.method_id, replacement=None, now=NOW)
    assert refused.value.details == {"schedule_ids": [world_schedule.schedule_id]}
    payment_methods.remove_method(store, store, cid, first.method_id, replacement=second.method_id, now=NOW)
    assert store.schedules["sch_1"].payment_method_id == second.method_id
    assert first.method_id not in store.methods_
