"""Response models the staff console's views share, and the cursors of its lists."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Any

from arportal.api.errors import ApiError
from arportal.api.pagination import decode_cursor, encode_cursor
from arportal.api.schemas import MoneyOut, Out
from arportal.domain import models as m
from arportal.domain.balances import BalanceSummary, SourceBalance
from arportal.ports import PageStart


class HistoryOut(Out):
    status: str
    at: datetime
    by: str
    note: str | None


class StaffPaymentOut(Out):
    """A payment as staff see it: everything a customer sees, plus who took it, where, and its timeline."""

    payment_id: str
    customer_id: str | None
    created_at: datetime
    amount: MoneyOut
    fee: MoneyOut
    unapplied: MoneyOut
    refunded: MoneyOut
    method: str
    brand: str | None
    last4: str | None
    channel: str
    status: str
    departments: list[str]
    terminal_id: str | None
    taken_by: str | None
    receipt_number: str | None
    transaction_id: str | None
    processor: str
    history: list[HistoryOut]

    @classmethod
    def of(cls, p: m.Payment) -> StaffPaymentOut:
        return cls(
            payment_id=p.payment_id,
            customer_id=p.customer_id,
            created_at=p.created_at,
            amount=MoneyOut.of(p.amount, p.currency),
            fee=MoneyOut.of(p.fee_amount, p.currency),
            unapplied=MoneyOut.of(p.unapplied, p.currency),
            refunded=MoneyOut.of(p.refunded, p.currency),
            method=p.method.type.value,
            brand=p.method.brand,
            last4=p.method.last4,
            channel=p.channel.value,
            status=p.status.value,
            departments=list(p.departments),
            terminal_id=p.terminal_id,
            taken_by=p.taken_by,
            receipt_number=p.receipt_number,
            transaction_id=p.transaction_id,
            processor=p.processor,
            history=[HistoryOut(status=h.status.value, at=h.at, by=h.by, note=h.note) for h in p.history],
        )


# The name the route modules import. The class's own name is the contract's component name, unique across the
# three APIs (/openapi.json merges them: two different schemas may not share a name).
PaymentOut = StaffPaymentOut


class InteractionOut(Out):
    interaction_id: str
    customer_id: str
    kind: str
    summary: str
    at: datetime
    staff_id: str | None
    payment_id: str | None
    invoice_id: str | None

    @classmethod
    def of(cls, i: m.Interaction) -> InteractionOut:
        return cls(
            interaction_id=i.interaction_id,
            customer_id=i.customer_id,
            kind=i.kind.value,
            summary=i.summary,
            at=i.at,
            staff_id=i.staff_id,
            payment_id=i.payment_id,
            invoice_id=i.invoice_id,
        )


class AccountBalanceOut(Out):
    account_number: str
    amount: MoneyOut


class SourceBalanceOut(Out):
    department: str
    source: str
    amount: MoneyOut | None
    as_of: datetime | None
    fresh: bool
    available: bool
    message: str | None
    accounts: list[AccountBalanceOut]

    @classmethod
    def of(cls, b: SourceBalance) -> SourceBalanceOut:
        return cls(
            department=b.department,
            source=b.source,
            amount=MoneyOut.of(b.amount, b.currency) if b.amount is not None else None,
            as_of=b.as_of,
            fresh=b.fresh,
            available=b.error is None,
            message=b.message,
            accounts=[
                AccountBalanceOut(account_number=a.account_number, amount=MoneyOut.of(a.amount, b.currency))
                for a in b.accounts
            ],
        )


class BalancesOut(Out):
    customer_id: str
    total: MoneyOut
    complete: bool
    balances: list[SourceBalanceOut]

    @classmethod
    def of(cls, customer_id: str, s: BalanceSummary) -> BalancesOut:
        return cls(
            customer_id=customer_id,
            total=MoneyOut.of(s.total, s.currency),
            complete=s.complete,
            balances=[SourceBalanceOut.of(b) for b in s.balances],
        )


# --- cursors of the lists --------------------------------------------------------------------------------------


def list_start(cursor: str | None, start: PageStart) -> dict[str, Any] | None:
    """The key a page starts after, from a cursor this list gave out: in the caller's own partition (decode_cursor
    checks it) and in this list (``start.admits``), as the list's storage describes them (``arportal.wiring``)."""
    key = decode_cursor(cursor, expected=dict(start.partition))
    if key is not None and not start.admits(key):
        raise ApiError(
            HTTPStatus.BAD_REQUEST,
            "invalid_cursor",
            "the cursor is not one this list gave out; start again without it",
            [{"field": "query.cursor", "reason": "not a cursor from this list"}],
        )
    return key


def next_link(path: str, next_key: dict[str, object] | None, **query: str | int) -> str | None:
    cursor = encode_cursor(next_key)
    if cursor is None:
        return None
    extra = "".join(f"&{name}={value}" for name, value in query.items())
    return f"{path}?cursor={cursor}{extra}"
