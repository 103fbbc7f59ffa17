"""Where the sandbox processor keeps its records (``sandbox_records``): in memory, or in the ledger table.

In memory is for unit tests and a single process; a deployed sandbox (and the local runtime, where each
function may run in its own container) keeps them in DynamoDB so that ``find_charge``, refunds and the ACH
simulation in one container see the charges made in another. Both stores keep the same promises:

- ``add_charge``: the first charge recorded under a key wins; two racing identical requests yield one charge;
- ``add_refund``: a refund is recorded and taken off the transaction's refundable amount together, or not at all.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any, Protocol

from arportal import clock
from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, items, keys
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.adapters.sandbox_records import (
    REFUNDABLE_STATES,
    SandboxCharge,
    SandboxRefund,
    SandboxTransaction,
    TransactionState,
)
from arportal.domain.errors import ConflictError

RETENTION_S = 365 * 86_400  # a sandbox forgets its test charges after a year (the table's TTL)


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


class InMemorySandboxStore:
    """Shared by every instance in this process, like the processor's database would be."""

    _lock = threading.Lock()
    _charges: dict[str, SandboxCharge] = {}
    _transactions: dict[str, SandboxTransaction] = {}
    _refunds: dict[str, SandboxRefund] = {}

    def charge(self, idempotency_key: str) -> SandboxCharge | None:
        with self._lock:
            return self._charges.get(idempotency_key)

    def add_charge(self, charge: SandboxCharge, transaction: SandboxTransaction | None) -> SandboxCharge:
        with self._lock:
            first = self._charges.setdefault(charge.request.idempotency_key, charge)
            if first is charge and transaction is not None:
                self._transactions[transaction.transaction_id] = transaction
            return first

    def transaction(self, transaction_id: str) -> SandboxTransaction | None:
        with self._lock:
            return self._transactions.get(transaction_id)

    def move(self, transaction_id: str, *, expected: TransactionState, to: TransactionState, refundable: int) -> bool:
        with self._lock:
            found = self._transactions.get(transaction_id)
            if found is None or found.state is not expected:
                return False
            self._transactions[transaction_id] = replace(found, state=to, refundable=refundable)
            return True

    def refund(self, idempotency_key: str) -> SandboxRefund | None:
        with self._lock:
            return self._refunds.get(idempotency_key)

    def add_refund(self, refund: SandboxRefund) -> SandboxRefund | None:
        with self._lock:
            if refund.idempotency_key in self._refunds:
                return self._refunds[refund.idempotency_key]
            found = self._transactions.get(refund.transaction_id)
            if found is None or found.state not in REFUNDABLE_STATES or found.refundable < refund.amount:
                return None
            self._transactions[found.transaction_id] = replace(found, refundable=found.refundable - refund.amount)
            self._refunds[refund.idempotency_key] = refund
            return refund


class DynamoSandboxStore:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def charge(self, idempotency_key: str) -> SandboxCharge | None:
        item = self._get(keys.sandbox_charge_key(idempotency_key), "sandbox charge")
        return items.sandbox_charge_from_item(item) if item else None

    def add_charge(self, charge: SandboxCharge, transaction: SandboxTransaction | None) -> SandboxCharge:
        expires_at = _expiry()
        work = DynamoUnitOfWork(self.table)
        work.create(items.sandbox_charge_item(charge, expires_at=expires_at))
        if transaction is not None:
            work.create(items.sandbox_transaction_item(transaction, expires_at=expires_at))
        try:
            work.commit("sandbox charge")
        except ConflictError:
            # A racing request with the same key got there first: its charge is the one that happened.
            first = self.charge(charge.request.idempotency_key)
            if first is None:
                raise
            return first
        return charge

    def transaction(self, transaction_id: str) -> SandboxTransaction | None:
        item = self._get(keys.sandbox_transaction_key(transaction_id), "sandbox transaction")
        return items.sandbox_transaction_from_item(item) if item else None

    def move(self, transaction_id: str, *, expected: TransactionState, to: TransactionState, refundable: int) -> bool:
        try:
            with translated("sandbox transaction state"):
                client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize(keys.sandbox_transaction_key(transaction_id)),
                    UpdateExpression="SET #state = :to, refundable = :refundable",
                    ConditionExpression="#state = :expected",
                    ExpressionAttributeNames={"#state": "state"},
                    ExpressionAttributeValues={
                        ":to": codec.value(to.value),
                        ":refundable": codec.value(refundable),
                        ":expected": codec.value(expected.value),
                    },
                )
        except ConflictError:
            return False
        return True

    def refund(self, idempotency_key: str) -> SandboxRefund | None:
        item = self._get(keys.sandbox_refund_key(idempotency_key), "sandbox refund")
        return items.sandbox_refund_from_item(item) if item else None

    def add_refund(self, refund: SandboxRefund) -> SandboxRefund | None:
        work = DynamoUnitOfWork(self.table)
        work.create(items.sandbox_refund_item(refund, expires_at=_expiry()))
        work.update(
            keys.sandbox_transaction_key(refund.transaction_id),
            update_expression="SET refundable = refundable - :amount",
            condition="refundable >= :amount AND #state IN (:succeeded, :settled)",
            names={"#state": "state"},
            values={
                ":amount": refund.amount,
                ":succeeded": TransactionState.SUCCEEDED.value,
                ":settled": TransactionState.SETTLED.value,
            },
        )
        try:
            work.commit("sandbox refund")
        except ConflictError:
            return self.refund(refund.idempotency_key)  # the key's first refund, or None: not refundable
        return refund

    def _get(self, key: dict[str, str], what: str) -> dict[str, Any] | None:
        with translated(what):
            response = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
        item = response.get("Item")
        return codec.deserialize(item) if item else None


def _expiry() -> int:
    return clock.epoch_seconds() + RETENTION_S
