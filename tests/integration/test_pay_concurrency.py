"""Simultaneous submissions through the gateway, each thread a Lambda container of its own, against moto:
one Idempotency-Key charges once and posts once; racing payments never take an invoice below zero."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.conftest import new_customer_id
from tests.reliability.worlds import PayWorld, pay_world

SUBMISSIONS = 50


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((3_000, 5_000), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


def test_fifty_simultaneous_submissions_of_one_key_charge_once_and_post_once(gateway, world, counting, containers):
    # Given one payment submitted 50 times at once with the same Idempotency-Key (a double-click storm)
    key = uuid.uuid4().hex
    body = {"amount": 4_000, "currency": "USD", "method": "card", "token": "tok_visa"}
    start = threading.Barrier(SUBMISSIONS)

    def submit(_: int):
        start.wait()
        return gateway.request(
            "POST", "/v1/portal/payments", token=world.token, json=body, headers={"Idempotency-Key": key}
        )

    with ThreadPoolExecutor(SUBMISSIONS) as pool:
        replies = list(pool.map(submit, range(SUBMISSIONS)))

    # Then the processor was asked once, one payment exists, and the invoices moved once
    assert len(counting.charges) == 1
    assert len(world.payments()) == 1
    assert world.invoice(world.invoices[0].invoice_id).balance == 0
    assert world.invoice(world.invoices[1].invoice_id).balance == 4_000
    # And every answer is that payment (first or replayed) or "still in progress, retry" with Retry-After
    statuses = Counter(r.status for r in replies)
    assert set(statuses) <= {201, 409}, statuses
    created = [r for r in replies if r.status == 201]
    assert created and {r.body["payment"]["payment_id"] for r in created} == {world.payments()[0].payment_id}
    assert sum(1 for r in created if "idempotent-replayed" not in r.headers) == 1
    for busy in (r for r in replies if r.status == 409):
        assert busy.body["error"]["code"] == "request_in_progress" and busy.headers["retry-after"] == "2"
    # A client that retries after a 409 gets the payment, still without a second charge
    again = gateway.request(
        "POST", "/v1/portal/payments", token=world.token, json=body, headers={"Idempotency-Key": key}
    )
    assert again.status == 201 and again.body["payment"]["payment_id"] == world.payments()[0].payment_id
    assert len(counting.charges) == 1
    print(f"\n50 submissions of one key: {dict(statuses)}; charges {len(counting.charges)}; payments 1")


def test_two_payments_racing_for_one_invoice_never_take_it_below_zero(gateway, world, counting, containers):
    # Given two payers each paying the whole of the same 3,000 invoice at the same moment, with different keys
    invoice = world.invoices[0]
    start = threading.Barrier(2)

    def submit(_: int):
        body = {
            "amount": 3_000,
            "currency": "USD",
            "method": "card",
            "token": "tok_visa",
            "invoices": [{"invoice_id": invoice.invoice_id, "amount": 3_000}],
        }
        key = uuid.uuid4().hex
        start.wait()
        return gateway.request(
            "POST", "/v1/portal/payments", token=world.token, json=body, headers={"Idempotency-Key": key}
        )

    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(submit, range(2)))

    # Then both were taken at the first answer (each charged once: a charged payment is never answered 409), the
    # invoice was paid exactly once and never below zero, and the loser's money is held as credit, not applied twice
    assert [r.status for r in replies] == [201, 201], [r.body for r in replies]
    after = world.invoice(invoice.invoice_id)
    assert (after.paid, after.balance, after.status.value) == (3_000, 0, "paid")
    applied = sorted(sum(a["amount"]["amount"] for a in r.body["payment"]["allocations"]) for r in replies)
    credit = sorted(r.body["payment"]["credit_held"]["amount"] for r in replies)
    assert applied == [0, 3_000] and credit == [0, 3_000]
    assert len({c.idempotency_key for c in counting.charges}) == 2 and len(world.payments()) == 2
