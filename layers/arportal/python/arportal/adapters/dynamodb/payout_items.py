"""Settlement's items in the ledger table: payouts (each also the deposit the agency expects), their lines,
reconciliation items, the run's cursor and its chunk markers.

    SETTLEMENT            CURSOR              the last arrival date a completed run took in
    SETTLEMENT#<run>      CHUNK#<key>         a chunk's marker: per payout [matched, unmatched], written once
    PAYOUT#<payout_id>    PAYOUT              the payout and its deposit status (expected -> deposited)
                          LINE#<txn id>       one balance transaction as matched (payment_id, outcome)
    RECON#<item_id>       RECON               a reconciliation item (open -> resolved)

OpenItems lists them in order: OPK = PAYOUTS, OSK = <arrival date>#<payout_id>; OPK = RECON#<status>,
OSK = <opened_at, fixed-width UTC>#<item_id>.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime
from typing import Any

from arportal.adapters.dynamodb import table_layout
from arportal.domain.errors import BusinessRuleError
from arportal.ports import PayoutLine, PayoutRecord, ReconciliationItem

CURSOR_KEY = {"PK": "SETTLEMENT", "SK": "CURSOR"}
PAYOUTS = "PAYOUTS"
_OSK = re.compile(r"^[0-9A-Za-z:.#_\-]{1,300}$")


class InvalidCursorError(BusinessRuleError):
    code = "invalid_cursor"


def chunk_marker_key(run: str, key: str) -> dict[str, str]:
    return {"PK": f"SETTLEMENT#{run}", "SK": f"CHUNK#{key}"}


def payout_key(payout_id: str) -> dict[str, str]:
    return {"PK": f"PAYOUT#{payout_id}", "SK": "PAYOUT"}


def line_key(payout_id: str, transaction_id: str) -> dict[str, str]:
    return {"PK": f"PAYOUT#{payout_id}", "SK": f"LINE#{transaction_id}"}


def recon_key(item_id: str) -> dict[str, str]:
    return {"PK": f"RECON#{item_id}", "SK": "RECON"}


def recon_opk(status: str) -> str:
    return f"RECON#{status}"


def line_item(line: PayoutLine, *, at: datetime) -> dict[str, Any]:
    t = line.transaction
    return {
        **line_key(t.payout_id, t.id),
        "type": "payout_line",
        "payout_id": t.payout_id,
        "transaction_id": t.id,
        "kind": t.type.value,
        "source_transaction_id": t.source_transaction_id,
        "amount": t.amount,
        "fee": t.fee,
        "net": t.net,
        "currency": t.currency,
        "payment_id": line.payment_id,
        "customer_id": line.customer_id,
        "outcome": line.outcome,
        "recorded_at": at.isoformat(),
    }


def payout_item(p: PayoutRecord) -> dict[str, Any]:
    return {
        **payout_key(p.payout_id),
        "type": "payout",
        "OPK": PAYOUTS,
        "OSK": f"{p.arrival_date.isoformat()}#{p.payout_id}",
        "payout_id": p.payout_id,
        "processor": p.processor,
        "amount": p.amount,
        "currency": p.currency,
        "arrival_date": p.arrival_date.isoformat(),
        "bank_trace_id": p.bank_trace_id,
        "transactions": p.transactions,
        "matched": p.matched,
        "unmatched": p.unmatched,
        "recorded_at": p.recorded_at.isoformat(),
        "deposit_status": p.deposit_status,
    }


def payout_of(item: dict[str, Any]) -> PayoutRecord:
    return PayoutRecord(
        payout_id=str(item["payout_id"]),
        processor=str(item["processor"]),
        amount=int(item["amount"]),
        currency=str(item["currency"]),
        arrival_date=date.fromisoformat(str(item["arrival_date"])),
        bank_trace_id=item.get("bank_trace_id"),
        transactions=int(item["transactions"]),
        matched=int(item["matched"]),
        unmatched=int(item["unmatched"]),
        recorded_at=datetime.fromisoformat(str(item["recorded_at"])),
        deposit_status=str(item["deposit_status"]),
        deposited_by=item.get("deposited_by"),
        deposited_at=datetime.fromisoformat(str(item["deposited_at"])) if item.get("deposited_at") else None,
        bank_line_key=item.get("bank_line_key"),
        bank_booked_on=date.fromisoformat(str(item["bank_booked_on"])) if item.get("bank_booked_on") else None,
        bank_file_id=item.get("bank_file_id"),
    )


def recon_item(r: ReconciliationItem) -> dict[str, Any]:
    return {
        **recon_key(r.item_id),
        "type": "reconciliation_item",
        "OPK": recon_opk(r.status),
        "OSK": f"{table_layout.index_time(r.opened_at)}#{r.item_id}",
        "item_id": r.item_id,
        "reason": r.reason,
        "status": r.status,
        "opened_at": r.opened_at.isoformat(),
        "note": r.note,
        "payout_id": r.payout_id,
        "transaction_id": r.transaction_id,
        "payment_id": r.payment_id,
        "amount": r.amount,
        "currency": r.currency,
    }


def recon_of(item: dict[str, Any]) -> ReconciliationItem:
    return ReconciliationItem(
        item_id=str(item["item_id"]),
        reason=str(item["reason"]),
        status=str(item["status"]),
        opened_at=datetime.fromisoformat(str(item["opened_at"])),
        note=str(item.get("note", "")),
        payout_id=item.get("payout_id"),
        transaction_id=item.get("transaction_id"),
        payment_id=item.get("payment_id"),
        amount=int(item["amount"]) if item.get("amount") is not None else None,
        currency=item.get("currency"),
        resolved_by=item.get("resolved_by"),
        resolved_at=datetime.fromisoformat(str(item["resolved_at"])) if item.get("resolved_at") else None,
        resolution=item.get("resolution"),
    )


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    """A page's next cursor: the index sort key it stopped at (the rest of the key follows from it)."""
    if not last_key:
        return None
    return base64.urlsafe_b64encode(str(last_key["OSK"]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, opk: str) -> dict[str, str] | None:
    if not cursor:
        return None
    try:
        osk = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursorError("cursor is not one this list handed out") from None
    if not _OSK.match(osk) or "#" not in osk:
        raise InvalidCursorError("cursor is not one this list handed out")
    subject = osk.rsplit("#", 1)[1]
    key = payout_key(subject) if opk == PAYOUTS else recon_key(subject)
    return {**key, "OPK": opk, "OSK": osk}
