"""Items that remember requests, so that a retried or repeated request does its work once, or not at all.

    CUST#<id>                REQKEY#<scope>#<digest>    an Idempotency-Key claimed by a create (TTL: a day)
    SUPKEY#<id>#<digest>     SUPKEY                     a support request's Idempotency-Key guard
    RATE#<rule>#<subject>    <window start, epoch s>    a rate-limit counter (TTL: the window's end)

Idempotency keys are client-chosen text: they are stored hashed. Claims that must last for ever (interactions,
credit applications) use the same sort key without a TTL, through ``request_claim_sk``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from arportal.adapters.dynamodb import customer_items
from arportal.ports import RequestClaim

REQUEST_CLAIM_TTL_S = 86_400  # like a processor's idempotency keys: a key names one request for a day


def request_claim_sk(scope: str, idempotency_key: str) -> str:
    """``REQKEY#<scope>#<digest>``: an Idempotency-Key claimed by a create (hashed: keys are client-chosen text)."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"REQKEY#{scope}#{digest}"


def request_claim_item(claim: RequestClaim, *, at: datetime) -> dict[str, Any]:
    return {
        "PK": customer_items.customer_pk(claim.customer_id),
        "SK": request_claim_sk(claim.scope, claim.key),
        "type": "request_claim",
        "scope": claim.scope,
        "fingerprint": claim.fingerprint,
        "target_id": claim.target_id,
        "claimed_at": at.isoformat(),
        "expires_at": int(at.timestamp()) + REQUEST_CLAIM_TTL_S,
    }


def support_guard_key(customer_id: str, idempotency_key: str) -> dict[str, str]:
    """Keyed by a digest of the Idempotency-Key: the key is client-chosen text."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return {"PK": f"SUPKEY#{customer_id}#{digest}", "SK": "SUPKEY"}


def rate_counter_key(rule: str, subject: str, window_start: int) -> dict[str, str]:
    return {"PK": f"RATE#{rule}#{subject}", "SK": str(window_start)}
