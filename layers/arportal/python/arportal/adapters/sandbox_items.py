"""The sandbox processor's records as ledger-table items (``sandbox_store.DynamoSandboxStore`` keeps them).

They are not ledger entities (no type, no index attributes): what a real processor keeps on its side, in the ledger
table because a deployed sandbox has no other store. They never share a partition with ledger entities.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from arportal.adapters.dynamodb import table_layout
from arportal.adapters.sandbox_records import (
    ActivityKind,
    SandboxActivity,
    SandboxCharge,
    SandboxRefund,
    SandboxTransaction,
    TransactionState,
)
from arportal.domain.processing import ChargeOutcome
from arportal.ports import ChargeRequest, ChargeResult, RefundResult

# The keys:
#   SANDBOX#CHARGE#<idempotency key>   CHARGE    a charge request and its result
#   SANDBOX#TXN#<transaction id>       TXN       a transaction's state and refundable amount
#   SANDBOX#REFUND#<idempotency key>   REFUND    a refund request and its result
#   SANDBOX#DAY#<yyyy-mm-dd>           <kind>#<transaction or refund id>   a movement of that day (UTC)
# Stored as plain attributes so they read back exactly; ``expires_at`` (the table's TTL) lets a deployed
# sandbox forget its test charges after a while.


def charge_key(idempotency_key: str) -> dict[str, str]:
    return {"PK": f"SANDBOX#CHARGE#{idempotency_key}", "SK": "CHARGE"}


def transaction_key(transaction_id: str) -> dict[str, str]:
    return {"PK": f"SANDBOX#TXN#{transaction_id}", "SK": "TXN"}


def refund_key(idempotency_key: str) -> dict[str, str]:
    return {"PK": f"SANDBOX#REFUND#{idempotency_key}", "SK": "REFUND"}


def activity_pk(day: date) -> str:
    return f"SANDBOX#DAY#{day.isoformat()}"


def charge_item(charge: SandboxCharge, *, expires_at: int) -> dict[str, Any]:
    request, result = charge.request, charge.result
    body = {
        "amount": request.amount,
        "currency": request.currency,
        "token": request.token,
        "description": request.description,
        "customer_id": request.customer_id,
        "metadata": request.metadata,
        "off_session": request.off_session,
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
            off_session=bool(data.get("off_session")),
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
        "charged_at": transaction.charged_at.isoformat() if transaction.charged_at else None,
    }
    return {**table_layout.to_dynamo(body), **transaction_key(transaction.transaction_id), "expires_at": expires_at}


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
        charged_at=datetime.fromisoformat(data["charged_at"]) if data.get("charged_at") else None,
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


def activity_item(activity: SandboxActivity, *, expires_at: int) -> dict[str, Any]:
    body = {
        "kind": activity.kind.value,
        "at": activity.at.isoformat(),
        "transaction_id": activity.transaction_id,
        "method": activity.method,
        "amount": activity.amount,
        "currency": activity.currency,
        "charged_at": activity.charged_at.isoformat(),
        "refund_id": activity.refund_id,
    }
    # One item per movement: a transaction is charged once, moves to a state once, and a refund has its own id.
    sk = f"{activity.kind.value}#{activity.refund_id or activity.transaction_id}"
    key = {"PK": activity_pk(activity.at.date()), "SK": sk}
    return {**table_layout.to_dynamo(body), **key, "expires_at": expires_at}


def activity_from_item(item: dict[str, Any]) -> SandboxActivity:
    data = table_layout.plain(item)
    return SandboxActivity(
        kind=ActivityKind(data["kind"]),
        at=datetime.fromisoformat(data["at"]),
        transaction_id=data["transaction_id"],
        method=data["method"],
        amount=data["amount"],
        currency=data["currency"],
        charged_at=datetime.fromisoformat(data["charged_at"]),
        refund_id=data.get("refund_id"),
    )
