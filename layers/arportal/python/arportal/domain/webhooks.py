"""Webhook endpoints and deliveries: which events an endpoint takes, when a failed delivery is tried again, and when
an endpoint is switched off.

An endpoint is an agency system's URL with the event types it subscribes to (``payment.*`` style wildcards). Every
matching event becomes one ``Delivery`` per endpoint, keyed by the event id (which is also the ``webhook-id`` the
receiver sees, stable across retries and replays). A delivery is tried on the schedule of ``RETRY_DELAYS`` (Svix's,
which Standard Webhooks cites): at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later, about 28 hours in
all; after the last it is ``failed`` and can be replayed. A 410 switches the endpoint off at once; an endpoint that
has failed without a single success for ``DISABLE_AFTER`` (5 days) is switched off too. A switched-off endpoint's
deliveries are ``held``, never dropped, and go out again once it is switched back on.

Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from arportal.domain.errors import BusinessRuleError

# The delay before each attempt: attempt 1 at once, attempt 8 ten hours after attempt 7.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS)
DISABLE_AFTER = timedelta(days=5)
ROTATION_OVERLAP = timedelta(hours=24)  # both secrets sign every delivery for this long after a rotation
ATTEMPT_TIMEOUT_S = 10
RESPONSE_EXCERPT_BYTES = 4096
MAX_URL_LENGTH = 2048
ATTEMPT_LOG_DAYS = 30  # an attempt's record is kept this long (TTL)
# What an administrator's "send a test" delivers: never on the bus, sent to one endpoint whatever its filters say.
TEST_EVENT_TYPE = "webhook.test"

# Every event type published on the bus (docs/events.md). A filter naming anything else is refused.
EVENT_TYPES: frozenset[str] = frozenset(
    {
        "payment.posted",
        "payment.pending",
        "payment.failed",
        "payment.reconciled",
        "payment.charged",
        "payment.unposted",  # payment_retry: charged but not posted (a person must look); "payment.*" takes it too
        "payment.refunded",
        "payment.partially_refunded",
        "payment.voided",
        "payment.reversed",
        "payment.settled",
        "payment_intent.closed",
        "invoice.adjustment",
        "invoice.write_off",
        "invoice.loaded",
        "customer.loaded",
        "account.loaded",
        "credit_note.loaded",
        "sales_order.loaded",
        "document.loaded",
        "import.completed",
        "import.failed",
        "approval.approved",
        "approval.rejected",
        "approval.expired",
        "approval.failed",
        "credit.applied",
        "support_request.created",
        "settlement.completed",
    }
)


class InvalidEndpointError(BusinessRuleError):
    """An endpoint's URL or filters cannot be used (422, ``details: {field, reason}``)."""

    code = "invalid_endpoint"


_FILTER = re.compile(r"^(\*|[a-z_]+\.\*|[a-z_]+\.[a-z_]+)$")


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # to be tried (now, or at next_attempt_at)
    DELIVERED = "delivered"  # a 2xx came back
    FAILED = "failed"  # every attempt of the schedule failed; a replay tries it again
    HELD = "held"  # its endpoint is switched off: kept, and sent once the endpoint is switched on again


class DisabledReason(StrEnum):
    BY_ADMIN = "by_admin"
    GONE = "gone"  # the endpoint answered 410
    FAILING = "failing"  # DISABLE_AFTER of failures without a success


@dataclass(frozen=True)
class Endpoint:
    endpoint_id: str  # whe_<ulid>
    url: str
    event_types: tuple[str, ...]  # filters: exact types, "payment.*" or "*"
    description: str = ""
    enabled: bool = True
    disabled_reason: DisabledReason | None = None
    rate_limit: int | None = None  # deliveries a second at most; None: the dispatcher's default concurrency
    ed25519: bool = False  # also sign v1a (the agency's Ed25519 key, public at GET /v1/webhooks/signing-keys)
    failing_since: datetime | None = None  # the first failure since the last success
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1

    def takes(self, event_type: str) -> bool:
        return event_type == TEST_EVENT_TYPE or any(matches(event_type, f) for f in self.event_types)


@dataclass(frozen=True)
class Delivery:
    """One event for one endpoint. ``body`` is fixed when it is opened, so every attempt sends the same bytes."""

    endpoint_id: str
    event_id: str  # the webhook-id
    event_type: str
    body: str  # {"type", "timestamp", "data"} as JSON
    status: DeliveryStatus
    attempts: int = 0  # attempts in this round
    round: int = 1  # 1, then one more for every replay
    next_attempt_at: datetime | None = None
    last_status_code: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Attempt:
    """The record of one try: what was sent where, and what came back (trimmed; never a secret)."""

    endpoint_id: str
    event_id: str
    round: int
    attempt: int
    at: datetime
    status_code: int | None  # None: no answer (timeout, refused, address not allowed)
    latency_ms: int
    delivered: bool
    response_excerpt: str = ""  # at most RESPONSE_EXCERPT_BYTES of the answer's body
    error: str | None = None  # timeout, connection, redirect, address_not_allowed, ...
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    latency_ms: int
    response_excerpt: str = ""
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


def matches(event_type: str, event_filter: str) -> bool:
    if event_filter == "*":
        return True
    if event_filter.endswith(".*"):
        return event_type.startswith(event_filter[:-1])
    return event_type == event_filter


def validate_filters(filters: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The filters as given, or ``InvalidEndpointError`` naming each one that can match no published event type."""
    if not filters:
        raise InvalidEndpointError(
            "name at least one event type (or * for every one)", details={"field": "event_types", "reason": "empty"}
        )
    bad = [f for f in filters if not _FILTER.match(f) or not any(matches(t, f) for t in EVENT_TYPES)]
    if bad:
        raise InvalidEndpointError(
            f"unknown event types: {', '.join(bad)} (see docs/events.md)",
            details={"field": "event_types", "reason": "unknown_event_type", "unknown": bad},
        )
    return tuple(dict.fromkeys(filters))


def next_attempt_at(attempts_made: int, now: datetime, *, scale: float = 1.0) -> datetime | None:
    """When to try again after ``attempts_made`` attempts failed; None when the schedule is spent.

    ``scale`` compresses the schedule (the local runtime uses a small one so a person sees retries in seconds).
    """
    if attempts_made >= MAX_ATTEMPTS:
        return None
    return now + RETRY_DELAYS[attempts_made] * scale


def after_attempt(endpoint: Endpoint, result: SendResult, now: datetime) -> Endpoint:
    """The endpoint after one of its deliveries was tried: a success clears its failing streak, a 410 switches it
    off at once, and a failure that ends ``DISABLE_AFTER`` of failures switches it off."""
    if result.delivered:
        return endpoint if endpoint.failing_since is None else replace(endpoint, failing_since=None)
    if result.gone:
        return replace(endpoint, enabled=False, disabled_reason=DisabledReason.GONE, failing_since=None)
    since = endpoint.failing_since or now
    if now - since >= DISABLE_AFTER:
        return replace(endpoint, enabled=False, disabled_reason=DisabledReason.FAILING, failing_since=since)
    return endpoint if endpoint.failing_since == since else replace(endpoint, failing_since=since)


def after_send(delivery: Delivery, result: SendResult, now: datetime, *, scale: float = 1.0) -> Delivery:
    """The delivery after one attempt: delivered, pending until its next attempt, or failed with the schedule spent."""
    attempts = delivery.attempts + 1
    if result.delivered:
        status, retry_at = DeliveryStatus.DELIVERED, None
    else:
        retry_at = None if result.gone else next_attempt_at(attempts, now, scale=scale)
        status = DeliveryStatus.PENDING if retry_at is not None else DeliveryStatus.FAILED
    return replace(
        delivery,
        status=status,
        attempts=attempts,
        next_attempt_at=retry_at,
        last_status_code=result.status_code,
        updated_at=now,
    )


def replayed(delivery: Delivery, now: datetime) -> Delivery:
    """A new round for a delivery: tried again at once, with the same webhook-id and body."""
    return replace(
        delivery,
        status=DeliveryStatus.PENDING,
        attempts=0,
        round=delivery.round + 1,
        next_attempt_at=now,
        updated_at=now,
    )


def held(delivery: Delivery, now: datetime) -> Delivery:
    """Kept for an endpoint that is switched off: out of the retry schedule until it is switched on again."""
    return replace(delivery, status=DeliveryStatus.HELD, next_attempt_at=None, updated_at=now)


def released(delivery: Delivery, now: datetime) -> Delivery:
    """A held delivery once its endpoint is switched on again: due at once, with a whole schedule ahead of it (a new
    round if it had been tried before it was held)."""
    if delivery.attempts == 0:
        return replace(delivery, status=DeliveryStatus.PENDING, next_attempt_at=now, updated_at=now)
    return replayed(delivery, now)


def delivery_body(event_type: str, occurred_at: str, data: dict[str, object]) -> dict[str, object]:
    """The JSON a receiver gets: Standard Webhooks' ``type``, ``timestamp`` and ``data``."""
    return {"type": event_type, "timestamp": occurred_at, "data": data}
