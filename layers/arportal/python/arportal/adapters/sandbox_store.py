"""Where the sandbox processor keeps its records (``sandbox_records``): in memory, or in the ledger table. Both
stores implement ``arportal.ports.SandboxStore``.

In memory is for unit tests and a single process; a deployed sandbox (and the local runtime, where each
function may run in its own container) keeps them in DynamoDB so that ``find_charge``, refunds and the ACH
simulation in one container see the charges made in another. Both stores keep the same promises:

- ``add_charge``: the first charge recorded under a key wins; two racing identical requests yield one charge;
- ``add_refund``: a refund is recorded and taken off the transaction's refundable amount together, or not at all.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from arportal import clock
from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, table_layout
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
from arportal.domain.processing import ChargeOutcome
from arportal.ports import ChargeRequest, ChargeResult, RefundResult

RETENTION_S = 365 * 86_400  # a sandbox forgets its test charges after a year (the table's TTL)


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
        item = self._get(charge_key(idempotency_key), "sandbox charge")
        return charge_from_item(item) if item else None

    def add_charge(self, charge: SandboxCharge, transaction: SandboxTransaction | None) -> SandboxCharge:
        expires_at = _expiry()
        work = DynamoUnitOfWork(self.table)
        work.create(charge_item(charge, expires_at=expires_at))
        if transaction is not None:
            work.create(transaction_item(transaction, expires_at=expires_at))
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

    def move(self, transaction_id: str, *, expected: TransactionState, to: TransactionState, refundable: int) -> bool:
        try:
            with translated("sandbox transaction state"):
                client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize(transaction_key(transaction_id)),
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
        item = self._get(refund_key(idempotency_key), "sandbox refund")
        return refund_from_item(item) if item else None

    def add_refund(self, refund: SandboxRefund) -> SandboxRefund | None:
        work = DynamoUnitOfWork(self.table)
        work.create(refund_item(refund, expires_at=_expiry()))
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

    def _get(self, key: dict[str, str], what: str) -> dict[str, Any] | None:
        with translated(what):
            response = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
        item = response.get("Item")
        return codec.deserialize(item) if item else None


def _expiry() -> int:
    return clock.epoch_seconds() + RETENTION_S


# --- the records as ledger-table items (not ledger entities: no type, no index attributes) ----------------------
# What a real processor keeps on its side, in the ledger table because a deployed sandbox has no other store;
# they never share a partition with ledger entities:
#   SANDBOX#CHARGE#<idempotency key>   CHARGE    a charge request and its result
#   SANDBOX#TXN#<transaction id>       TXN       a transaction's state and refundable amount
#   SANDBOX#REFUND#<idempotency key>   REFUND    a refund request and its result
# Stored as plain attributes so they read back exactly; ``expires_at`` (the table's TTL) lets a deployed
# sandbox forget its test charges after a while.


def charge_key(idempotency_key: str) -> dict[str, str]:
    return {"PK": f"SANDBOX#CHARGE#{idempotency_key}", "SK": "CHARGE"}


def transaction_key(transaction_id: str) -> dict[str, str]:
    return {"PK": f"SANDBOX#TXN#{transaction_id}", "SK": "TXN"}


def refund_key(idempotency_key: str) -> dict[str, str]:
    return {"PK": f"SANDBOX#REFUND#{idempotency_key}", "SK": "REFUND"}


def charge_item(charge: SandboxCharge, *, expires_at: int) -> dict[str, Any]:
    request, result = charge.request, charge.result
    body = {
        "amount": request.amount,
        "currency": request.currency,
        "token": request.token,
        "description": request.description,
        "customer_id": request.customer_id,
        "metadata": request.metadata,
        "result": {
            "outcome": result.outcome.value,
            "transaction_id": result.transaction_id,
            "code": result.code,
            "message": result.message,
            "brand": result.brand,
            "last4": result.last4,
            "method_type": result.method_type,
        },
    }
    return {**table_layout.to_dynamo(body), **charge_key(request.idempotency_key), "expires_at": expires_at}


def charge_from_item(item: dict[str, Any]) -> SandboxCharge:
    data = table_layout.plain(item)
    result = data["result"]
    return SandboxCharge(
        ChargeRequest(
            idempotency_key=data["PK"].removeprefix("SANDBOX#CHARGE#"),
            amount=data["amount"],
            currency=data["currency"],
            token=data["token"],
            description=data["description"],
            customer_id=data.get("customer_id"),
            metadata=data.get("metadata"),
        ),
        ChargeResult(
            ChargeOutcome(result["outcome"]),
            result.get("transaction_id"),
            code=result.get("code"),
            message=result.get("message"),
            brand=result.get("brand"),
            last4=result.get("last4"),
            method_type=result.get("method_type"),
        ),
    )


def transaction_item(transaction: SandboxTransaction, *, expires_at: int) -> dict[str, Any]:
    body = {
        "transaction_id": transaction.transaction_id,
        "idempotency_key": transaction.idempotency_key,
        "amount": transaction.amount,
        "currency": transaction.currency,
        "kind": transaction.kind,
        "state": transaction.state.value,
        "refundable": transaction.refundable,
    }
    return {**body, **transaction_key(transaction.transaction_id), "expires_at": expires_at}


def transaction_from_item(item: dict[str, Any]) -> SandboxTransaction:
    data = table_layout.plain(item)
    return SandboxTransaction(
        transaction_id=data["transaction_id"],
        idempotency_key=data["idempotency_key"],
        amount=data["amount"],
        currency=data["currency"],
        kind=data["kind"],
        state=TransactionState(data["state"]),
        refundable=data["refundable"],
    )


def refund_item(refund: SandboxRefund, *, expires_at: int) -> dict[str, Any]:
    body = {
        "transaction_id": refund.transaction_id,
        "amount": refund.amount,
        "succeeded": refund.result.succeeded,
        "refund_id": refund.result.refund_id,
        "code": refund.result.code,
        "message": refund.result.message,
    }
    return {**table_layout.to_dynamo(body), **refund_key(refund.idempotency_key), "expires_at": expires_at}


def refund_from_item(item: dict[str, Any]) -> SandboxRefund:
    data = table_layout.plain(item)
    return SandboxRefund(
        idempotency_key=data["PK"].removeprefix("SANDBOX#REFUND#"),
        transaction_id=data["transaction_id"],
        amount=data["amount"],
        result=RefundResult(
            bool(data["succeeded"]), data.get("refund_id"), code=data.get("code"), message=data.get("message")
        ),
    )
