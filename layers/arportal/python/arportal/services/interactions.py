"""Interactions on a customer's record: calls, counter visits, emails, portal requests and notes.

Logging one is idempotent per staff member and Idempotency-Key: the interaction, the key's claim and the audit
record are one transaction, so a double submit writes once and the second submit gets the first's answer; the
same key with a different request is refused rather than answered with the other request's interaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from arportal.domain.errors import BusinessRuleError, ConflictError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent, Interaction, InteractionKind
from arportal.ports import InteractionStore, Page, StaffCustomerQueries


class IdempotencyKeyReusedError(BusinessRuleError):
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class NewInteraction:
    customer_id: str
    kind: InteractionKind
    summary: str
    actor: str  # the staff member, as audit records name them
    idempotency_key: str
    payment_id: str | None = None
    invoice_id: str | None = None
    request_id: str | None = None

    def fingerprint(self) -> str:
        """What the key promises: the same customer and content (whitespace at the ends aside)."""
        content = [self.customer_id, self.kind.value, self.summary.strip(), self.payment_id, self.invoice_id]
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()


@dataclass(frozen=True)
class Logged:
    interaction: Interaction
    replayed: bool


def log_interaction(store: InteractionStore, command: NewInteraction, *, now: datetime) -> Logged:
    earlier = _earlier(store, command)
    if earlier is not None:
        return earlier
    exists, invoice_ok, payment_ok = store.references(
        command.customer_id, invoice_id=command.invoice_id, payment_id=command.payment_id
    )
    if not exists:
        raise NotFoundError(f"no customer {command.customer_id}")
    wrong = [
        {"field": name, "reason": f"not {label} of customer {command.customer_id}"}
        for name, label, ok in (("invoice_id", "an invoice", invoice_ok), ("payment_id", "a payment", payment_ok))
        if not ok
    ]
    if wrong:
        raise BusinessRuleError("the interaction names a record of another customer, or none", details=wrong)
    interaction = Interaction(
        interaction_id=new_id("int"),
        customer_id=command.customer_id,
        kind=command.kind,
        summary=command.summary,
        at=now,
        staff_id=command.actor,
        payment_id=command.payment_id,
        invoice_id=command.invoice_id,
    )
    audit = AuditEvent(
        event_id=new_id("aud"),
        entity_type="interaction",
        entity_id=interaction.interaction_id,
        action="interaction.logged",
        actor=command.actor,
        at=now,
        after=interaction.model_dump(mode="json", exclude_none=True),
        request_id=command.request_id,
    )
    try:
        store.record(
            interaction,
            actor=command.actor,
            idempotency_key=command.idempotency_key,
            fingerprint=command.fingerprint(),
            audit=audit,
        )
    except ConflictError:
        # The same key won a race a moment ago: answer with what it wrote.
        earlier = _earlier(store, command)
        if earlier is None:
            raise
        return earlier
    return Logged(interaction, replayed=False)


def _earlier(store: InteractionStore, command: NewInteraction) -> Logged | None:
    found = store.recorded(command.customer_id, actor=command.actor, idempotency_key=command.idempotency_key)
    if found is None:
        return None
    fingerprint, interaction = found
    if fingerprint != command.fingerprint():
        raise IdempotencyKeyReusedError(
            "this Idempotency-Key was used for a different interaction; send a new key for a new one",
            details=[{"field": "header.Idempotency-Key", "reason": "already used with another request"}],
        )
    return Logged(interaction, replayed=True)


def interactions(
    queries: StaffCustomerQueries, customer_id: str, *, limit: int, start: dict[str, object] | None
) -> Page[Interaction]:
    """Newest first. An empty first page checks the customer exists, so an unknown id is a 404, not a blank."""
    page = queries.interactions(customer_id, limit=limit, start=start)
    if not page.items and start is None and queries.header(customer_id) is None:
        raise NotFoundError(f"no customer {customer_id}")
    return page
