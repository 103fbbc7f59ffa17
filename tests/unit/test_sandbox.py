"""The sandbox processor: the token decides the outcome, and one idempotency key charges at most once."""

from __future__ import annotations

import re
import uuid

import pytest

from arportal.adapters.sandbox import (
    TEST_CARDS,
    SandboxProcessor,
    token_for_test_card,
    transaction_id_for,
)
from arportal.domain.processing import ChargeOutcome
from arportal.domain.search import SearchKind, classify
from arportal.ports import ChargeRequest, PaymentProcessor, ProcessorUnavailableError


def request(token: str, *, amount: int = 2_500, attempt: int | None = None, key: str | None = None) -> ChargeRequest:
    return ChargeRequest(
        idempotency_key=key or f"test-{uuid.uuid4().hex}",
        amount=amount,
        currency="USD",
        token=token,
        description="Parking citation PK2511-00001",
        metadata={"attempt": str(attempt)} if attempt else None,
    )


@pytest.fixture
def sandbox() -> SandboxProcessor:
    return SandboxProcessor()


def test_it_is_a_payment_processor(sandbox):
    processor: PaymentProcessor = sandbox
    assert processor.name == "sandbox"


@pytest.mark.parametrize(
    ("token", "outcome", "method", "last4"),
    [
        ("tok_visa", ChargeOutcome.SUCCEEDED, "card", "4242"),
        ("tok_mastercard", ChargeOutcome.SUCCEEDED, "card", "4444"),
        ("tok_debit", ChargeOutcome.SUCCEEDED, "debit", "5556"),
        ("tok_wallet", ChargeOutcome.SUCCEEDED, "wallet", "4242"),
        ("tok_ach", ChargeOutcome.PENDING, "ach", "6789"),
    ],
)
def test_accepted_tokens(sandbox, token, outcome, method, last4):
    result = sandbox.charge(request(token))
    assert result.outcome is outcome
    assert result.method_type == method and result.last4 == last4
    assert result.transaction_id and result.code is None


@pytest.mark.parametrize(
    ("token", "outcome", "code"),
    [
        ("tok_declined", ChargeOutcome.DECLINED, "card_declined"),
        ("tok_stolen", ChargeOutcome.DECLINED, "stolen_card"),
        ("tok_expired", ChargeOutcome.DECLINED, "expired_card"),
        ("tok_insufficient_funds", ChargeOutcome.RETRYABLE, "insufficient_funds"),
        ("tok_processing_error", ChargeOutcome.RETRYABLE, "processing_error"),
        ("tok_nonsense", ChargeOutcome.DECLINED, "invalid_token"),
    ],
)
def test_failing_tokens(sandbox, token, outcome, code):
    result = sandbox.charge(request(token))
    assert (result.outcome, result.code) == (outcome, code)
    assert result.transaction_id is None


def test_transaction_ids_are_derived_from_the_key_and_searchable(sandbox):
    key = "portal-7f3e"
    result = sandbox.charge(request("tok_visa", key=key))
    assert result.transaction_id == transaction_id_for(key)
    assert SearchKind.TRANSACTION_ID in classify(result.transaction_id)


def test_one_key_charges_once(sandbox):
    first = sandbox.charge(request("tok_visa", key="once-1"))
    again = sandbox.charge(request("tok_visa", key="once-1"))
    assert again == first
    reused = sandbox.charge(request("tok_visa", key="once-1", amount=9_999))
    assert reused.outcome is ChargeOutcome.DECLINED and reused.code == "idempotency_key_reused"


def test_charges_are_shared_between_instances_for_reconciliation():
    SandboxProcessor().charge(request("tok_visa", key="shared-1"))
    found = SandboxProcessor().find_charge("shared-1")
    assert found is not None and found.outcome is ChargeOutcome.SUCCEEDED
    assert SandboxProcessor().find_charge("never-charged") is None


def test_an_unavailable_processor_charges_nothing(sandbox):
    with pytest.raises(ProcessorUnavailableError):
        sandbox.charge(request("tok_unavailable", key="lost-1"))
    assert sandbox.find_charge("lost-1") is None


def test_a_lost_answer_still_leaves_a_charge_to_find(sandbox):
    with pytest.raises(ProcessorUnavailableError):
        sandbox.charge(request("tok_unavailable_after_charge", key="lost-2"))
    found = sandbox.find_charge("lost-2")
    assert found is not None and found.outcome is ChargeOutcome.SUCCEEDED


def test_a_flaky_token_fails_its_first_attempts(sandbox):
    outcomes = [sandbox.charge(request("tok_flaky_2", attempt=n)).outcome for n in (1, 2, 3)]
    assert outcomes == [ChargeOutcome.RETRYABLE, ChargeOutcome.RETRYABLE, ChargeOutcome.SUCCEEDED]


def test_a_zero_amount_is_refused(sandbox):
    assert sandbox.charge(request("tok_visa", amount=0)).code == "invalid_amount"


def test_test_card_numbers_become_tokens():
    assert token_for_test_card("4242 4242 4242 4242") == "tok_visa"
    assert token_for_test_card("4000-0000-0000-0002") == "tok_declined"
    assert token_for_test_card("4111111111111111") is None
    assert all(re.fullmatch(r"[0-9]{15,16}", number) for number in TEST_CARDS)
