"""Reliability of taking a payment, at the service level with in-memory ports (fast, deterministic): simultaneous
submissions, crashes at each step, and a processor that loses its answer. The same scenarios run through the
gateway against moto in tests/integration/test_pay_concurrency.py and test_pay_crash.py."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from arportal.adapters.sandbox import SandboxProcessor
from arportal.api.idempotency import Outcome, run_once
from arportal.domain.fees import FeeSchedule
from arportal.domain.ids import new_id
from arportal.domain.models import Channel, PaymentMethodType
from arportal.services.payments import PayCommand, PaymentsConfig, pay
from arportal.services.receipts import pay_and_confirm
from tests import builders as b
from tests.fakes import CountingProcessor, InMemoryPaymentPosting, ReceiptKit, in_memory_idempotency_store

CID = "CUS-000700"
CONFIG = PaymentsConfig("USD", FeeSchedule(), "sandbox")


class AtomicLedger(InMemoryPaymentPosting):
    """Its posting is atomic, as one DynamoDB transaction is; ``crash`` makes the next posting die."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.Lock()
        self.crash: str | None = None  # "before" or "after" the commit

    def post(self, posting, **kwargs) -> None:
        with self.lock:
            crash, self.crash = self.crash, None
            if crash == "before":
                raise RuntimeError("the container died before the posting (injected)")
            super().post(posting, **kwargs)
            if crash == "after":
                raise RuntimeError("the container died after the posting (injected)")


class Context:
    def __init__(self, remaining_ms: int = 10_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def world():
    acct = b.account(CID, number="UT-200700")
    invoices = [
        b.invoice(CID, acct.account_number, amount=3_000, due=b.TODAY),
        b.invoice(CID, acct.account_number, amount=5_000, due=b.TODAY + timedelta(days=30)),
    ]
    ledger = AtomicLedger(invoices, [acct])
    kit = ReceiptKit(ledger, [b.customer(CID)])
    return ledger, kit, CountingProcessor(SandboxProcessor()), in_memory_idempotency_store()


def command(key: str, token: str = "tok_visa", amount: int = 4_000) -> PayCommand:
    return PayCommand(
        idempotency_key=key,
        scope=CID,
        customer_id=CID,
        amount=amount,
        currency="USD",
        method=PaymentMethodType.CARD,
        channel=Channel.PORTAL,
        actor="customer:x",
        token=token,
    )


def submit(world, key: str, *, token: str = "tok_visa", context: Context | None = None):
    """What the route does: the payment inside the Idempotency-Key helper."""
    ledger, kit, processor, store = world

    def work() -> Outcome:
        done = pay_and_confirm(
            command(key, token),
            ledger=ledger,
            processor=processor,
            config=CONFIG,
            services=kit.services(),
            contact=None,
            now=b.NOW,
        )
        return Outcome(201, {"payment_id": done.result.payment.payment_id})

    return run_once(
        "portal.payments",
        scope=CID,
        key=key,
        payload={"amount": 4_000, "token": token},
        work=work,
        persistence=store,
        lambda_context=context or Context(),
    )


def distinct_charges(processor: CountingProcessor) -> int:
    return len({request.idempotency_key for request in processor.charges})


def test_fifty_simultaneous_submissions_charge_once_and_post_once(world):
    ledger, kit, processor, _ = world
    key = new_id("key")
    start = threading.Barrier(50)

    def one(_: int):
        start.wait()
        return submit(world, key)

    with ThreadPoolExecutor(50) as pool:
        responses = list(pool.map(one, range(50)))
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409} and statuses[201] >= 1, statuses
    assert len(processor.charges) == 1 and len(ledger.postings) == 1 and len(kit.sent) == 1
    assert {json.loads(r.body)["payment_id"] for r in responses if r.status_code == 201} == set(ledger.payments)


def test_without_the_replay_record_the_processor_key_and_the_posting_guard_still_hold(world):
    # Given the replay record is gone (expired after 24 h, or its table failed): 50 threads run the payment itself
    ledger, _, processor, _ = world
    key = new_id("key")
    start = threading.Barrier(50)

    def one(_: int):
        start.wait()
        return pay(command(key), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(one, range(50)))
    # Then the processor made one charge however often it was asked, and one payment was posted
    assert distinct_charges(processor) == 1 and len(ledger.postings) == 1
    assert {r.payment.payment_id for r in results} == set(ledger.payments)
    assert ledger.invoices_by_id[next(iter(ledger.invoices_by_id))].balance == 0


def test_a_crash_before_the_posting_is_completed_by_the_retry(world):
    ledger, _, processor, _ = world
    ledger.crash = "before"
    key = new_id("key")
    with pytest.raises(RuntimeError, match="before the posting"):
        submit(world, key)
    assert ledger.postings == [] and distinct_charges(processor) == 1
    retried = submit(world, key)
    assert retried.status_code == 201 and len(ledger.postings) == 1
    assert distinct_charges(processor) == 1 and len(processor.charges) == 2  # asked twice, charged once


def test_a_crash_after_the_posting_is_answered_from_the_ledger(world):
    ledger, _, processor, _ = world
    ledger.crash = "after"
    key = new_id("key")
    with pytest.raises(RuntimeError, match="after the posting"):
        submit(world, key)
    retried = submit(world, key)
    assert retried.status_code == 201 and json.loads(retried.body)["payment_id"] in ledger.payments
    assert len(ledger.postings) == 1 and len(processor.charges) == 1


def test_a_killed_container_blocks_its_key_only_until_its_time_is_up(world, time_machine):
    ledger, _, processor, store = world
    key = new_id("key")
    time_machine.move_to(datetime.now(UTC), tick=False)  # the clock stands still until the test moves it

    def killed() -> Outcome:
        raise KeyboardInterrupt  # not an Exception: nothing runs after it, as when Lambda stops a container

    with pytest.raises(KeyboardInterrupt):
        run_once(
            "portal.payments",
            scope=CID,
            key=key,
            payload={"amount": 4_000, "token": "tok_visa"},
            work=killed,
            persistence=store,
            lambda_context=Context(remaining_ms=200),
        )
    busy = submit(world, key)
    assert busy.status_code == 409 and busy.headers["Retry-After"] == "2"
    time_machine.shift(timedelta(milliseconds=199))
    assert submit(world, key).status_code == 409  # 1 ms of the invocation's time left: still held
    time_machine.shift(timedelta(milliseconds=2))  # its time is up: the in-progress record no longer holds the key
    assert submit(world, key).status_code == 201
    assert len(ledger.postings) == 1 and len(processor.charges) == 1


def test_a_lost_processor_answer_is_reconciled_never_charged_twice(world):
    ledger, _, processor, _ = world
    key = new_id("key")
    assert submit(world, key, token="tok_unavailable_after_charge").status_code == 201
    assert len(processor.charges) == 1 and len(ledger.postings) == 1
    [payment] = ledger.payments.values()
    assert payment.status.value == "posted" and payment.transaction_id
