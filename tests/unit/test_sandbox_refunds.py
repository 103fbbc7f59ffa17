"""Sandbox refunds: up to what is still refundable, once per idempotency key, never more than the charge."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arportal.adapters.sandbox import SandboxProcessor, refund_id_for
from arportal.adapters.sandbox_records import SandboxTransaction
from arportal.adapters.sandbox_store import InMemorySandboxStore
from arportal.ports import ChargeRequest, RefundResult


@pytest.fixture
def sandbox() -> SandboxProcessor:
    return SandboxProcessor()


def charged(sandbox: SandboxProcessor, token: str = "tok_visa", amount: int = 10_000) -> str:
    result = sandbox.charge(ChargeRequest(f"charge-{uuid.uuid4().hex}", amount, "USD", token, "Water bill"))
    assert result.transaction_id is not None
    return result.transaction_id


def key() -> str:
    return f"refund-{uuid.uuid4().hex}"


def test_a_full_refund(sandbox):
    txn = charged(sandbox)
    k = key()
    result = sandbox.refund(txn, 10_000, idempotency_key=k)
    assert result.succeeded and result.refund_id == refund_id_for(k)
    assert sandbox.refund(txn, 1, idempotency_key=key()).code == "amount_too_large"


def test_partial_refunds_up_to_the_charge(sandbox):
    txn = charged(sandbox)
    assert sandbox.refund(txn, 6_000, idempotency_key=key()).succeeded
    too_much = sandbox.refund(txn, 4_001, idempotency_key=key())
    assert (too_much.succeeded, too_much.code) == (False, "amount_too_large")
    assert sandbox.refund(txn, 4_000, idempotency_key=key()).succeeded


def test_the_same_key_replays_instead_of_refunding_again(sandbox):
    txn = charged(sandbox)
    k = key()
    first = sandbox.refund(txn, 7_000, idempotency_key=k)
    again = sandbox.refund(txn, 7_000, idempotency_key=k)
    assert again == first
    # Had the replay refunded again, 3,000 would not still be refundable.
    assert sandbox.refund(txn, 3_000, idempotency_key=key()).succeeded


def test_the_same_key_for_another_refund_is_refused(sandbox):
    txn = charged(sandbox)
    k = key()
    sandbox.refund(txn, 1_000, idempotency_key=k)
    assert sandbox.refund(txn, 2_000, idempotency_key=k).code == "idempotency_key_reused"


@pytest.mark.parametrize(("amount", "code"), [(0, "invalid_amount"), (-5, "invalid_amount")])
def test_a_non_positive_refund_is_refused(sandbox, amount, code):
    assert sandbox.refund(charged(sandbox), amount, idempotency_key=key()).code == code


def test_an_unknown_charge_cannot_be_refunded(sandbox):
    assert sandbox.refund("sbx_doesnotexist000000000", 100, idempotency_key=key()).code == "charge_not_found"


def test_a_pending_ach_debit_cannot_be_refunded_until_it_settles(sandbox):
    txn = charged(sandbox, "tok_ach")
    assert sandbox.refund(txn, 100, idempotency_key=key()).code == "charge_not_refundable"
    sandbox.ach_event(txn, "settle")
    assert sandbox.refund(txn, 100, idempotency_key=key()).succeeded


def test_a_returned_debit_cannot_be_refunded(sandbox):
    txn = charged(sandbox, "tok_ach_return")
    sandbox.ach_event(txn, "settle")
    sandbox.ach_event(txn, "return")
    assert sandbox.refund(txn, 100, idempotency_key=key()).code == "charge_not_refundable"


@settings(max_examples=60, deadline=None)
@given(
    amount=st.integers(1, 50_000),
    requests=st.lists(st.tuples(st.integers(-10, 60_000), st.integers(0, 4)), min_size=1, max_size=12),
)
def test_refunds_never_add_up_to_more_than_the_charge(amount, requests):
    # Given a charge and any sequence of refund requests, some repeating an earlier key
    sandbox = SandboxProcessor()
    txn = charged(sandbox, amount=amount)
    keys = [key() for _ in range(5)]
    granted: dict[str, int] = {}
    # When each is asked for
    for refund_amount, key_index in requests:
        k = keys[key_index]
        result = sandbox.refund(txn, refund_amount, idempotency_key=k)
        if result.succeeded:
            assert granted.get(k, refund_amount) == refund_amount  # a repeated key never refunds another amount
            granted[k] = refund_amount
    # Then what was refunded is at most the charge, and exactly what is no longer refundable
    assert sum(granted.values()) <= amount
    left = amount - sum(granted.values())
    if left:
        assert sandbox.refund(txn, left + 1, idempotency_key=key()).code == "amount_too_large"
        assert sandbox.refund(txn, left, idempotency_key=key()).succeeded


class RacingStore(InMemorySandboxStore):
    """Lets another request run just after this one checked its key and before it reads the charge."""

    def __init__(self) -> None:
        self.racer: Callable[[], object] | None = None

    def transaction(self, transaction_id: str) -> SandboxTransaction | None:
        racer, self.racer = self.racer, None
        if racer is not None:
            racer()
        return super().transaction(transaction_id)


def test_a_replay_racing_the_first_request_gets_its_answer_not_a_refusal():
    # Given a full refund requested twice with one key, the second arriving while the first is being made
    store = RacingStore()
    txn = charged(SandboxProcessor(store=store))
    k = key()
    first: list[RefundResult] = []
    store.racer = lambda: first.append(SandboxProcessor().refund(txn, 10_000, idempotency_key=k))
    # When the second finds nothing left to refund
    second = SandboxProcessor(store=store).refund(txn, 10_000, idempotency_key=k)
    # Then it answers with the first refund instead of "amount too large"
    assert first[0].succeeded and second == first[0]
