"""A scheduled charge's record stands for the payment_retry machine's tries: posted with how many it took, and a
given-up charge recorded as a ``failed`` payment, once, under a guard of its own (never the base key a charge
that went through is posted under), moving no money."""

from __future__ import annotations

from arportal.domain.models import Channel
from arportal.domain.processing import ChargeOutcome
from arportal.domain.status import PaymentStatus
from arportal.services import scheduled_payments
from arportal.services.scheduled_payments import SCOPE, ProcessorAnswer, failure_key
from tests.fakes import InMemoryNotices, RecordingMailer
from tests.unit.test_autopay_posting import NOW, World


def _give_up(world: World, attempts: int):
    return scheduled_payments.charge_failed(
        world.charge(5_000),
        ProcessorAnswer(ChargeOutcome.RETRYABLE, None, attempts, code="insufficient_funds"),
        schedules=world.store,
        customers=world.store,
        notices=InMemoryNotices(world.store),
        mailer=RecordingMailer(),
        agency="City of Springfield",
        portal=None,
        now=NOW,
        ledger=world.ledger,
        processor_name="sandbox",
    )


def test_a_posted_charge_says_how_many_tries_it_took():
    world = World(10_000)
    posted = world.post(world.charge(5_000), attempts=3)
    assert posted.payment is not None and posted.payment.attempt == 3 and posted.payment.series is None


def test_a_given_up_charge_is_recorded_once_as_a_failed_payment_of_all_its_tries():
    world = World(10_000)
    _give_up(world, 4)
    _give_up(world, 4)  # the Task again
    (failed,) = world.ledger.payments.values()
    assert failed.status is PaymentStatus.FAILED and failed.attempt == 4 and failed.channel is Channel.AUTOPAY
    assert world.ledger.posted_payment(SCOPE, failure_key("sched-key-1")) == failed
    assert world.ledger.posted_payment(SCOPE, "sched-key-1") is None
    assert all(i.balance == i.amount for i in world.ledger.invoices_by_id.values())  # nothing applied


def test_a_charge_that_went_through_later_is_posted_not_answered_by_the_failure():
    world = World(10_000)
    _give_up(world, 4)
    posted = world.post(world.charge(5_000), attempts=1)
    assert posted.posted and not posted.replayed and posted.payment is not None
    assert posted.payment.status is PaymentStatus.POSTED
