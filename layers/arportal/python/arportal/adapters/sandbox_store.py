"""Where the sandbox processor keeps its records (``sandbox_records``): in memory, or in the ledger table. Both
stores implement ``arportal.ports.SandboxStore``.

In memory is for unit tests and a single process; a deployed sandbox (and the local runtime, where each
function may run in its own container) keeps them in DynamoDB so that ``find_charge``, refunds and the ACH
simulation in one container see the charges made in another. Both stores keep the same promises:

- ``add_charge``: the first charge recorded under a key wins; two racing identical requests yield one charge;
- ``add_refund``: a refund is recorded and taken off the transaction's refundable amount together, or not at all;
- every change that moves money records its ``SandboxActivity`` with it, in the same write, so a day's activity
  (what payouts are built from) is exactly what happened that day.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime
from typing import Any, ClassVar

from arportal import clock
from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.adapters.sandbox_items import (
    activity_from_item,
    activity_item,
    activity_pk,
    charge_from_item,
    charge_item,
    charge_key,
    refund_from_item,
    refund_item,
    refund_key,
    transaction_from_item,
    transaction_item,
    transaction_key,
)
from arportal.adapters.sandbox_records import (
    REFUNDABLE_STATES,
    SandboxActivity,
    SandboxCharge,
    SandboxRefund,
    SandboxTransaction,
    TransactionState,
)
from arportal.domain.errors import ConflictError

RETENTION_S = 365 * 86_400  # a sandbox forgets its test charges after a year (the table's TTL)


class InMemorySandboxStore:
    """Shared by every instance in this process, like the processor's database would be; ``private()`` is one of
    its own (a test that needs days no other test has charged on)."""

    _lock = threading.Lock()
    _charges: dict[str, SandboxCharge] = {}
    _transactions: dict[str, SandboxTransaction] = {}
    _refunds: dict[str, SandboxRefund] = {}
    _activity: ClassVar[defaultdict[date, list[SandboxActivity]]] = defaultdict(list)

    @classmethod
    def private(cls) -> InMemorySandboxStore:
        store = cls()
        store._lock, store._charges, store._transactions, store._refunds = threading.Lock(), {}, {}, {}
        store._activity = defaultdict(list)  # type: ignore[misc]  # an instance's own, shadowing the shared one
        return store

    def charge(self, idempotency_key: str) -> SandboxCharge | None:
        with self._lock:
            return self._charges.get(idempotency_key)

    def add_charge(
        self, charge: SandboxCharge, transaction: SandboxTransaction | None, *, activity: SandboxActivity | None
    ) -> SandboxCharge:
        with self._lock:
            first = self._charges.setdefault(charge.request.idempotency_key, charge)
            if first is charge and transaction is not None:
                self._transactions[transaction.transaction_id] = transaction
                self._record(activity)
            return first

    def transaction(self, transaction_id: str) -> SandboxTransaction | None:
        with self._lock:
            return self._transactions.get(transaction_id)

    def move(
        self,
        transaction_id: str,
        *,
        expected: TransactionState,
        to: TransactionState,
        refundable: int,
        activity: SandboxActivity,
    ) -> bool:
        with self._lock:
            found = self._transactions.get(transaction_id)
            if found is None or found.state is not expected:
                return False
            self._transactions[transaction_id] = replace(found, state=to, refundable=refundable)
            self._record(activity)
            return True

    def refund(self, idempotency_key: str) -> SandboxRefund | None:
        with self._lock:
            return self._refunds.get(idempotency_key)

    def add_refund(self, refund: SandboxRefund, *, activity: SandboxActivity) -> SandboxRefund | None:
        with self._lock:
            if refund.idempotency_key in self._refunds:
                return self._refunds[refund.idempotency_key]
            found = self._transactions.get(refund.transaction_id)
            if found is None or found.state not in REFUNDABLE_STATES or found.refundable < refund.amount:
                return None
            self._transactions[found.transaction_id] = replace(found, refundable=found.refundable - refund.amount)
            self._refunds[refund.idempotency_key] = refund
            self._record(activity)
            return refund

    def activity(self, day: date) -> list[SandboxActivity]:
        with self._lock:
            return sorted(self._activity.get(day, ()), key=_activity_order)

    def _record(self, activity: SandboxActivity | None) -> None:
        if activity is not None:
            self._activity[activity.at.date()].append(activity)


class DynamoSandboxStore:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def charge(self, idempotency_key: str) -> SandboxCharge | None:
        item = self._get(charge_key(idempotency_key), "sandbox charge")
        return charge_from_item(item) if item else None

    def add_charge(
        self, charge: SandboxCharge, transaction: SandboxTransaction | None, *, activity: SandboxActivity | None
    ) -> SandboxCharge:
        expires_at = _expiry()
        work = DynamoUnitOfWork(self.table)
        work.create(charge_item(charge, expires_at=expires_at))
        if transaction is not None:
            work.create(transaction_item(transaction, expires_at=expires_at))
            if activity is not None:
                work.create(activity_item(activity, expires_at=expires_at))
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
        item = self._get(transaction_key(transaction_id), "sandbox transaction")
        return transaction_from_item(item) if item else None

    def move(
        self,
        transaction_id: str,
        *,
        expected: TransactionState,
        to: TransactionState,
        refundable: int,
        activity: SandboxActivity,
    ) -> bool:
        work = DynamoUnitOfWork(self.table)
        work.update(
            transaction_key(transaction_id),
            update_expression="SET #state = :to, refundable = :refundable",
            condition="#state = :expected",
            names={"#state": "state"},
            values={":to": to.value, ":refundable": refundable, ":expected": expected.value},
        )
        work.create(activity_item(activity, expires_at=_expiry()))
        try:
            work.commit("sandbox transaction state")
        except ConflictError:
            return False
        return True

    def refund(self, idempotency_key: str) -> SandboxRefund | None:
        item = self._get(refund_key(idempotency_key), "sandbox refund")
        return refund_from_item(item) if item else None

    def add_refund(self, refund: SandboxRefund, *, activity: SandboxActivity) -> SandboxRefund | None:
        work = DynamoUnitOfWork(self.table)
        work.create(refund_item(refund, expires_at=_expiry()))
        work.create(activity_item(activity, expires_at=_expiry()))
        work.update(
            transaction_key(refund.transaction_id),
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

    def activity(self, day: date) -> list[SandboxActivity]:
        found: list[SandboxActivity] = []
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": activity_pk(day)}},
            "ConsistentRead": True,
        }
        while True:
            with translated("sandbox activity"):
                response = client("dynamodb").query(**request)
            found.extend(activity_from_item(codec.deserialize(raw)) for raw in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return sorted(found, key=_activity_order)
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _get(self, key: dict[str, str], what: str) -> dict[str, Any] | None:
        with translated(what):
            response = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
        item = response.get("Item")
        return codec.deserialize(item) if item else None


def _expiry() -> int:
    return clock.epoch_seconds() + RETENTION_S


def _activity_order(activity: SandboxActivity) -> tuple[datetime, str, str]:
    return activity.at, activity.refund_id or activity.transaction_id, activity.kind.value
