"""Outbox and audit items: written in the same transaction as the change they describe.

The outbox item is relayed to EventBridge by the table's stream (an EventBridge Pipe in AWS, the local
runtime's relay locally), so an event is published if and only if its change committed. It expires a day later.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from arportal.adapters.dynamodb import keys
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent

EVENT_SOURCE = "arportal"
OUTBOX_RETENTION_S = 86_400


def outbox_item(
    detail_type: str, detail: dict[str, Any], *, at: datetime, event_id: str | None = None
) -> dict[str, Any]:
    eid = event_id or new_id("evt")
    return {
        **keys.outbox_key(eid),
        "type": "outbox",
        "event_id": eid,
        "source": EVENT_SOURCE,
        "detail_type": detail_type,
        "detail": json.dumps({**detail, "event_id": eid, "occurred_at": at.isoformat()}, default=str),
        "expires_at": int(at.timestamp()) + OUTBOX_RETENTION_S,
    }


def audit_item(event: AuditEvent) -> dict[str, Any]:
    """Audit records are keyed by entity, ordered by time, and findable by actor (``ByActor`` index)."""
    return {
        "PK": f"{event.entity_type.upper()}#{event.entity_id}",
        "SK": f"{event.at.isoformat()}#{event.event_id}",
        "ACTOR": event.actor,
        **event.model_dump(mode="json", exclude_none=True),
    }
