"""An administrator's (or a connected system's) work on webhook endpoints: register, change, switch on and off,
delete, rotate the signing secret. Every change is recorded in the audit trail on the endpoint's own chain
(``webhook_endpoint:<id>``) with who made it; a secret's value never is.

The secret lives in Secrets Manager and the endpoint in the webhooks table, with no transaction between them, so
each step is ordered to leave nothing half-made: a new endpoint's secret is deleted again if the endpoint or its
audit record cannot be written; a change whose record cannot be written is put back; a deletion or rotation is
recorded before it is made (should it then fail, the record stands for an attempt).

A URL is checked by the sender (``check_destination``: https only outside the local runtime, no private, loopback
or link-local address, at most ``MAX_URL_LENGTH``) when it is registered or changed, and again at every send.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.domain.webhooks import (
    ROTATION_OVERLAP,
    DisabledReason,
    Endpoint,
    InvalidEndpointError,
    released,
    validate_filters,
)
from arportal.ports import AuditLog
from arportal.ports.webhooks import WebhookSecrets, WebhookSender, WebhookStore

ENTITY = "webhook_endpoint"
MAX_DESCRIPTION = 500
MAX_RATE_LIMIT = 1000  # deliveries a second
MAX_OVERLAP = timedelta(days=30)
RELEASE_AT_ONCE = 200  # held deliveries released by the request that switches an endpoint on; the sweep does the rest


@dataclass(frozen=True)
class EndpointServices:
    store: WebhookStore
    secrets: WebhookSecrets
    sender: WebhookSender
    audit: AuditLog


@dataclass(frozen=True)
class EndpointChanges:
    """What to change; None leaves a field as it is. ``rate_limit=0`` removes the endpoint's rate limit."""

    url: str | None = None
    description: str | None = None
    event_types: list[str] | tuple[str, ...] | None = None
    enabled: bool | None = None
    rate_limit: int | None = None
    ed25519: bool | None = None


def create_endpoint(
    services: EndpointServices,
    url: str,
    event_types: list[str] | tuple[str, ...],
    *,
    description: str = "",
    rate_limit: int | None = None,
    ed25519: bool = False,
    actor: str,
    now: datetime,
) -> tuple[Endpoint, str]:
    """The new endpoint and its ``whsec_`` secret (answered this once, never again)."""
    services.sender.check_destination(url)
    endpoint = Endpoint(
        endpoint_id=new_id("whe"),
        url=url,
        event_types=validate_filters(event_types),
        description=_description(description),
        rate_limit=_rate_limit(rate_limit),
        ed25519=ed25519,
        created_at=now,
        updated_at=now,
    )
    if ed25519:
        services.secrets.ed25519_private_key()  # made now, so its public half is published before the first v1a
    secret = services.secrets.create(endpoint.endpoint_id)
    try:
        services.store.create_endpoint(endpoint)
        try:
            services.audit.record(audit_event(endpoint, "created", actor, now, after=public_view(endpoint)))
        except Exception:
            services.store.delete_endpoint(endpoint.endpoint_id)
            raise
    except Exception:
        services.secrets.delete(endpoint.endpoint_id)  # no secret without its endpoint
        raise
    return endpoint, secret


def list_endpoints(store: WebhookStore) -> list[Endpoint]:
    return sorted(store.endpoints(), key=lambda e: e.endpoint_id)


def update_endpoint(
    services: EndpointServices, endpoint_id: str, changes: EndpointChanges, *, actor: str, now: datetime
) -> Endpoint:
    """``ConflictError`` if the endpoint changed meanwhile. Switching it on releases what it held (due now)."""
    before = services.store.endpoint(endpoint_id)
    after = _changed(services, before, changes, now)
    if after == before:
        return before
    stored = services.store.update_endpoint(after)
    try:
        services.audit.record(
            audit_event(stored, "updated", actor, now, before=public_view(before), after=public_view(stored))
        )
    except Exception:
        services.store.update_endpoint(replace(before, version=stored.version))  # no change without its record
        raise
    if stored.enabled and not before.enabled:
        release_held(services.store, endpoint_id, now=now, limit=RELEASE_AT_ONCE)
    return stored


def delete_endpoint(services: EndpointServices, endpoint_id: str, *, actor: str, now: datetime) -> None:
    """The endpoint and its secret; its deliveries still due are closed by the next sweep."""
    endpoint = services.store.endpoint(endpoint_id)
    services.audit.record(audit_event(endpoint, "deleted", actor, now, before=public_view(endpoint)))
    services.store.delete_endpoint(endpoint_id)
    services.secrets.delete(endpoint_id)


def rotate_secret(
    services: EndpointServices,
    endpoint_id: str,
    *,
    overlap: timedelta = ROTATION_OVERLAP,
    actor: str,
    now: datetime,
) -> tuple[str, datetime]:
    """A new secret, and until when the old one signs every delivery too (``overlap`` from now)."""
    if not timedelta(0) <= overlap <= MAX_OVERLAP:
        raise InvalidEndpointError(
            f"the overlap must be from 0 to {MAX_OVERLAP.days} days",
            details={"field": "overlap", "reason": "out_of_range"},
        )
    endpoint = services.store.endpoint(endpoint_id)
    until = now + overlap
    services.audit.record(
        audit_event(endpoint, "secret_rotated", actor, now, after={"previous_valid_until": until.isoformat()})
    )
    return services.secrets.rotate(endpoint_id, overlap_until=until), until


def release_held(store: WebhookStore, endpoint_id: str, *, now: datetime, limit: int) -> int:
    """Make up to ``limit`` of the endpoint's held deliveries due now; how many were released."""
    count, cursor = 0, None
    while count < limit:
        page = store.held(endpoint_id, limit=min(100, limit - count), cursor=cursor)
        count += sum(store.put_delivery(d, released(d, now)) for d in page.deliveries)
        if page.cursor is None or not page.deliveries:
            break
        cursor = page.cursor
    return count


def public_view(endpoint: Endpoint) -> dict[str, Any]:
    """What the audit trail keeps of an endpoint (never a secret)."""
    return {
        "url": endpoint.url,
        "event_types": list(endpoint.event_types),
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason.value if endpoint.disabled_reason else None,
        "rate_limit": endpoint.rate_limit,
        "ed25519": endpoint.ed25519,
    }


def _changed(services: EndpointServices, before: Endpoint, changes: EndpointChanges, now: datetime) -> Endpoint:
    after = before
    if changes.url is not None and changes.url != before.url:
        services.sender.check_destination(changes.url)
        after = replace(after, url=changes.url)
    if changes.event_types is not None:
        after = replace(after, event_types=validate_filters(changes.event_types))
    if changes.description is not None:
        after = replace(after, description=_description(changes.description))
    if changes.rate_limit is not None:
        after = replace(after, rate_limit=_rate_limit(changes.rate_limit or None))
    if changes.ed25519 is not None:
        if changes.ed25519:
            services.secrets.ed25519_private_key()  # made now, so its public half is published before the first v1a
        after = replace(after, ed25519=changes.ed25519)
    if changes.enabled is True and not before.enabled:
        after = replace(after, enabled=True, disabled_reason=None, failing_since=None)
    elif changes.enabled is False and before.enabled:
        after = replace(after, enabled=False, disabled_reason=DisabledReason.BY_ADMIN)
    return after if after == before else replace(after, updated_at=now)


def _description(text: str) -> str:
    if len(text) > MAX_DESCRIPTION:
        raise InvalidEndpointError(
            f"the description is longer than {MAX_DESCRIPTION} characters",
            details={"field": "description", "reason": "too_long"},
        )
    return text


def _rate_limit(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_RATE_LIMIT:
        raise InvalidEndpointError(
            f"the rate limit is deliveries a second, from 1 to {MAX_RATE_LIMIT}",
            details={"field": "rate_limit", "reason": "out_of_range"},
        )
    return value


def audit_event(
    endpoint: Endpoint,
    action: str,
    actor: str,
    now: datetime,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent(
        event_id=new_id("aud"),
        entity_type=ENTITY,
        entity_id=endpoint.endpoint_id,
        action=f"{ENTITY}.{action}",
        actor=actor,
        at=now,
        before=before,
        after=after,
    )
