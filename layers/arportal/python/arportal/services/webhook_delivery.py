"""Webhook deliveries: every bus event fanned out to the endpoints that take it, the retry sweep, and a test send.

A bus event becomes one ``Delivery`` per enabled endpoint whose filters take it, opened once however often the bus
or the queue repeats the event (the event id is the delivery's key, and the ``webhook-id`` the receiver sees), then
tried at once (``webhook_attempts``). A switched-off endpoint's delivery is opened ``held``: kept, and released when
the endpoint is switched on again. An event replayed from the bus's archive (EventBridge marks it ``replay-name``)
opens a delivered or failed delivery again as a new round.

Failed attempts wait in the store, not in a running function: ``sweep`` (every minute in AWS, every second
locally) tries what has come due, holds what belongs to a switched-off endpoint, and releases what a switched-on
endpoint still holds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from arportal.domain.ids import new_id
from arportal.domain.webhooks import (
    TEST_EVENT_TYPE,
    Attempt,
    Delivery,
    DeliveryStatus,
    Endpoint,
    after_send,
    delivery_body,
    held,
    replayed,
)
from arportal.services.webhook_attempts import (
    LEASE,
    AttemptReport,
    DeliveryServices,
    attempt_all,
    attempt_record,
    sign,
)
from arportal.services.webhook_endpoints import release_held

SWEEP_PAGE = 100
SWEEP_PAGES = 20  # at most this many pages a sweep; the next sweep goes on
RELEASE_PAGE = 100  # held deliveries released per switched-on endpoint per sweep


@dataclass(frozen=True)
class BusEvent:
    event_id: str  # the outbox's event_id, else EventBridge's id
    event_type: str  # the detail-type
    occurred_at: str  # the detail's occurred_at, else the event's time
    data: dict[str, Any]  # the detail, as published
    from_archive: bool  # replayed from the bus's archive


def bus_event(envelope: Mapping[str, Any]) -> BusEvent:
    """An EventBridge event as the queue hands it over; ``ValueError`` for anything else."""
    detail = envelope.get("detail")
    if not isinstance(detail, dict) or not envelope.get("detail-type") or not envelope.get("id"):
        raise ValueError("not an EventBridge event (id, detail-type and an object detail)")
    return BusEvent(
        event_id=str(detail.get("event_id") or envelope["id"]),
        event_type=str(envelope["detail-type"]),
        occurred_at=str(detail.get("occurred_at") or envelope.get("time") or ""),
        data=dict(detail),
        from_archive="replay-name" in envelope,
    )


def body_of(event_type: str, occurred_at: str, data: Mapping[str, Any]) -> str:
    return json.dumps(delivery_body(event_type, occurred_at, dict(data)), separators=(",", ":"), default=str)


@dataclass
class DispatchReport:
    events: int = 0
    opened: int = 0
    held: int = 0  # opened held: the endpoint is off
    repeated: int = 0  # the delivery existed already (the bus or the queue repeated the event)
    attempts: AttemptReport = field(default_factory=AttemptReport)

    def as_dict(self) -> dict[str, object]:
        counts = {"events": self.events, "opened": self.opened, "opened_held": self.held, "repeated": self.repeated}
        return counts | self.attempts.as_dict()


class Dispatch:
    """One invocation's events: each opened as deliveries (``take``, one queue record at a time, so a record that
    cannot be stored is retried alone), then every opened delivery tried together (``attempt``)."""

    def __init__(self, services: DeliveryServices) -> None:
        self.services = services
        self.report = DispatchReport()
        self._endpoints: list[Endpoint] | None = None
        self._opened: list[tuple[Endpoint, Delivery]] = []

    def take(self, envelope: Mapping[str, Any]) -> None:
        event = bus_event(envelope)
        store, now = self.services.store, self.services.clock()
        self.report.events += 1
        if self._endpoints is None:
            self._endpoints = self.services.store.endpoints()
        for endpoint in self._endpoints:
            if not endpoint.takes(event.event_type) or event.event_type == TEST_EVENT_TYPE:
                continue
            delivery = Delivery(
                endpoint_id=endpoint.endpoint_id,
                event_id=event.event_id,
                event_type=event.event_type,
                body=body_of(event.event_type, event.occurred_at, event.data),
                status=DeliveryStatus.PENDING if endpoint.enabled else DeliveryStatus.HELD,
                # Leased to this worker; the sweep takes it only if this worker never records an attempt.
                next_attempt_at=now + LEASE if endpoint.enabled else None,
                created_at=now,
                updated_at=now,
            )
            if store.open_delivery(delivery):
                self._count_opened(endpoint, delivery)
            elif event.from_archive and (reopened := self._reopen(endpoint, event)) is not None:
                self._count_opened(endpoint, reopened)
            else:
                self.report.repeated += 1

    def attempt(self, *, time_left: Callable[[], bool] = lambda: True) -> DispatchReport:
        self.report.attempts = attempt_all(self.services, self._opened, time_left=time_left)
        self._opened = []
        return self.report

    def _reopen(self, endpoint: Endpoint, event: BusEvent) -> Delivery | None:
        store, now = self.services.store, self.services.clock()
        existing = store.delivery(endpoint.endpoint_id, event.event_id)
        if existing is None or existing.status not in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
            return None  # still on its way (pending or held): this round covers it
        again = replayed(existing, now)
        again = replace(again, next_attempt_at=now + LEASE) if endpoint.enabled else held(again, now)
        return again if store.put_delivery(existing, again) else None

    def _count_opened(self, endpoint: Endpoint, delivery: Delivery) -> None:
        if delivery.status is DeliveryStatus.HELD:
            self.report.held += 1
            return
        self.report.opened += 1
        self._opened.append((endpoint, delivery))


def dispatch(services: DeliveryServices, envelope: Mapping[str, Any]) -> DispatchReport:
    """One bus event, opened and tried at once."""
    run = Dispatch(services)
    run.take(envelope)
    return run.attempt()


@dataclass
class SweepReport:
    released: int = 0
    orphaned: int = 0  # due deliveries of a deleted endpoint, closed as failed
    attempts: AttemptReport = field(default_factory=AttemptReport)

    def as_dict(self) -> dict[str, object]:
        return {"released": self.released, "orphaned": self.orphaned} | self.attempts.as_dict()


def sweep(services: DeliveryServices, *, time_left: Callable[[], bool] = lambda: True) -> SweepReport:
    """Release what switched-on endpoints hold, then try every delivery that has come due, page by page, while
    ``time_left()`` (the function's remaining time) allows."""
    store, report = services.store, SweepReport()
    endpoints = {e.endpoint_id: e for e in store.endpoints()}
    now = services.clock()
    for enabled in (e for e in endpoints.values() if e.enabled):
        report.released += release_held(store, enabled.endpoint_id, now=now, limit=RELEASE_PAGE)
    for _ in range(SWEEP_PAGES):
        if not time_left():
            break
        now = services.clock()
        due = store.due(now, limit=SWEEP_PAGE)
        work = []
        for delivery in due:
            endpoint = endpoints.get(delivery.endpoint_id)
            if endpoint is None:
                closed = replace(delivery, status=DeliveryStatus.FAILED, next_attempt_at=None, updated_at=now)
                report.orphaned += int(store.put_delivery(delivery, closed))
            elif not endpoint.enabled:
                report.attempts.held += int(store.put_delivery(delivery, held(delivery, now)))
            else:
                work.append((endpoint, delivery))
        page = attempt_all(services, work, time_left=time_left)
        report.attempts.add(page)
        for endpoint_id in page.disabled:
            endpoints[endpoint_id] = store.endpoint(endpoint_id)
        if len(due) < SWEEP_PAGE or page.attempted + page.held == 0:
            break  # all due is done, or what the index still shows was taken by others
    return report


def send_test(services: DeliveryServices, endpoint: Endpoint) -> Attempt:
    """A ``webhook.test`` event to one endpoint, now, once (never retried), recorded in its log like any attempt.
    Sent whatever the endpoint's filters, and even while it is switched off (to check it before switching it on);
    its result does not move the endpoint."""
    store, now = services.store, services.clock()
    data = {"endpoint_id": endpoint.endpoint_id, "message": "A test delivery from the Receivables Portal."}
    delivery = Delivery(
        endpoint_id=endpoint.endpoint_id,
        event_id=new_id("tst"),
        event_type=TEST_EVENT_TYPE,
        body=body_of(TEST_EVENT_TYPE, now.isoformat(), data),
        status=DeliveryStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    store.open_delivery(delivery)
    headers = sign(services, endpoint, delivery, now, services.secrets.secrets_of(endpoint.endpoint_id))
    result = services.sender.send(endpoint.url, headers, delivery.body.encode())
    done = services.clock()
    status = DeliveryStatus.DELIVERED if result.delivered else DeliveryStatus.FAILED
    after = replace(after_send(delivery, result, done), status=status, next_attempt_at=None)
    attempt = attempt_record(delivery, after, result, done)
    store.record_attempt(delivery, after, attempt)
    return attempt
