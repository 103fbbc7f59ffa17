"""What the sandbox processor remembers, as a real processor does on its side of the wire.

- a **charge** per idempotency key: the request and the answer, so a repeated request gets the same answer and
  ``find_charge`` can reconcile a lost one;
- a **transaction** per transaction id: amount, state (an ACH debit is pending until it settles, fails or is
  returned) and what is still refundable;
- a **refund** per idempotency key, so a repeated refund request is answered from the first.

The records themselves and the ``SandboxStore`` that keeps them are ports (``arportal/ports/sandbox.py``), re-exported
here; the rules over them are the sandbox's own, below.

Invariant: the refunds of a transaction never add up to more than its amount (``refundable`` never goes below 0).
"""

from __future__ import annotations

from arportal.ports.sandbox import SandboxCharge, SandboxRefund, SandboxTransaction, TransactionState

__all__ = [
    "NEXT_STATES",
    "REFUNDABLE_STATES",
    "SandboxCharge",
    "SandboxRefund",
    "SandboxTransaction",
    "TransactionState",
]

# Which state may follow which; the ACH simulation moves only along these.
NEXT_STATES: dict[TransactionState, frozenset[TransactionState]] = {
    TransactionState.PENDING: frozenset({TransactionState.SETTLED, TransactionState.FAILED}),
    TransactionState.SETTLED: frozenset({TransactionState.RETURNED}),
}
REFUNDABLE_STATES = frozenset({TransactionState.SUCCEEDED, TransactionState.SETTLED})
