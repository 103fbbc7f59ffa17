"""How a charge's answer is classified and retried (``arportal.domain.processing``), and the charge attempt
the payment_retry machine makes (``arportal.services.payment_retry.charge``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.processing import (
    HARD_DECLINE_CODES,
    RETRYABLE_CODES,
    ChargeOutcome,
    RetryDecision,
    classify,
    next_attempt,
)
from arportal.ports import ChargeRequest, ChargeResult, ProcessorUnavailableError
from arportal.services import payment_retry

DAY = 86_400


# --- classify ---------------------------------------------------------------------------------------------


def test_success_and_pending_win_over_any_code():
    assert classify("card_declined", succeeded=True) is ChargeOutcome.SUCCEEDED
    assert classify(None, pending=True) is ChargeOutcome.PENDING


@pytest.mark.parametrize("code", sorted(RETRYABLE_CODES))
def test_transient_failures_are_retryable(code):
    assert classify(code) is ChargeOutcome.RETRYABLE


@pytest.mark.parametrize("code", sorted(HARD_DECLINE_CODES))
def test_hard_declines_are_never_retried(code):
    assert classify(code) is ChargeOutcome.DECLINED


@given(st.text(max_size=30).filter(lambda c: c not in RETRYABLE_CODES))
def test_an_unknown_code_is_a_decline(code):
    assert classify(code) is ChargeOutcome.DECLINED


def test_the_two_code_lists_do_not_overlap():
    assert not RETRYABLE_CODES & HARD_DECLINE_CODES


# --- next_attempt -----------------------------------------------------------------------------------------


def test_the_backoff_schedule_is_followed_then_exhausted():
    backoff = [1, 3, 5]
    assert next_attempt(ChargeOutcome.RETRYABLE, 1, backoff) == RetryDecision(True, 1 * DAY, 2)
    assert next_attempt(ChargeOutcome.RETRYABLE, 2, backoff) == RetryDecision(True, 3 * DAY, 3)
    assert next_attempt(ChargeOutcome.RETRYABLE, 3, backoff) == RetryDecision(True, 5 * DAY, 4)
    assert next_attempt(ChargeOutcome.RETRYABLE, 4, backoff) == RetryDecision(False, 0, 4)


@pytest.mark.parametrize("outcome", [ChargeOutcome.SUCCEEDED, ChargeOutcome.PENDING, ChargeOutcome.DECLINED])
def test_only_retryable_outcomes_are_retried(outcome):
    assert next_attempt(outcome, 1, [1, 3, 5]) == RetryDecision(False, 0, 1)


def test_an_empty_schedule_means_one_attempt():
    assert next_attempt(ChargeOutcome.RETRYABLE, 1, []) == RetryDecision(False, 0, 1)


@given(st.lists(st.integers(min_value=0, max_value=30), max_size=8))
def test_a_schedule_allows_exactly_one_attempt_more_than_its_length(backoff):
    attempts, waits = 1, []
    while (decision := next_attempt(ChargeOutcome.RETRYABLE, attempts, backoff)).retry:
        waits.append(decision.wait_seconds)
        attempts = decision.attempt
    assert attempts == len(backoff) + 1
    assert waits == [days * DAY for days in backoff]


# --- the charge attempt -----------------------------------------------------------------------------------


@dataclass
class ScriptedProcessor:
    """A processor fake: answers from a script, remembers what it was asked and what it charged."""

    answers: list[ChargeResult | Exception]
    charged: dict[str, ChargeResult] = field(default_factory=dict)
    requests: list[ChargeRequest] = field(default_factory=list)
    name: str = "scripted"

    def charge(self, request: ChargeRequest) -> ChargeResult:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        self.charged[request.idempotency_key] = answer
        return answer

    def find_charge(self, idempotency_key: str) -> ChargeResult | None:
        return self.charged.get(idempotency_key)


REQUEST = ChargeRequest(idempotency_key="autopay-123", amount=5_000, currency="USD", token="tok_x", description="Bill")
OK = ChargeResult(ChargeOutcome.SUCCEEDED, "sbx_abcdef123456", brand="visa", last4="4242", method_type="card")


def test_each_attempt_has_its_own_idempotency_key_and_knows_its_number():
    processor = ScriptedProcessor([OK])

    attempt = payment_retry.charge(processor, REQUEST, attempt=3)

    assert attempt.outcome is ChargeOutcome.SUCCEEDED
    assert attempt.idempotency_key == "autopay-123:3"
    assert processor.requests[0].idempotency_key == "autopay-123:3"
    assert processor.requests[0].metadata == {"attempt": "3"}
    assert attempt.reconciled is False


def test_a_lost_answer_is_looked_up_before_it_counts_as_retryable():
    # Given a processor that charged, then timed out before answering
    processor = ScriptedProcessor([ProcessorUnavailableError("timeout")])
    processor.charged["autopay-123:1"] = OK

    attempt = payment_retry.charge(processor, REQUEST, attempt=1)

    assert attempt.outcome is ChargeOutcome.SUCCEEDED
    assert attempt.transaction_id == OK.transaction_id
    assert attempt.reconciled is True


def test_no_answer_and_no_charge_is_retryable():
    processor = ScriptedProcessor([ProcessorUnavailableError("timeout")])

    attempt = payment_retry.charge(processor, REQUEST, attempt=2)

    assert attempt.outcome is ChargeOutcome.RETRYABLE
    assert attempt.code == "timeout"
    assert attempt.transaction_id is None
    assert attempt.reconciled is True


def test_plan_next_attempt_is_the_domain_rule():
    decision = payment_retry.plan_next_attempt(ChargeOutcome.RETRYABLE, attempts_made=1, backoff_days=[2])
    assert decision == next_attempt(ChargeOutcome.RETRYABLE, 1, [2])
