"""The daily close as frozen: plain JSON values (amounts in minor units), and the canonical bytes whose SHA-256
enters the audit chain and is stored with the close (``services/daily_close.py``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from arportal.domain.daily_close import CurrencyClose, DayClose
from arportal.domain.daily_close_gl import MONEY_BACK_KINDS


def close_document(close: DayClose, *, closed_at: datetime, closed_by: str) -> dict[str, Any]:
    """The close as frozen: plain JSON values, amounts in minor units."""
    return {
        "business_date": close.business_date.isoformat(),
        "department": close.department,
        "scope": close.scope,
        "covered_from": close.covered_from.isoformat(),
        "covered_to": close.covered_to.isoformat(),
        "currencies": [_currency_json(c) for c in close.currencies],
        "variances": [
            {
                "reason": v.reason,
                "currency": v.currency,
                "department": v.department,
                "amount": v.amount,
                "words": v.words,
                "refs": list(v.refs),
            }
            for v in close.variances
        ],
        "journal_batches": [{"batch_id": b, "json_sha256": h} for b, h in close.journal_batches],
        "closed_at": closed_at.isoformat(),
        "closed_by": closed_by,
    }


def canonical(document: Mapping[str, Any]) -> bytes:
    """Keys sorted, no spaces, UTF-8: the bytes whose hash enters the audit chain."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def document_hash(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def _currency_json(c: CurrencyClose) -> dict[str, Any]:
    return {
        "currency": c.currency,
        "collected": {"subledger": c.collected_subledger, "gl": c.collected_gl},
        "by_department": [{"department": d, "subledger": s, "gl": g} for d, s, g in c.by_department],
        "convenience_fees": None if c.fees_subledger is None else {"subledger": c.fees_subledger, "gl": c.fees_gl},
        "money_back": {k: c.money_back_gl.get(k, 0) for k in MONEY_BACK_KINDS},
        "given_back_of_collections": c.given_back_subledger,
        "processor_fees": c.processor_fees_gl,
        "gl": {"records": c.gl_records, "debits": c.gl_debits, "credits": c.gl_credits, "clearing": c.clearing_gl},
        "deposits": None
        if c.deposits_expected is None
        else {
            "expected": c.deposits_expected,
            "confirmed": c.deposits_confirmed,
            "unconfirmed": c.deposits_expected - (c.deposits_confirmed or 0),
            "by_processor": dict(c.deposits_by_processor or {}),
            "drawers_over_short": c.drawers_over_short or 0,
        },
    }
