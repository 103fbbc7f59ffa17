"""What the sandbox processor remembers, as a real processor does on its side of the wire.

- a **charge** per idempotency key: the request and the answer, so a repeated request gets the same answer and
  ``find_charge`` can reconcile a lost one;
- a **transaction** per transaction id: amount, state (an ACH debit is pending until it settles, fails or is
  returned) and what is still refundable;
- a **refund** per idempotency key, so a repeated refund request is answered from the first.

Invariant: the refunds of a transaction never add up to more than its amount (``refundable`` never goes below 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from arportal.ports import ChargeRequest, ChargeResult, RefundResult


class TransactionState(StrEnum):
    SUCCEEDED = "succeeded"  # card, debit or wallet: captured at once
    PENDING = "pending"  # ACH: accepted, the bank has not answered yet
    SETTLED = "settled"  # ACH: the funds arrived
    FAILED = "failed"  # ACH: refused before settling (nothing was ever collected)
    RETURNED = "returned"  # ACH: settled, then returned by the bank (funds taken back)


# Which state may follow which; the ACH simulation moves only along these.
NEXT_STATES: dict[TransactionState, frozenset[TransactionState]] = {
    TransactionState.PENDING: frozenset({TransactionState.SETTLED, TransactionState.FAILED}),
    TransactionState.SETTLED: frozenset({TransactionState.RETURNED}),
}
REFUNDABLE_STATES = frozenset({TransactionState.SUCCEEDED, TransactionState.SETTLED})


@dataclass(frozen=True)
class SandboxCharge:
    request: ChargeRequest
    result: ChargeResult


@dataclass(frozen=True)
class SandboxTransaction:
    transaction_id: str
    idempotency_key: str
    amount: int
    currency: str
    kind: str  # the token's kind: for ACH it says how the debit ends (see sandbox_cards.KINDS)
    state: TransactionState
    refundable: int


@dataclass(frozen=True)
class SandboxRefund:
    idempotency_key: str
    transaction_id: str
    amount: int
    result: RefundResult
