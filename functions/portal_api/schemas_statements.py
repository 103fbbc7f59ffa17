"""Response models of the portal's statements and documents, and the statement's CSV columns.

The JSON statement can carry 10,000+ lines, so it is written line by line (``statement_json``) rather than
through a model of every line: the models here describe it in the OpenAPI document and shape its header.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from pydantic import Field

from arportal.api.csv_export import Column, money_cell
from arportal.api.record_schemas import DocumentOut
from arportal.api.schemas import MoneyOut, Out
from arportal.domain.statement import Statement, StatementLine
from arportal.services.documents import DocumentLink


class StatementLineOut(Out):
    date: dt.date
    kind: str
    reference: str
    description: str
    account_number: str | None
    due_date: dt.date | None
    pending: bool
    amount: MoneyOut  # signed: what the line did to the balance
    balance: MoneyOut  # after the line


class TotalsOut(Out):
    invoiced: MoneyOut
    paid: MoneyOut
    credited: MoneyOut
    refunded: MoneyOut
    reversed: MoneyOut
    adjusted: MoneyOut
    applied_credit: MoneyOut = Field(description="Held credit applied to invoices: shown, not part of the net")


class AgingOut(Out):
    as_of: dt.date
    current: MoneyOut
    days_1_30: MoneyOut
    days_31_60: MoneyOut
    days_61_90: MoneyOut
    days_over_90: MoneyOut
    total_due: MoneyOut
    credit: MoneyOut


class StatementOut(Out):
    customer_id: str
    account_number: str | None
    currency: str
    from_date: dt.date
    to_date: dt.date
    opening_balance: MoneyOut
    closing_balance: MoneyOut
    totals: TotalsOut
    aging: AgingOut
    line_count: int
    lines: list[StatementLineOut]


class StatementFileOut(Out):
    url: str
    expires_at: dt.datetime
    document_id: str

    @classmethod
    def of(cls, link: DocumentLink) -> StatementFileOut:
        return cls(url=link.url, expires_at=link.expires_at, document_id=link.document.document_id)


class DocumentListOut(Out):
    documents: list[DocumentOut]
    next_cursor: str | None


class DownloadOut(Out):
    url: str
    expires_at: dt.datetime
    filename: str
    content_type: str

    @classmethod
    def of(cls, link: DocumentLink) -> DownloadOut:
        d = link.document
        return cls(url=link.url, expires_at=link.expires_at, filename=d.filename, content_type=d.content_type)


def _money(minor: int, currency: str) -> dict[str, object]:
    return {"amount": minor, "currency": currency}


def _line(line: StatementLine, currency: str) -> dict[str, object]:
    e = line.entry
    return {
        "date": e.on.isoformat(),
        "kind": e.kind.value,
        "reference": e.reference,
        "description": e.description,
        "account_number": e.account_number,
        "due_date": e.due_date.isoformat() if e.due_date else None,
        "pending": e.pending,
        "amount": _money(e.effect, currency),
        "balance": _money(line.balance, currency),
    }


def statement_json(s: Statement) -> str:
    """The statement as ``StatementOut`` JSON, its lines serialised one at a time."""
    cur, t, a = s.currency, s.totals, s.aging
    head = {
        "customer_id": s.customer_id,
        "account_number": s.account_number,
        "currency": cur,
        "from_date": s.start.isoformat(),
        "to_date": s.end.isoformat(),
        "opening_balance": _money(s.opening, cur),
        "closing_balance": _money(s.closing, cur),
        "totals": {
            name: _money(getattr(t, name), cur)
            for name in ("invoiced", "paid", "credited", "refunded", "reversed", "adjusted", "applied_credit")
        },
        "aging": {
            "as_of": a.as_of.isoformat(),
            **{
                name: _money(getattr(a, name), cur)
                for name in ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "total_due", "credit")
            },
        },
        "line_count": s.line_count,
    }
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    parts = [dumps(head)[:-1], ',"lines":[', ",".join(dumps(_line(line, cur)) for line in s.lines()), "]}"]
    return "".join(parts)


# --- CSV: one row per line, between an opening and a closing row --------------------------------------------


def csv_rows(s: Statement) -> Iterator[dict[str, object]]:
    yield {"date": s.start, "type": "opening_balance", "description": "Opening balance", "balance": s.opening}
    for line in s.lines():
        e = line.entry
        yield {
            "date": e.on,
            "type": e.kind.value,
            "reference": e.reference,
            "description": e.description,
            "account": e.account_number,
            "due_date": e.due_date,
            "status": "pending" if e.pending else "",
            "amount": e.effect,
            "balance": line.balance,
        }
    yield {"date": s.end, "type": "closing_balance", "description": "Closing balance", "balance": s.closing}


def csv_columns(currency: str) -> list[Column]:
    def money(field: str) -> Column:
        return Column(field, lambda r: money_cell(r[field], currency) if r.get(field) is not None else "")

    return [
        Column("date", lambda r: r["date"].isoformat()),
        Column("type", lambda r: r["type"]),
        Column("reference", lambda r: r.get("reference", "")),
        Column("description", lambda r: r.get("description", "")),
        Column("account", lambda r: r.get("account") or ""),
        Column("due_date", lambda r: r["due_date"].isoformat() if r.get("due_date") else ""),
        Column("status", lambda r: r.get("status", "")),
        money("amount"),
        money("balance"),
        Column("currency", lambda _: currency),
    ]
