"""The sandbox processor's memory: what it records of charges, transactions and refunds, and where it keeps them.

The sandbox (``adapters/sandbox.py``) implements ``PaymentProcessor``; a ``SandboxStore`` is the processor's side
of the wire, as a real processor's database would be: in memory (``InMemorySandboxStore``) or in the ledger table
(``DynamoSandboxStore``), both in ``adapters/sandbox_store.py``. The rules over these records (which state may
follow which, what may be refunded) are the sandbox's own: ``adapters/sandbox_records.py``.

Invariant: the refunds of a transaction never add up to more than its amount (``refundable`` never goes below 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from arportal.ports.core import ChargeRequest, ChargeResult, RefundResult


class TransactionState(StrEnum):
    SUCCEEDED = "succeeded"  # card, debit or wallet: captured at once
    PENDING = "pending"  # ACH: accepted, the bank has not answered yet
    SETTLED = "settled"  # ACH: the funds arrived
    FAILED = "failed"  # ACH: refused before settling (nothing was ever collected)
    RETURNED = "returned"  # ACH: settled, then returned by the bank (funds taken back)


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


class SandboxStore(Protocol):
    def charge(self, idempotency_key: str) -> SandboxCharge | None: ...

    def add_charge(self, charge: SandboxCharge, transaction: SandboxTransaction | None) -> SandboxCharge:
        """Record the charge (and its transaction) unless the key is taken; the charge recorded under the key."""
        ...

    def transaction(self, transaction_id: str) -> SandboxTransaction | None: ...

    def move(self, transaction_id: str, *, expected: TransactionState, to: TransactionState, refundable: int) -> bool:
        """Set the state (and refundable amount) if the state is still ``expected``."""
        ...

    def refund(self, idempotency_key: str) -> SandboxRefund | None: ...

    def add_refund(self, refund: SandboxRefund) -> SandboxRefund | None:
        """Record a refund and take it off its transaction; the refund under the key (the first, if the key was
        used), or None when the transaction was not refundable for that amount (nothing recorded)."""
        ...
