"""The drawer close-out's items in the ledger table.

    DRAWER#<terminal>#<drawer>   STATE     version, last_close (deposit id), closed_through, pending (a close
                                           being written in chunks); every close is written on its version
    DRAWERCLOSE#<deposit_id>     CLOSE     one close: period, expected, counted, over/short, payments, cheques
    DEPOSITED#<payment_id>       DEPOSIT   the deposit a counter payment went to the bank in: deposit_id,
                                           closed_at, closed_by (read by the payment's trail); written only if
                                           absent, so a payment is never in two deposits
    PAYOUT#<deposit_id>          PAYOUT    the deposit itself, a ``PayoutRecord`` with processor ``counter``
                                           (``payout_items``), listed with the processors' payouts

A drawer's payments are found in OpenItems: every counter payment with a terminal and drawer carries
OPK = DRAWERPAY#<terminal>#<drawer>, OSK = <created_at>#<payment_id> (``entity_items``), so a close reads one range
of its own drawer's payments since its last close, however busy the other drawers are.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from arportal.domain.drawer_close import ChequeCounted, DrawerClose, TakenPayment

STATE = "STATE"


def state_key(terminal_id: str, drawer_id: str) -> dict[str, str]:
    return {"PK": f"DRAWER#{terminal_id}#{drawer_id}", "SK": STATE}


def close_key(deposit_id: str) -> dict[str, str]:
    return {"PK": f"DRAWERCLOSE#{deposit_id}", "SK": "CLOSE"}


def deposited_key(payment_id: str) -> dict[str, str]:
    return {"PK": f"DEPOSITED#{payment_id}", "SK": "DEPOSIT"}


def state_item(
    terminal_id: str,
    drawer_id: str,
    *,
    version: int,
    last_close: str | None,
    closed_through: str | None,
    pending: str | None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        **state_key(terminal_id, drawer_id), "type": "drawer_state", "terminal_id": terminal_id,
        "drawer_id": drawer_id, "version": version,
    }  # fmt: skip
    if last_close:
        item["last_close"] = last_close
    if closed_through:
        item["closed_through"] = closed_through
    if pending:
        item["pending"] = pending
    return item


def link_item(close: DrawerClose, payment: TakenPayment) -> dict[str, Any]:
    return {
        **deposited_key(payment.payment_id),
        "type": "deposit_link",
        "payment_id": payment.payment_id,
        "deposit_id": close.deposit_id,
        "closed_at": close.closed_at.isoformat(),
        "closed_by": close.closed_by,
        "terminal_id": close.terminal_id,
        "drawer_id": close.drawer_id,
        "method": payment.method,
        "amount": payment.in_drawer,
        "currency": close.currency,
    }


def close_item(close: DrawerClose) -> dict[str, Any]:
    item: dict[str, Any] = {
        **close_key(close.deposit_id),
        "type": "drawer_close",
        "deposit_id": close.deposit_id,
        "terminal_id": close.terminal_id,
        "drawer_id": close.drawer_id,
        "currency": close.currency,
        "through": close.through.isoformat(),
        "business_date": close.business_date.isoformat(),
        "expected": close.expected,
        "counted": close.counted,
        "over_short": close.over_short,
        "payments": [
            {
                "id": p.payment_id,
                "method": p.method,
                "amount": p.in_drawer,
                "at": p.created_at.isoformat(),
                **({"cheque": p.cheque_number} if p.cheque_number else {}),
            }
            for p in close.payments
        ],
        "cheques": [{"amount": c.amount, **({"number": c.number} if c.number else {})} for c in close.cheques],
        "closed_by": close.closed_by,
        "closed_at": close.closed_at.isoformat(),
        "status": close.status,
        "slip_key": close.slip_key,
    }
    if close.period_from:
        item["period_from"] = close.period_from.isoformat()
    if close.note:
        item["note"] = close.note
    return item


def close_of(item: dict[str, Any]) -> DrawerClose:
    def amounts(value: Any) -> dict[str, int]:
        return {str(k): int(v) for k, v in dict(value).items()}

    return DrawerClose(
        deposit_id=str(item["deposit_id"]),
        terminal_id=str(item["terminal_id"]),
        drawer_id=str(item["drawer_id"]),
        currency=str(item["currency"]),
        period_from=datetime.fromisoformat(str(item["period_from"])) if item.get("period_from") else None,
        through=datetime.fromisoformat(str(item["through"])),
        business_date=date.fromisoformat(str(item["business_date"])),
        expected=amounts(item["expected"]),
        counted=amounts(item["counted"]),
        over_short=amounts(item["over_short"]),
        payments=tuple(
            TakenPayment(
                str(p["id"]), str(p["method"]), int(p["amount"]), p.get("cheque"), datetime.fromisoformat(str(p["at"]))
            )
            for p in item.get("payments", [])
        ),
        cheques=tuple(ChequeCounted(int(c["amount"]), c.get("number")) for c in item.get("cheques", [])),
        note=item.get("note"),
        closed_by=str(item["closed_by"]),
        closed_at=datetime.fromisoformat(str(item["closed_at"])),
        status=str(item["status"]),
        slip_key=str(item.get("slip_key", "")),
    )
