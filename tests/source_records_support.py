"""Source records as a connected system sends them (JSON), for the batch-upsert tests: each builder takes only what
a test cares about, and fresh ids unless told otherwise."""

from __future__ import annotations

import base64
import secrets
from datetime import date, timedelta
from typing import Any

from tests.clock import SESSION_NOW

TODAY = SESSION_NOW.date()
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def customer_id() -> str:
    return "CUS-" + "".join(secrets.choice(_CROCKFORD) for _ in range(10))


def account_number(prefix: str = "UT") -> str:
    return f"{prefix}-{secrets.randbelow(10**10):010d}"


def number(prefix: str = "UT") -> str:
    return f"{prefix}-{secrets.token_hex(6).upper()}"


def customer(cid: str | None = None, *, version: int = 1, **fields: Any) -> dict[str, Any]:
    return {"customer_id": cid or customer_id(), "name": "Ada Lovelace", "source_version": version, **fields}


def account(cid: str, acct: str | None = None, *, version: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "account_number": acct or account_number(),
        "customer_id": cid,
        "department": "utilities",
        "description": "Water and sewer service",
        "opened_on": "2020-01-01",
        "source_version": version,
        **fields,
    }


def lines(*amounts: int) -> list[dict[str, Any]]:
    return [
        {"description": f"Charge {i}", "fee_code": "WATER_USAGE", "unit_amount": amount, "amount": amount}
        for i, amount in enumerate(amounts, start=1)
    ]


def invoice(
    cid: str,
    acct: str,
    invoice_number: str | None = None,
    *,
    amounts: tuple[int, ...] = (5_000,),
    version: int = 1,
    issue: date | None = None,
    **fields: Any,
) -> dict[str, Any]:
    issued = issue or TODAY
    return {
        "invoice_number": invoice_number or number(),
        "customer_id": cid,
        "account_number": acct,
        "department": "utilities",
        "issue_date": issued.isoformat(),
        "due_date": (issued + timedelta(days=21)).isoformat(),
        "currency": "USD",
        "lines": lines(*amounts),
        "amount": sum(amounts),
        "period_start": (issued - timedelta(days=61)).isoformat(),
        "period_end": (issued - timedelta(days=3)).isoformat(),
        "source_version": version,
        **fields,
    }


def credit_note(
    cid: str, acct: str, note_number: str | None = None, *, amount: int = 1_000, version: int = 1
) -> dict[str, Any]:
    return {
        "number": note_number or number("CN"),
        "customer_id": cid,
        "account_number": acct,
        "department": "utilities",
        "currency": "USD",
        "amount": amount,
        "reason": "Leak adjustment",
        "issued_on": TODAY.isoformat(),
        "source_version": version,
    }


def sales_order(cid: str, acct: str, order_number: str | None = None, *, version: int = 1) -> dict[str, Any]:
    return {
        "number": order_number or number("SO"),
        "customer_id": cid,
        "account_number": acct,
        "department": "utilities",
        "order_date": TODAY.isoformat(),
        "currency": "USD",
        "lines": lines(2_500, 1_500),
        "total": 4_000,
        "source_version": version,
    }


PDF = b"%PDF-1.4\n% a property tax annual statement\n"


def document(
    cid: str, document_id: str | None = None, *, body: bytes = PDF, version: int = 1, **fields: Any
) -> dict[str, Any]:
    return {
        "document_id": document_id or f"TAX-{secrets.token_hex(5)}",
        "customer_id": cid,
        "kind": "tax_form",
        "title": f"{TODAY.year - 1} property tax annual statement",
        "filename": "annual-statement.pdf",
        "content_type": "application/pdf",
        "content": base64.b64encode(body).decode(),
        "document_date": TODAY.isoformat(),
        "reference": str(TODAY.year - 1),
        "source_version": version,
        **fields,
    }
