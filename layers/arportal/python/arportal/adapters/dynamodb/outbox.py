"""Outbox and audit items: written in the same transaction as the change they describe.

The outbox item is relayed to EventBridge by the table's stream (an EventBridge Pipe in AWS, the local
runtime's relay locally), so an event is published if and only if its change committed. It stays for the event
feed's retention (``domain/event_feed.RETENTION``, 400 days), findable in order through its index entries
(``event_feed_items``); the table's TTL then deletes it, which the relay does not publish (new items only).

    OUTBOX#<event_id>   OUTBOX   an event: relayed once (stream -> EventBridge), then read back by the feed

Each event names what it is about (``entity: {type, id, sequence}``, ``domain/event_entities``) in its detail.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from arportal.adapters.dynamodb.event_feed_items import feed_index_attributes
from arportal.domain.event_entities import EventEntity
from arportal.domain.event_feed import RETENTION
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent

EVENT_SOURCE = "arportal"
OUTBOX_RETENTION_S = int(RETENTION.total_seconds())
OUTBOX = "OUTBOX"


def outbox_key(event_id: str) -> dict[str, str]:
    return {"PK": f"OUTBOX#{event_id}", "SK": OUTBOX}


def outbox_item(
    detail_type: str, detail: dict[str, Any], *, at: datetime, entity: EventEntity, event_id: str | None = None
) -> dict[str, Any]:
    eid = event_id or new_id("evt")
    return {
        **outbox_key(eid),
        "type": "outbox",
        "event_id": eid,
        "source": EVENT_SOURCE,
        "detail_type": detail_type,
        "detail": json.dumps(
            {**detail, "event_id": eid, "occurred_at": at.isoformat(), "entity": entity.as_detail()}, default=str
        ),
        "expires_at": int(at.timestamp()) + OUTBOX_RETENTION_S,
        **feed_index_attributes(eid, entity),
    }


def audit_item(event: AuditEvent) -> dict[str, Any]:
    """Audit records are keyed by entity, ordered by time, and findable by actor (``ByActor`` index)."""
    return {
        "PK": f"{event.entity_type.upper()}#{event.entity_id}",
        "SK": f"{event.at.isoformat()}#{event.event_id}",
        "ACTOR": event.actor,
        **event.model_dump(mode="json", exclude_none=True),
    }
