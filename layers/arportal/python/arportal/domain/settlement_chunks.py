"""Settlement's chunk objects and manifest: a payout's balance transactions as NDJSON lines, and the payouts of a
run, in the form ``services/payout_settlement`` writes to S3 and reads back (pure: no I/O)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from arportal.domain.payouts import BalanceTransaction, BalanceType, Payout


def run_name(since: date, until: date) -> str:
    return f"{since.isoformat()}_{until.isoformat()}"


def manifest_key(run: str) -> str:
    return f"settlement/{run}/manifest.json"


def chunks_prefix(run: str) -> str:
    return f"settlement/{run}/chunks/"


def payout_json(p: Payout) -> dict[str, Any]:
    return {
        "payout_id": p.payout_id,
        "processor": p.processor,
        "amount": p.amount,
        "currency": p.currency,
        "arrival_date": p.arrival_date.isoformat(),
        "bank_trace_id": p.bank_trace_id,
        "status": p.status.value,
    }


def line_json(t: BalanceTransaction, payout: Payout) -> dict[str, Any]:
    return {
        "id": t.id,
        "payout_id": t.payout_id,
        "type": t.type.value,
        "source": t.source_transaction_id,
        "amount": t.amount,
        "fee": t.fee,
        "net": t.net,
        "currency": t.currency,
        "available_on": t.available_on.isoformat(),
        "created_at": t.created_at.isoformat(),
        "arrival_date": payout.arrival_date.isoformat(),
    }


def line_of(d: dict[str, Any]) -> BalanceTransaction:
    return BalanceTransaction(
        id=d["id"],
        payout_id=d["payout_id"],
        type=BalanceType(d["type"]),
        source_transaction_id=d["source"],
        amount=d["amount"],
        fee=d["fee"],
        net=d["net"],
        currency=d["currency"],
        available_on=date.fromisoformat(d["available_on"]),
        created_at=datetime.fromisoformat(d["created_at"]),
    )
