"""Replaying webhooks to one endpoint: one event again, or every event of a time range that it takes.

A replay makes the delivery due now (the sweep sends it: within a minute in AWS, a second locally), as a new round
of the same delivery when there is one (same ``webhook-id`` and body, a whole retry schedule ahead), or as a new
delivery of an event the endpoint never had (it subscribed later, or its delivery expired from the log). A
switched-off endpoint's replays are held, like everything else it is sent.

Events come from the integration event feed (the outbox's, kept 400 days; ``services/event_feed.py``); the events
the state machines put on the bus themselves (``approval.*``, ``payment.charged``, ``settlement.completed``) are not
in it: their deliveries are replayed one by one, or from the bus's archive, whose replays the dispatcher opens again
as new rounds. A range replay answers a dry-run count first, and a real one is recorded in the audit trail.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from arportal.domain.errors import BusinessRuleError, ConflictError, NotFoundError
from arportal.domain.event_feed import MAX_PAGE, FeedEvent, position_at
from arportal.domain.ids import id_millis
from arportal.domain.webhooks import (
    Delivery,
    DeliveryStatus,
    Endpoint,
    held,
    matches,
    replayed,
    validate_filters,
)
from arportal.ports import AuditLog, EventFeedStore
from arportal.ports.webhooks import WebhookStore
from arportal.services.webhook_delivery import body_of
from arportal.services.webhook_endpoints import audit_event

MAX_RANGE_EVENTS = 10_000  # a wider range is refused: replay it in parts
_WRITERS = 8
_BATCH = 100
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ReplayServices:
    store: WebhookStore
    feed: EventFeedStore
    audit: AuditLog


@dataclass(frozen=True)
class ReplayResult:
    count: int  # events in the range that the endpoint (and the filter) takes
    replayed: int  # deliveries made due (0 on a dry run)
    dry_run: bool


def replay_event(services: ReplayServices, endpoint_id: str, event_id: str, *, actor: str, now: datetime) -> Delivery:
    """``NotFoundError`` when the endpoint never had the event and the feed has no such event that it takes."""
    endpoint = services.store.endpoint(endpoint_id)
    existing = services.store.delivery(endpoint_id, event_id)
    event: FeedEvent | None = None
    if existing is None:
        event = _feed_event(services.feed, event_id)
        if event is None or not endpoint.takes(event.type):
            raise NotFoundError(f"endpoint {endpoint_id} has no event {event_id} to replay")
    services.audit.record(audit_event(endpoint, "event_replayed", actor, now, after={"event_id": event_id}))
    delivery = _replay(services.store, endpoint, existing, event, now)
    if delivery is None:
        raise ConflictError(f"the delivery of {event_id} changed meanwhile; replay it again")
    return delivery


def replay_range(
    services: ReplayServices,
    endpoint_id: str,
    *,
    since: datetime,
    until: datetime,
    event_types: list[str] | None,
    dry_run: bool,
    actor: str,
    now: datetime,
) -> ReplayResult:
    if since >= until:
        raise BusinessRuleError("since must be before until", details={"field": "since", "reason": "not_before_until"})
    filters = validate_filters(event_types) if event_types is not None else None
    endpoint = services.store.endpoint(endpoint_id)
    events = [
        e
        for e in _feed_range(services.feed, since, until)
        if endpoint.takes(e.type) and (filters is None or any(matches(e.type, f) for f in filters))
    ]
    if len(events) > MAX_RANGE_EVENTS:
        raise BusinessRuleError(
            f"more than {MAX_RANGE_EVENTS} events in this range: replay it in shorter ranges",
            details={"field": "until", "reason": "range_too_large"},
        )
    if dry_run:
        return ReplayResult(len(events), 0, True)
    services.audit.record(
        audit_event(
            endpoint,
            "range_replayed",
            actor,
            now,
            after={
                "since": since.isoformat(),
                "until": until.isoformat(),
                "event_types": list(filters) if filters else None,
                "count": len(events),
            },
        )
    )

    def replay_batch(batch: list[FeedEvent]) -> int:
        existing = services.store.deliveries(endpoint_id, [e.event_id for e in batch])
        return sum(_replay(services.store, endpoint, existing.get(e.event_id), e, now) is not None for e in batch)

    with ThreadPoolExecutor(max_workers=_WRITERS, thread_name_prefix="webhook-replay") as pool:
        batches = [events[start : start + _BATCH] for start in range(0, len(events), _BATCH)]
        replayed_count = sum(pool.map(replay_batch, batches))
    return ReplayResult(len(events), replayed_count, False)


def _replay(
    store: WebhookStore, endpoint: Endpoint, existing: Delivery | None, event: FeedEvent | None, now: datetime
) -> Delivery | None:
    """The delivery made due now (held for a switched-off endpoint); None if it changed under us."""
    if existing is not None:
        again = replayed(existing, now)
        again = again if endpoint.enabled else held(again, now)
        return again if store.put_delivery(existing, again) else None
    assert event is not None
    opened = Delivery(
        endpoint_id=endpoint.endpoint_id,
        event_id=event.event_id,
        event_type=event.type,
        body=body_of(event.type, event.occurred_at.isoformat(), event.detail),
        status=DeliveryStatus.PENDING if endpoint.enabled else DeliveryStatus.HELD,
        next_attempt_at=now if endpoint.enabled else None,
        created_at=now,
        updated_at=now,
    )
    if store.open_delivery(opened):
        return opened
    return store.delivery(endpoint.endpoint_id, event.event_id)  # opened meanwhile by the bus: on its way already


def _feed_range(feed: EventFeedStore, since: datetime, until: datetime) -> list[FeedEvent]:
    found: list[FeedEvent] = []
    after, before = position_at(since), position_at(until)
    while len(found) <= MAX_RANGE_EVENTS:
        page = feed.events(after=after, before=before, limit=MAX_PAGE)
        if not page:
            break
        found += page
        after = page[-1].event_id
    return found


def _feed_event(feed: EventFeedStore, event_id: str) -> FeedEvent | None:
    """The feed's event with this id: its id names its millisecond, so one page of that millisecond holds it."""
    millis = id_millis(event_id)
    if millis is None or not event_id.startswith("evt_"):
        return None
    made = _EPOCH + timedelta(milliseconds=millis)
    page = feed.events(after=position_at(made), before=position_at(made + timedelta(milliseconds=1)), limit=MAX_PAGE)
    return next((e for e in page if e.event_id == event_id), None)
