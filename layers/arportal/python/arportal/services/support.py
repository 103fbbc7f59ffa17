"""Support requests from the portal: each becomes an ``Interaction`` (kind ``portal_request``) on the customer's
record, which staff see with the customer's other interactions in the console.

A request names at most one invoice and one payment, and only the customer's own (else 404, as if they did not
exist). The Idempotency-Key makes a double submit one request: the interaction is created in one transaction
with a guard item derived from the key, and a repeat with the same key and body returns the first one; the same
key with a different body is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from arportal.domain.errors import ConflictError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import Interaction, InteractionKind
from arportal.domain.portal_errors import CodedRuleError
from arportal.domain.rate_limits import SUPPORT_REQUESTS
from arportal.ports import RateCounter, SupportStore
from arportal.services import rate_limit


@dataclass(frozen=True)
class SupportRequest:
    customer_id: str
    subject: str
    message: str
    invoice_id: str | None = None
    payment_id: str | None = None

    def fingerprint(self) -> str:
        body = {"subject": self.subject, "message": self.message, "invoice": self.invoice_id, "pay": self.payment_id}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()

    def summary(self) -> str:
        return f"{self.subject}\n\n{self.message}"


@dataclass(frozen=True)
class Submitted:
    interaction: Interaction
    replayed: bool


def submit(
    store: SupportStore, counter: RateCounter, request: SupportRequest, *, idempotency_key: str, now: datetime
) -> Submitted:
    earlier = _replay(store, request, idempotency_key)
    if earlier is not None:
        return earlier
    owns_invoice, owns_payment = store.owns(
        request.customer_id, invoice_id=request.invoice_id, payment_id=request.payment_id
    )
    if not owns_invoice:
        raise NotFoundError("no such invoice", details=[{"field": "invoice_id", "reason": "not found"}])
    if not owns_payment:
        raise NotFoundError("no such payment", details=[{"field": "payment_id", "reason": "not found"}])
    rate_limit.spend(
        counter,
        SUPPORT_REQUESTS,
        request.customer_id,
        now=now,
        message="you have sent many requests in the last hour; we will answer those first",
    )
    interaction = Interaction(
        interaction_id=new_id("int"),
        customer_id=request.customer_id,
        kind=InteractionKind.PORTAL_REQUEST,
        summary=request.summary(),
        at=now,
        invoice_id=request.invoice_id,
        payment_id=request.payment_id,
    )
    try:
        store.record(interaction, idempotency_key=idempotency_key, fingerprint=request.fingerprint())
    except ConflictError:  # the same key won a race a moment ago: answer with what it created
        earlier = _replay(store, request, idempotency_key)
        if earlier is None:
            raise
        return earlier
    return Submitted(interaction, replayed=False)


def _replay(store: SupportStore, request: SupportRequest, idempotency_key: str) -> Submitted | None:
    found = store.recorded(request.customer_id, idempotency_key)
    if found is None:
        return None
    fingerprint, interaction = found
    if fingerprint != request.fingerprint():
        raise CodedRuleError(
            "idempotency_key_reused",
            "this Idempotency-Key was already used for a different request",
            details=[{"field": "header.Idempotency-Key", "reason": "used for a different request"}],
        )
    return Submitted(interaction, replayed=True)
