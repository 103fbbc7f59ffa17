"""Applications of held credit (credit notes) to a customer's open invoices: what each did, and its guard.

CUST#<id>  CAPP#<application_id>      what one application of credit did (its parts, for replays)
           REQKEY#credit#<digest>     an Idempotency-Key applies credit once, ever (no TTL)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arportal.adapters.dynamodb import customer_items, request_items, table_layout

CREDIT_APPLICATION_PREFIX = "CAPP#"


def credit_application_sk(application_id: str) -> str:
    """``CUST#<id>`` / ``CAPP#<application_id>``: what one application of credit did (its parts, for replays)."""
    return f"{CREDIT_APPLICATION_PREFIX}{application_id}"


def credit_application_guard_key(customer_id: str, scope: str, idempotency_key: str) -> dict[str, str]:
    """``CUST#<id>`` / ``REQKEY#credit#<digest>``: an Idempotency-Key applies credit once, ever (no TTL)."""
    return {
        "PK": customer_items.customer_pk(customer_id),
        "SK": request_items.request_claim_sk("credit", f"{scope}\n{idempotency_key}"),
    }


def credit_application_item(record: Any) -> dict[str, Any]:
    """A ``ports.CreditApplicationRecord`` as its ``CAPP#`` item (parts and invoices as plain maps)."""
    return {
        "PK": customer_items.customer_pk(record.customer_id),
        "SK": credit_application_sk(record.application_id),
        "type": "credit_application",
        "application_id": record.application_id,
        "customer_id": record.customer_id,
        "currency": record.currency,
        "applied": record.applied,
        "credit_left": record.credit_left,
        "parts": [dict(p) for p in record.parts],
        "invoices": [dict(i) for i in record.invoices],
        "actor": record.actor,
        "at": record.at.isoformat(),
        "fingerprint": record.fingerprint,
    }


def credit_application_fields(item: dict[str, Any]) -> dict[str, Any]:
    """The ``CAPP#`` item's fields as ``ports.CreditApplicationRecord`` takes them."""
    body = table_layout.plain(item)
    return {
        "application_id": str(body["application_id"]),
        "customer_id": str(body["customer_id"]),
        "currency": str(body["currency"]),
        "applied": int(body["applied"]),
        "credit_left": int(body["credit_left"]),
        "parts": tuple(body.get("parts", [])),
        "invoices": tuple(body.get("invoices", [])),
        "actor": str(body["actor"]),
        "at": datetime.fromisoformat(str(body["at"])),
        "fingerprint": str(body["fingerprint"]),
    }
