"""The sandbox processor's memory: what it records of charges, transactions and refunds, and where it keeps them.

The sandbox (``adapters/sandbox.py``) implements ``PaymentProcessor``; a ``SandboxStore`` is the processor's side
of the wire, as a real processor's database would be: in memory (``InMemorySandboxStore``) or in the ledger table
(``DynamoSandboxStore``), both in ``adapters/sandbox_store.py``. The rules over these records (which state may
follow which, what may be refunded) are the sandbox's own: ``adapters/sandbox_records.py``.

Every movement of money (a charge captured, a refund, an ACH debit settled, failed or returned) is also kept as a
``SandboxActivity`` of the day it happened, written with the change itself: the sandbox's payouts are built from a
day's activity (``adapters/sandbox_payouts.py``).

Invariant: the refunds of a transaction never add up to more than its amount (``refundable`` never goes below 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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
    charged_at: datetime | None = None  # None: recorded before the sandbox kept it


class ActivityKind(StrEnum):
    CHARGED = "charged"  # captured (card, debit, wallet) or accepted (an ACH debit, pending)
    REFUNDED = "refunded"
    SETTLED = "settled"  # ACH: the funds arrived
    FAILED = "failed"  # ACH: refused before settling
    RETURNED = "returned"  # ACH: taken back after settling


@dataclass(frozen=True)
class SandboxActivity:
    """One movement of a transaction, on the day (UTC) it happened."""

    kind: ActivityKind
    at: datetime
    transaction_id: str
    method: str  # card, debit, wallet or ach (``sandbox_cards.KINDS``)
    amount: int  # what moved, positive
    currency: str
    charged_at: datetime  # when the transaction was charged (an ACH debit settles or is returned days later)
    refund_id: str | None = None  # a refund's own id


@dataclass(frozen=True)
class SandboxRefund:
    idempotency_key: str
    transaction_id: str
    amount: int
    result: RefundResult


class SandboxStore(Protocol):
    def charge(self, idempotency_key: str) -> SandboxCharge | None: ...

    def add_charge(
        self, charge: SandboxCharge, transaction: SandboxTransaction | None, *, activity: SandboxActivity | None
    ) -> SandboxCharge:
        """Record the charge (and its transaction and activity) unless the key is taken; the charge recorded under
        the key."""
        ...

    def transaction(self, transaction_id: str) -> SandboxTransaction | None: ...

    def move(
        self,
        transaction_id: str,
        *,
        expected: TransactionState,
        to: TransactionState,
        refundable: int,
        activity: SandboxActivity,
    ) -> bool:
        """Set the state (and refundable amount), and record the activity, if the state is still ``expected``."""
        ...

    def refund(self, idempotency_key: str) -> SandboxRefund | None: ...

    def add_refund(self, refund: SandboxRefund, *, activity: SandboxActivity) -> SandboxRefund | None:
        """Record a refund (and its activity) and take it off its transaction; the refund under the key (the first,
        if the key was used), or None when the transaction was not refundable for that amount (nothing recorded)."""
        ...

    def activity(self, day: date) -> list[SandboxActivity]:
        """Everything that moved on ``day`` (UTC), in the order it happened."""
        ...
