"""The webhooks table: endpoints, their deliveries and the attempt log, as items.

A table of its own, not items in the ledger: delivery logs are high-volume (every event times every endpoint, and
every retry) and short-lived (``ATTEMPT_LOG_DAYS``, by TTL), and the ledger's stream feeds the outbox pipe, which
would have to read, filter and drop every one of these writes.

    PK                    SK                                         what
    ENDPOINTS             EP#<endpoint_id>                           an endpoint (one partition: an agency has a
                                                                     handful, so listing them is one Query)
    DLV#<endpoint_id>     <event_id>                                 a delivery: one event for one endpoint, opened
                                                                     once (attribute_not_exists), moved only from
                                                                     the state it was read in
    LOG#<endpoint_id>     <at>#<event_id>#<round>#<attempt>          one attempt, newest first by a reverse Query;
                                                                     gone ATTEMPT_LOG_DAYS after it was made

    Due    DPK = DUE                 DSK = <next attempt>#<endpoint_id>#<event_id>   pending deliveries only (sparse):
                                                                                    the sweep's Query of what is due
    Held   HPK = HELD#<endpoint_id>  HSK = <event_id>                                held deliveries only (sparse):
                                                                                    released when the endpoint is
                                                                                    switched on again

A delivered or failed delivery expires ``ATTEMPT_LOG_DAYS`` after its last change (the event feed can replay it
later); a pending or held one never does. Times in keys are fixed-width UTC (``instant_key``), so they sort as
they happen.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from arportal.domain.webhooks import (
    ATTEMPT_LOG_DAYS,
    Attempt,
    Delivery,
    DeliveryStatus,
    DisabledReason,
    Endpoint,
)

ENDPOINTS = "ENDPOINTS"
DUE = "DUE"
EXPIRES_AFTER = timedelta(days=ATTEMPT_LOG_DAYS)
SPARSE_ATTRIBUTES = ("DPK", "DSK", "HPK", "HSK")


def instant_key(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def endpoint_key(endpoint_id: str) -> dict[str, str]:
    return {"PK": ENDPOINTS, "SK": f"EP#{endpoint_id}"}


def delivery_pk(endpoint_id: str) -> str:
    return f"DLV#{endpoint_id}"


def delivery_key(endpoint_id: str, event_id: str) -> dict[str, str]:
    return {"PK": delivery_pk(endpoint_id), "SK": event_id}


def log_pk(endpoint_id: str) -> str:
    return f"LOG#{endpoint_id}"


def held_pk(endpoint_id: str) -> str:
    return f"HELD#{endpoint_id}"


def due_before(now: datetime) -> str:
    """Above the sort key of every delivery due at or before ``now`` ('$' follows the '#' after the time)."""
    return instant_key(now) + "$"


def endpoint_item(endpoint: Endpoint) -> dict[str, Any]:
    item: dict[str, Any] = {
        **endpoint_key(endpoint.endpoint_id),
        "type": "webhook_endpoint",
        "endpoint_id": endpoint.endpoint_id,
        "url": endpoint.url,
        "event_types": list(endpoint.event_types),
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "ed25519": endpoint.ed25519,
        "version": endpoint.version,
    }
    optional = {
        "disabled_reason": endpoint.disabled_reason.value if endpoint.disabled_reason else None,
        "rate_limit": endpoint.rate_limit,
        "failing_since": _iso(endpoint.failing_since),
        "created_at": _iso(endpoint.created_at),
        "updated_at": _iso(endpoint.updated_at),
    }
    return item | {name: value for name, value in optional.items() if value is not None}


def endpoint_from_item(item: dict[str, Any]) -> Endpoint:
    reason = item.get("disabled_reason")
    rate = item.get("rate_limit")
    return Endpoint(
        endpoint_id=str(item["endpoint_id"]),
        url=str(item["url"]),
        event_types=tuple(str(t) for t in item["event_types"]),
        description=str(item.get("description", "")),
        enabled=bool(item["enabled"]),
        disabled_reason=DisabledReason(str(reason)) if reason else None,
        rate_limit=int(rate) if rate is not None else None,
        ed25519=bool(item.get("ed25519", False)),
        failing_since=_instant(item.get("failing_since")),
        created_at=_instant(item.get("created_at")),
        updated_at=_instant(item.get("updated_at")),
        version=int(item["version"]),
    )


def delivery_item(delivery: Delivery, *, now: datetime) -> dict[str, Any]:
    item: dict[str, Any] = {
        **delivery_key(delivery.endpoint_id, delivery.event_id),
        "type": "webhook_delivery",
        "endpoint_id": delivery.endpoint_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "body": delivery.body,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "round": delivery.round,
    }
    optional = {
        "next_attempt_at": _iso(delivery.next_attempt_at),
        "last_status_code": delivery.last_status_code,
        "created_at": _iso(delivery.created_at),
        "updated_at": _iso(delivery.updated_at),
    }
    item |= {name: value for name, value in optional.items() if value is not None}
    if delivery.status is DeliveryStatus.PENDING and delivery.next_attempt_at is not None:
        item |= {
            "DPK": DUE,
            "DSK": f"{instant_key(delivery.next_attempt_at)}#{delivery.endpoint_id}#{delivery.event_id}",
        }
    elif delivery.status is DeliveryStatus.HELD:
        item |= {"HPK": held_pk(delivery.endpoint_id), "HSK": delivery.event_id}
    elif delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
        item["expires_at"] = int((now + EXPIRES_AFTER).timestamp())
    return item


def delivery_from_item(item: dict[str, Any]) -> Delivery:
    code = item.get("last_status_code")
    return Delivery(
        endpoint_id=str(item["endpoint_id"]),
        event_id=str(item["event_id"]),
        event_type=str(item["event_type"]),
        body=str(item["body"]),
        status=DeliveryStatus(str(item["status"])),
        attempts=int(item["attempts"]),
        round=int(item["round"]),
        next_attempt_at=_instant(item.get("next_attempt_at")),
        last_status_code=int(code) if code is not None else None,
        created_at=_instant(item.get("created_at")),
        updated_at=_instant(item.get("updated_at")),
    )


def attempt_item(attempt: Attempt) -> dict[str, Any]:
    item: dict[str, Any] = {
        "PK": log_pk(attempt.endpoint_id),
        "SK": f"{instant_key(attempt.at)}#{attempt.event_id}#{attempt.round:03d}#{attempt.attempt:02d}",
        "type": "webhook_attempt",
        "endpoint_id": attempt.endpoint_id,
        "event_id": attempt.event_id,
        "round": attempt.round,
        "attempt": attempt.attempt,
        "at": attempt.at.isoformat(),
        "latency_ms": attempt.latency_ms,
        "delivered": attempt.delivered,
        "response_excerpt": attempt.response_excerpt,
        "expires_at": int((attempt.at + EXPIRES_AFTER).timestamp()),
    }
    optional = {
        "status_code": attempt.status_code,
        "error": attempt.error,
        "next_attempt_at": _iso(attempt.next_attempt_at),
    }
    return item | {name: value for name, value in optional.items() if value is not None}


def attempt_from_item(item: dict[str, Any]) -> Attempt:
    code = item.get("status_code")
    error = item.get("error")
    return Attempt(
        endpoint_id=str(item["endpoint_id"]),
        event_id=str(item["event_id"]),
        round=int(item["round"]),
        attempt=int(item["attempt"]),
        at=datetime.fromisoformat(str(item["at"])),
        status_code=int(code) if code is not None else None,
        latency_ms=int(item["latency_ms"]),
        delivered=bool(item["delivered"]),
        response_excerpt=str(item.get("response_excerpt", "")),
        error=str(error) if error is not None else None,
        next_attempt_at=_instant(item.get("next_attempt_at")),
    )


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None
