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

import hashlib

from arportal.ports.sandbox import (
    ActivityKind,
    SandboxActivity,
    SandboxCharge,
    SandboxRefund,
    SandboxTransaction,
    TransactionState,
)

__all__ = [
    "NEXT_STATES",
    "REFUNDABLE_STATES",
    "ActivityKind",
    "SandboxActivity",
    "SandboxCharge",
    "SandboxRefund",
    "SandboxTransaction",
    "TransactionState",
    "opaque_id",
]

# Which state may follow which; the ACH simulation moves only along these.
NEXT_STATES: dict[TransactionState, frozenset[TransactionState]] = {
    TransactionState.PENDING: frozenset({TransactionState.SETTLED, TransactionState.FAILED}),
    TransactionState.SETTLED: frozenset({TransactionState.RETURNED}),
}
REFUNDABLE_STATES = frozenset({TransactionState.SUCCEEDED, TransactionState.SETTLED})

# Hex spelled in letters: an id with a long run of digits could pass the Luhn check, and our API refuses any body
# holding something that looks like a card number, which would include a webhook naming that id.
_HEX_AS_LETTERS = str.maketrans("0123456789abcdef", "bcdfghjkmnpqrstv")


def opaque_id(prefix: str, seed: str) -> str:
    """A processor-style id, the same for the same seed."""
    return prefix + hashlib.sha256(seed.encode()).hexdigest()[:24].translate(_HEX_AS_LETTERS)
