"""Registering, changing and deleting webhook endpoints, and replaying to one, over in-memory ports
(``tests/webhook_fakes.py``): URL and filter checks, the audit trail, and range replays counted before they run."""

from __future__ import annotations

from datetime import timedelta

import pytest

from arportal.domain.errors import BusinessRuleError, NotFoundError
from arportal.domain.event_entities import EventEntity
from arportal.domain.event_feed import FeedEvent
from arportal.domain.ids import new_id
from arportal.domain.webhooks import DeliveryStatus, InvalidEndpointError
from arportal.services import webhook_delivery, webhook_endpoints, webhook_replay
from arportal.services.webhook_endpoints import EndpointChanges
from arportal.services.webhook_replay import ReplayServices
from tests.webhook_fakes import (
    CRM,
    ERP,
    NOW,
    ListFeed,
    RecordingAudit,
    WebhookKit,
    add_endpoint,
    bus_event,
    endpoint_services,
    webhook_kit,
)


@pytest.fixture
def kit() -> WebhookKit:
    return webhook_kit(NOW)


def test_registration_checks_the_url_and_filters_and_audits_without_the_secret(kit: WebhookKit) -> None:
    audit = RecordingAudit()
    services = endpoint_services(kit, audit)
    endpoint, secret = webhook_endpoints.create_endpoint(
        services, ERP, ["payment.*"], description="ERP", rate_limit=5, actor="staff:s1", now=NOW
    )
    assert kit.sender.checked == [ERP] and secret.startswith("whsec_")
    assert audit.events[0].actor == "staff:s1" and secret not in str(audit.events[0])
    kit.sender.refused.add("https://10.0.0.1/x")
    with pytest.raises(InvalidEndpointError):
        webhook_endpoints.create_endpoint(services, "https://10.0.0.1/x", ["payment.*"], actor="staff:s1", now=NOW)
    with pytest.raises(InvalidEndpointError):
        webhook_endpoints.create_endpoint(services, CRM, ["payment.teleported"], actor="staff:s1", now=NOW)
    with pytest.raises(InvalidEndpointError):
        webhook_endpoints.update_endpoint(
            services, endpoint.endpoint_id, EndpointChanges(url="https://10.0.0.1/x"), actor="staff:s1", now=NOW
        )
    assert len(kit.store.endpoints()) == 1 and len(kit.secrets.by_endpoint) == 1
    webhook_endpoints.delete_endpoint(services, endpoint.endpoint_id, actor="system:erp", now=NOW)
    assert kit.store.endpoints() == [] and kit.secrets.by_endpoint == {}
    assert [e.action.rsplit(".", 1)[1] for e in audit.events] == ["created", "deleted"]


def feed_event(at_offset: timedelta, event_type: str = "payment.posted") -> FeedEvent:
    at = NOW - timedelta(days=2) + at_offset
    eid = new_id("evt", now_ms=int(at.timestamp() * 1000))
    detail = {"event_id": eid, "occurred_at": at.isoformat(), "payment_id": "pay_1"}
    return FeedEvent(eid, event_type, at, EventEntity("payment", "pay_1", 1), detail)


def test_a_range_replay_counts_first_then_makes_each_event_due_once_and_is_audited(kit: WebhookKit) -> None:
    erp = add_endpoint(kit, ERP, ("payment.*", "invoice.*"))
    events = [
        feed_event(timedelta(minutes=m), t)
        for m, t in [
            (1, "payment.posted"),
            (2, "invoice.loaded"),
            (3, "payment.refunded"),
            (90, "payment.posted"),
            (4, "customer.loaded"),
        ]
    ]
    audit = RecordingAudit()
    services = ReplayServices(store=kit.store, feed=ListFeed(events), audit=audit)
    webhook_delivery.dispatch(kit.services, bus_event(event_id=events[0].event_id))  # one was delivered already
    window = {"since": NOW - timedelta(days=2), "until": NOW - timedelta(days=2) + timedelta(hours=1)}
    dry = webhook_replay.replay_range(
        services, erp.endpoint_id, **window, event_types=None, dry_run=True, actor="staff:s1", now=NOW
    )
    assert (dry.count, dry.replayed, audit.events) == (3, 0, [])
    only_payments = webhook_replay.replay_range(
        services, erp.endpoint_id, **window, event_types=["payment.*"], dry_run=False, actor="staff:s1", now=NOW
    )
    assert (only_payments.count, only_payments.replayed) == (2, 2)
    assert audit.events[0].action == "webhook_endpoint.range_replayed" and audit.events[0].actor == "staff:s1"
    assert kit.store.state(erp.endpoint_id, events[0].event_id).round == 2
    webhook_delivery.sweep(kit.services)
    assert sorted(kit.sender.ids_to(ERP)) == sorted([events[0].event_id] * 2 + [events[2].event_id])
    with pytest.raises(BusinessRuleError):
        webhook_replay.replay_range(
            services, erp.endpoint_id, since=NOW, until=NOW, event_types=None, dry_run=True, actor="staff:s1", now=NOW
        )


def test_replaying_one_event_finds_it_in_the_log_or_the_feed_or_answers_not_found(kit: WebhookKit) -> None:
    erp = add_endpoint(kit, ERP)
    known, in_feed_only, other_type = (
        feed_event(timedelta(0)),
        feed_event(timedelta(seconds=1)),
        feed_event(timedelta(seconds=2), "invoice.loaded"),
    )
    services = ReplayServices(store=kit.store, feed=ListFeed([known, in_feed_only, other_type]), audit=RecordingAudit())
    webhook_delivery.dispatch(kit.services, bus_event(event_id=known.event_id))
    assert webhook_replay.replay_event(services, erp.endpoint_id, known.event_id, actor="staff:s1", now=NOW).round == 2
    fresh = webhook_replay.replay_event(services, erp.endpoint_id, in_feed_only.event_id, actor="staff:s1", now=NOW)
    assert (fresh.round, fresh.status, fresh.next_attempt_at) == (1, DeliveryStatus.PENDING, NOW)
    assert b'"payment_id":"pay_1"' in fresh.body.encode()
    for missing in (other_type.event_id, new_id("evt"), "not-an-id"):
        with pytest.raises(NotFoundError):
            webhook_replay.replay_event(services, erp.endpoint_id, missing, actor="staff:s1", now=NOW)
