"""The sandbox's records in the ledger table (moto): conditional writes keep its promises across containers."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from arportal.adapters.sandbox import SandboxProcessor
from arportal.config import settings
from arportal.domain.processing import ChargeOutcome
from arportal.ports import ChargeRequest


@pytest.fixture
def container(local_env) -> Callable[[], SandboxProcessor]:
    """A new processor per call, as each Lambda container builds its own; they share only the table."""
    return lambda: SandboxProcessor(settings().ledger_table)


def in_parallel(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call at the same moment, each on its own thread; a call's exception fails the test."""
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(calls))

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def charge_items(local_env, key: str) -> int:
    response = local_env.client("dynamodb").query(
        TableName=local_env.resources.ledger_table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"SANDBOX#CHARGE#{key}"}},
    )
    return int(response["Count"])


def test_racing_identical_requests_in_different_containers_make_one_charge(local_env, container):
    # Given one request sent at once by four containers (a client retrying while the first is in flight)
    key = f"race-{uuid.uuid4().hex}"
    request = ChargeRequest(key, 9_900, "USD", "tok_visa", "Permit fee")
    # When each charges it
    results = in_parallel([lambda: container().charge(request) for _ in range(4)])
    # Then there is one charge, and every container answered with it
    assert charge_items(local_env, key) == 1
    assert len(set(results)) == 1 and results[0].outcome is ChargeOutcome.SUCCEEDED


def test_a_key_reused_for_another_amount_in_another_container_is_refused(container):
    key = f"reuse-{uuid.uuid4().hex}"
    first = container().charge(ChargeRequest(key, 100, "USD", "tok_visa", "x"))
    again = container().charge(ChargeRequest(key, 200, "USD", "tok_visa", "x"))
    assert first.outcome is ChargeOutcome.SUCCEEDED and again.code == "idempotency_key_reused"


def test_a_lost_answer_is_found_by_another_container(container):
    key = f"lost-{uuid.uuid4().hex}"
    with pytest.raises(Exception, match="answer was lost"):
        container().charge(ChargeRequest(key, 100, "USD", "tok_unavailable_after_charge", "x"))
    found = container().find_charge(key)
    assert found is not None and found.outcome is ChargeOutcome.SUCCEEDED


def test_racing_refunds_never_take_more_than_the_charge(container):
    # Given a charge of 10,000
    txn = container().charge(ChargeRequest(f"c-{uuid.uuid4().hex}", 10_000, "USD", "tok_visa", "x")).transaction_id
    assert txn is not None
    # When four containers each try to refund 4,000 of it at the same moment, with their own keys
    results = in_parallel(
        [lambda: container().refund(txn, 4_000, idempotency_key=f"r-{uuid.uuid4().hex}") for _ in range(4)]
    )
    # Then exactly two succeeded; the others were told it was too much
    assert sum(r.succeeded for r in results) == 2
    assert {r.code for r in results if not r.succeeded} == {"amount_too_large"}
    assert container().refund(txn, 2_001, idempotency_key=f"r-{uuid.uuid4().hex}").code == "amount_too_large"
    assert container().refund(txn, 2_000, idempotency_key=f"r-{uuid.uuid4().hex}").succeeded


def test_a_refund_replayed_by_another_container_refunds_once(container):
    txn = container().charge(ChargeRequest(f"c-{uuid.uuid4().hex}", 5_000, "USD", "tok_visa", "x")).transaction_id
    assert txn is not None
    key = f"r-{uuid.uuid4().hex}"
    results = in_parallel([lambda: container().refund(txn, 5_000, idempotency_key=key) for _ in range(4)])
    assert all(r.succeeded for r in results) and len({r.refund_id for r in results}) == 1


def test_an_ach_debit_moves_once_whichever_container_settles_it(container):
    txn = container().charge(ChargeRequest(f"a-{uuid.uuid4().hex}", 7_000, "USD", "tok_ach", "x")).transaction_id
    assert txn is not None
    events = in_parallel([lambda: container().ach_event(txn, "settle")[0] for _ in range(4)])
    assert len({e.event_id for e in events}) == 1
    assert container().refund(txn, 7_000, idempotency_key=f"r-{uuid.uuid4().hex}").succeeded
