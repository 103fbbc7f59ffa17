"""In-memory implementations of the webhook ports, holding the same conditions the DynamoDB store writes under
(``adapters/dynamodb/webhook_store.py``), so a service that relies on a condition is caught here when it is wrong."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from arportal.domain.errors import ConflictError, NotFoundError
from arportal.domain.event_feed import FeedEvent
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.domain.webhooks import Attempt, Delivery, DeliveryStatus, Endpoint, InvalidEndpointError, SendResult
from arportal.ports.webhooks import AttemptPage, DeliveryPage, SigningSecrets
from arportal.services.webhook_attempts import DeliveryServices
from arportal.services.webhook_endpoints import EndpointServices
from tests.clock import SESSION_NOW
from tests.fakes import RecordingMailer


class InMemoryWebhookStore:
    def __init__(self) -> None:
        self.endpoints_by_id: dict[str, Endpoint] = {}
        self.deliveries_by_key: dict[tuple[str, str], Delivery] = {}
        self.log: list[Attempt] = []
        self.lock = threading.Lock()

    def create_endpoint(self, endpoint: Endpoint) -> None:
        with self.lock:
            if endpoint.endpoint_id in self.endpoints_by_id:
                raise ConflictError("exists")
            self.endpoints_by_id[endpoint.endpoint_id] = endpoint

    def endpoint(self, endpoint_id: str) -> Endpoint:
        with self.lock:
            if endpoint_id not in self.endpoints_by_id:
                raise NotFoundError(f"no webhook endpoint {endpoint_id}")
            return self.endpoints_by_id[endpoint_id]

    def endpoints(self) -> list[Endpoint]:
        with self.lock:
            return list(self.endpoints_by_id.values())

    def update_endpoint(self, endpoint: Endpoint) -> Endpoint:
        with self.lock:
            stored = self.endpoints_by_id.get(endpoint.endpoint_id)
            if stored is None or stored.version != endpoint.version:
                raise ConflictError("the endpoint changed")
            moved = replace(endpoint, version=endpoint.version + 1)
            self.endpoints_by_id[endpoint.endpoint_id] = moved
            return moved

    def delete_endpoint(self, endpoint_id: str) -> None:
        with self.lock:
            self.endpoints_by_id.pop(endpoint_id, None)

    def open_delivery(self, delivery: Delivery) -> bool:
        with self.lock:
            key = (delivery.endpoint_id, delivery.event_id)
            if key in self.deliveries_by_key:
                return False
            self.deliveries_by_key[key] = delivery
            return True

    def delivery(self, endpoint_id: str, event_id: str) -> Delivery | None:
        with self.lock:
            return self.deliveries_by_key.get((endpoint_id, event_id))

    def deliveries(self, endpoint_id: str, event_ids: list[str]) -> dict[str, Delivery]:
        with self.lock:
            found = ((e, self.deliveries_by_key.get((endpoint_id, e))) for e in event_ids)
            return {e: d for e, d in found if d is not None}

    def record_attempt(self, before: Delivery, after: Delivery, attempt: Attempt) -> bool:
        with self.lock:
            stored = self.deliveries_by_key.get((before.endpoint_id, before.event_id))
            if stored is None or (stored.round, stored.attempts) != (before.round, before.attempts):
                return False
            self.deliveries_by_key[(after.endpoint_id, after.event_id)] = after
            self.log.append(attempt)
            return True

    def put_delivery(self, before: Delivery, after: Delivery) -> bool:
        with self.lock:
            stored = self.deliveries_by_key.get((before.endpoint_id, before.event_id))
            same = ("status", "round", "attempts", "next_attempt_at")
            if stored is None or any(getattr(stored, f) != getattr(before, f) for f in same):
                return False
            self.deliveries_by_key[(after.endpoint_id, after.event_id)] = after
            return True

    def due(self, now: datetime, *, limit: int) -> list[Delivery]:
        with self.lock:
            due = [
                d
                for d in self.deliveries_by_key.values()
                if d.status is DeliveryStatus.PENDING and d.next_attempt_at is not None and d.next_attempt_at <= now
            ]
        return sorted(due, key=lambda d: d.next_attempt_at or now)[:limit]

    def held(self, endpoint_id: str, *, limit: int, cursor: str | None = None) -> DeliveryPage:
        with self.lock:
            found = sorted(
                (
                    d
                    for d in self.deliveries_by_key.values()
                    if d.endpoint_id == endpoint_id and d.status is DeliveryStatus.HELD
                ),
                key=lambda d: d.event_id,
            )
        start = int(cursor or 0)
        page = found[start : start + limit]
        return DeliveryPage(page, str(start + limit) if start + limit < len(found) else None)

    def attempts(self, endpoint_id: str, *, limit: int, cursor: str | None = None) -> AttemptPage:
        with self.lock:
            found = [a for a in reversed(self.log) if a.endpoint_id == endpoint_id]
        start = int(cursor or 0)
        return AttemptPage(found[start : start + limit], str(start + limit) if start + limit < len(found) else None)

    def state(self, endpoint_id: str, event_id: str) -> Delivery:
        delivery = self.delivery(endpoint_id, event_id)
        assert delivery is not None
        return delivery


class InMemorySecrets:
    def __init__(self) -> None:
        self.by_endpoint: dict[str, SigningSecrets] = {}
        self.count = 0
        self.key_made = False

    def create(self, endpoint_id: str) -> str:
        self.count += 1
        secret = f"whsec_{self.count:032d}"
        self.by_endpoint[endpoint_id] = SigningSecrets(current=secret)
        return secret

    def rotate(self, endpoint_id: str, *, overlap_until: datetime) -> str:
        before = self.by_endpoint[endpoint_id]
        self.count += 1
        secret = f"whsec_{self.count:032d}"
        self.by_endpoint[endpoint_id] = SigningSecrets(secret, before.current, overlap_until)
        return secret

    def secrets_of(self, endpoint_id: str) -> SigningSecrets:
        return self.by_endpoint[endpoint_id]

    def delete(self, endpoint_id: str) -> None:
        self.by_endpoint.pop(endpoint_id, None)

    def ed25519_private_key(self) -> str:
        self.key_made = True
        return "whsk_" + "A" * 43 + "="

    def ed25519_public_key(self) -> str | None:
        from arportal.domain.webhook_signing import public_key

        return public_key("whsk_" + "A" * 43 + "=") if self.key_made else None


@dataclass
class Sent:
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ScriptedSender:
    """Answers each URL with ``answers[url]`` (a status, or a function of the send), 200 by default."""

    answers: dict[str, int | Callable[[Sent], int]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    checked: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check_destination(self, url: str) -> None:
        self.checked.append(url)
        if url in self.refused:
            raise InvalidEndpointError("not allowed", details={"field": "url", "reason": "private_address"})

    def send(self, url: str, headers: Mapping[str, str], body: bytes) -> SendResult:
        sent = Sent(url, dict(headers), body)
        with self.lock:
            self.sent.append(sent)
        answer = self.answers.get(url, 200)
        status = answer(sent) if callable(answer) else answer
        return SendResult(status_code=status, latency_ms=1)

    def ids_to(self, url: str) -> list[str]:
        return [s.headers["webhook-id"] for s in self.sent if s.url == url]


class FakeAdmins:
    def __init__(self, emails: list[str]) -> None:
        self.addresses = emails

    def emails(self) -> list[str]:
        return list(self.addresses)


class CountingMetrics:
    def __init__(self) -> None:
        self.disabled: list[str] = []

    def endpoint_disabled(self, endpoint: Endpoint) -> None:
        self.disabled.append(endpoint.endpoint_id)


class RecordingAudit:
    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def record(self, event: AuditEvent) -> None:
        self.events.append(event)


class ListFeed:
    """The event feed over a list of events, with positions compared as the index compares sort keys."""

    def __init__(self, events: list[FeedEvent]) -> None:
        self.all = sorted(events, key=lambda e: e.event_id)

    def events(self, *, after: str, before: str, limit: int) -> list[FeedEvent]:
        low = after + "0"
        return [e for e in self.all if low <= e.event_id <= before][:limit]

    def payment_events(self, *, after: str, before: str, limit: int) -> list[FeedEvent]:
        return [e for e in self.events(after=after, before=before, limit=limit) if e.type.startswith("payment.")]


class MovableClock:
    def __init__(self, at: datetime) -> None:
        self.at = at
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.at

    def advance(self, by: timedelta) -> None:
        with self.lock:
            self.at += by


@dataclass
class WebhookKit:
    store: InMemoryWebhookStore
    secrets: InMemorySecrets
    sender: ScriptedSender
    mailer: RecordingMailer
    metrics: CountingMetrics
    clock: MovableClock
    services: DeliveryServices


def webhook_kit(now: datetime, *, admins: list[str] | None = None) -> WebhookKit:
    store, secrets, sender = InMemoryWebhookStore(), InMemorySecrets(), ScriptedSender()
    mailer, metrics, clock = RecordingMailer(), CountingMetrics(), MovableClock(now)
    services = DeliveryServices(
        store=store,
        secrets=secrets,
        sender=sender,
        admins=FakeAdmins(admins if admins is not None else ["admin@agency.example"]),
        mailer=mailer,
        metrics=metrics,
        clock=clock,
        agency_name="Test Agency",
    )
    return WebhookKit(store, secrets, sender, mailer, metrics, clock, services)


NOW = SESSION_NOW
ERP, CRM = "https://erp.example/hooks", "https://crm.example/in"


def add_endpoint(kit: WebhookKit, url: str, filters: tuple[str, ...] = ("payment.*",), **fields: object) -> Endpoint:
    endpoint = Endpoint(new_id("whe"), url, filters, **fields)  # type: ignore[arg-type]
    kit.store.create_endpoint(endpoint)
    kit.secrets.create(endpoint.endpoint_id)
    return endpoint


def bus_event(event_type: str = "payment.posted", event_id: str | None = None, **extra: object) -> dict[str, object]:
    eid = event_id or new_id("evt")
    detail = {"event_id": eid, "occurred_at": NOW.isoformat(), "payment_id": "pay_1", "amount": 1200}
    return {
        "id": "eb-" + eid,
        "detail-type": event_type,
        "source": "arportal",
        "time": NOW.isoformat(),
        "detail": detail,
        **extra,
    }


def endpoint_services(kit: WebhookKit, audit: RecordingAudit) -> EndpointServices:
    return EndpointServices(store=kit.store, secrets=kit.secrets, sender=kit.sender, audit=audit)
