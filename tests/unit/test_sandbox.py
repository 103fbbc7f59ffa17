"""The sandbox processor: the token decides the outcome, and one idempotency key charges at most once."""

from __future__ import annotations

import re
import threading
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.adapters import sandbox_cards
from arportal.adapters.sandbox import SandboxProcessor, refund_id_for, transaction_id_for
from arportal.adapters.sandbox_cards import TEST_CARDS, SandboxToken, token_for_test_card
from arportal.domain.cards import looks_like_card_number
from arportal.domain.processing import ChargeOutcome
from arportal.domain.search import SearchKind, classify
from arportal.ports import ChargeRequest, PaymentProcessor, ProcessorUnavailableError
from tests import builders as b


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


# --- tokens from the hosted fields ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "outcome", "method", "brand"),
    [
        ("4242424242424242", ChargeOutcome.SUCCEEDED, "card", "visa"),
        ("5200828282828210", ChargeOutcome.SUCCEEDED, "debit", "mastercard"),
        ("378282246310005", ChargeOutcome.SUCCEEDED, "card", "amex"),
        ("4000000000000002", ChargeOutcome.DECLINED, None, None),
        ("4000000000009995", ChargeOutcome.RETRYABLE, None, None),
        ("4000000000000119", ChargeOutcome.RETRYABLE, None, None),
    ],
)
def test_hosted_field_tokens_charge_as_their_card_says(sandbox, number, outcome, method, brand):
    # Given a token the hosted fields made in one container
    token = tokenize(
        {"number": number, "exp_month": 12, "exp_year": b.VALID_EXP_YEAR, "cvc": "1234" if brand == "amex" else "123"}
    )
    # When another processor instance (another container) charges it
    result = SandboxProcessor().charge(request(token.id))
    # Then the token alone decided the outcome, and only brand and last four come back
    assert result.outcome is outcome
    assert (result.method_type, result.brand) == (method, brand)
    assert result.last4 == (number[-4:] if method else None)


def test_a_wallet_token_charges_as_a_wallet(sandbox):
    token = tokenize(
        {
            "number": "4242424242424242",
            "exp_month": 1,
            "exp_year": b.VALID_EXP_YEAR + 1,
            "cvc": "123",
            "wallet": "apple_pay",
        }
    )
    result = sandbox.charge(request(token.id))
    assert (result.outcome, result.method_type, result.brand) == (ChargeOutcome.SUCCEEDED, "wallet", "visa")


def test_a_bank_token_is_pending(sandbox):
    token = tokenize({"routing_number": "110000000", "account_number": "000123456789"})
    result = sandbox.charge(request(token.id))
    assert (result.outcome, result.method_type, result.last4, result.brand) == (
        ChargeOutcome.PENDING,
        "ach",
        "6789",
        None,
    )


def test_a_timeout_card_charges_then_loses_the_answer(sandbox):
    token = tokenize({"number": "4000000000000408", "exp_month": 1, "exp_year": b.VALID_EXP_YEAR + 1, "cvc": "123"})
    with pytest.raises(ProcessorUnavailableError):
        sandbox.charge(request(token.id, key="timeout-card-1"))
    found = sandbox.find_charge("timeout-card-1")
    assert found is not None and found.outcome is ChargeOutcome.SUCCEEDED and found.last4 == "0408"


def test_an_unavailable_card_charges_nothing(sandbox):
    token = tokenize({"number": "4000000000000416", "exp_month": 1, "exp_year": b.VALID_EXP_YEAR + 1, "cvc": "123"})
    with pytest.raises(ProcessorUnavailableError):
        sandbox.charge(request(token.id, key="unavailable-card-1"))
    assert sandbox.find_charge("unavailable-card-1") is None


@pytest.mark.parametrize(
    "token",
    ["tok_nosuchkind_visa_4242_0123456789abcdef", "tok_card_visa_42_0123456789abcdef", "tok_card_visa_4242_xyz"],
)
def test_a_forged_or_mangled_token_is_a_hard_decline(sandbox, token):
    assert sandbox.charge(request(token)).code == "invalid_token"


def test_two_racing_identical_requests_make_one_charge():
    # Given one key and one request, sent from many threads at once (retries racing each other)
    key = f"race-{uuid.uuid4().hex}"
    same = request("tok_visa", key=key)
    results = []

    def send() -> None:
        results.append(SandboxProcessor().charge(same))

    threads = [threading.Thread(target=send) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every caller got the same one charge
    assert len({r.transaction_id for r in results}) == 1 and len(results) == 16


def tokenize(body: dict[str, object]) -> SandboxToken:
    return sandbox_cards.tokenize(body, today=b.TODAY)


@given(st.text(min_size=1, max_size=80))
def test_no_sandbox_id_ever_looks_like_a_card_number(key):
    # Our API refuses bodies holding card-number-like digits, and a webhook names these ids.
    for made in (transaction_id_for(key), refund_id_for(key)):
        assert not looks_like_card_number(made) and not any(c.isdigit() for c in made)
        assert SearchKind.TRANSACTION_ID in classify(made) or made.startswith("sbxre_")
