"""How a processor's answer to a charge is classified, and when to try again.

The retry rule: a timeout, a processing error or insufficient funds may succeed later, so they are
retried after the agency's backoff schedule (days); a hard decline (stolen card, closed account,
invalid token) never is. When the schedule is exhausted the payment fails and the customer is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ChargeOutcome(StrEnum):
    SUCCEEDED = "succeeded"  # authorized and captured: post it
    PENDING = "pending"  # accepted, result later (ACH): record as pending
    RETRYABLE = "retryable"  # may succeed later: wait and try again
    DECLINED = "declined"  # hard decline: never retry
    # The payer must act in their browser (3-D Secure) before the processor decides: nothing is posted yet, and
    # the payment's intent stays open until the payer comes back, the processor's webhook says, or it expires.
    REQUIRES_ACTION = "requires_action"


RETRYABLE_CODES = frozenset({"processing_error", "timeout", "insufficient_funds", "rate_limited", "try_again_later"})
HARD_DECLINE_CODES = frozenset(
    {"card_declined", "expired_card", "incorrect_cvc", "stolen_card", "lost_card", "account_closed", "invalid_token"}
)


def classify(code: str | None, *, succeeded: bool = False, pending: bool = False) -> ChargeOutcome:
    """An unknown failure code is treated as a hard decline: retrying the unknown risks annoying a
    customer's bank into blocking the card, and a person can always pay by hand."""
    if succeeded:
        return ChargeOutcome.SUCCEEDED
    if pending:
        return ChargeOutcome.PENDING
    if code in RETRYABLE_CODES:
        return ChargeOutcome.RETRYABLE
    return ChargeOutcome.DECLINED


@dataclass(frozen=True)
class RetryDecision:
    retry: bool
    wait_seconds: int
    attempt: int  # the attempt number that comes next (1-based)


def next_attempt(outcome: ChargeOutcome, attempts_made: int, backoff_days: list[int]) -> RetryDecision:
    """After ``attempts_made`` attempts, whether to try again and how long to wait first."""
    if outcome is not ChargeOutcome.RETRYABLE or attempts_made > len(backoff_days):
        return RetryDecision(False, 0, attempts_made)
    return RetryDecision(True, backoff_days[attempts_made - 1] * 86_400, attempts_made + 1)
