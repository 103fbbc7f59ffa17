"""The webhook services over in-memory ports (``tests/webhook_fakes.py``, which hold the store's conditions): fan-out,
repeats, holding and releasing, racing workers, switching endpoints off, bounded concurrency, rotation, test sends."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from arportal.domain.errors import DependencyError
from arportal.domain.webhooks import (
    DISABLE_AFTER,
    DeliveryStatus,
    DisabledReason,
)
from arportal.ports.webhooks import SigningSecrets
from arportal.services import webhook_delivery, webhook_endpoints
from arportal.services.webhook_attempts import LEASE, attempt_all
from arportal.services.webhook_endpoints import EndpointChanges
from tests.webhook_fakes import (
    CRM,
    ERP,
    NOW,
    RecordingAudit,
    Sent,
    WebhookKit,
    add_endpoint,
    bus_event,
    endpoint_services,
    webhook_kit,
)


@pytest.fixture
def kit() -> WebhookKit:
    return webhook_kit(NOW)


def test_an_event_reaches_each_subscribed_endpoint_once_signed_with_the_event_id(kit: WebhookKit) -> None:
    erp = add_endpoint(kit, ERP)
    add_endpoint(kit, CRM, ("invoice.*",))
    event = bus_event()
    report = webhook_delivery.dispatch(kit.services, event)
    assert (report.opened, report.attempts.delivered) == (1, 1)
    [sent] = kit.sender.sent
    assert sent.url == ERP and sent.headers["webhook-id"] == event["detail"]["event_id"]  # type: ignore[index]
    assert sent.headers["webhook-signature"].startswith("v1,")
    assert b'"type":"payment.posted"' in sent.body and b'"data":{' in sent.body
    assert kit.store.state(erp.endpoint_id, sent.headers["webhook-id"]).status is DeliveryStatus.DELIVERED


def test_a_repeated_bus_event_opens_one_delivery_and_sends_once(kit: WebhookKit) -> None:
    add_endpoint(kit, ERP)
    event = bus_event()
    first = webhook_delivery.dispatch(kit.services, event)
    run = webhook_delivery.Dispatch(kit.services)  # the queue hands it over twice more, in one batch
    run.take(event)
    run.take(event)
    again = run.attempt()
    assert (first.opened, again.opened, again.repeated) == (1, 0, 2)
    assert len(kit.sender.sent) == 1 and len(kit.store.log) == 1
    assert webhook_delivery.sweep(kit.services).attempts.attempted == 0


def test_an_archive_replay_of_a_delivered_event_is_a_new_round(kit: WebhookKit) -> None:
    erp = add_endpoint(kit, ERP)
    event = bus_event()
    webhook_delivery.dispatch(kit.services, event)
    webhook_delivery.dispatch(kit.services, {**event, "replay-name": "last-week"})
    assert kit.sender.ids_to(ERP) == [event["detail"]["event_id"]] * 2  # type: ignore[index]
    assert kit.store.state(erp.endpoint_id, kit.sender.ids_to(ERP)[0]).round == 2


def test_a_disabled_endpoints_delivery_is_held_and_released_when_it_is_switched_on(kit: WebhookKit) -> None:
    erp = add_endpoint(kit, ERP, enabled=False, disabled_reason=DisabledReason.BY_ADMIN)
    events = [bus_event() for _ in range(3)]
    for event in events:
        assert webhook_delivery.dispatch(kit.services, event).held == 1
    assert kit.sender.sent == []
    assert webhook_delivery.sweep(kit.services).attempts.attempted == 0
    audit = RecordingAudit()
    on = webhook_endpoints.update_endpoint(
        endpoint_services(kit, audit), erp.endpoint_id, EndpointChanges(enabled=True), actor="staff:s1", now=NOW
    )
    assert on.enabled and on.disabled_reason is None
    assert [e.action for e in audit.events] == ["webhook_endpoint.updated"]
    assert {d.status for d in kit.store.deliveries_by_key.values()} == {DeliveryStatus.PENDING}
    swept = webhook_delivery.sweep(kit.services)
    assert swept.attempts.delivered == 3
    assert sorted(kit.sender.ids_to(ERP)) == sorted(e["detail"]["event_id"] for e in events)  # type: ignore[index]


def test_two_sweeps_on_one_due_delivery_send_it_once(kit: WebhookKit) -> None:
    add_endpoint(kit, ERP)
    kit.sender.answers[ERP] = 503
    webhook_delivery.dispatch(kit.services, bus_event())
    kit.sender.answers[ERP] = 200
    kit.clock.advance(timedelta(seconds=5))
    barrier = threading.Barrier(2)
    due = kit.store.due(kit.clock(), limit=10)
    endpoint = kit.store.endpoints()[0]

    def worker() -> None:
        barrier.wait()
        attempt_all(kit.services, [(endpoint, d) for d in due])  # both read the same due delivery

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(kit.sender.sent) == 2  # the first attempt, then exactly one retry
    assert [a.attempt for a in kit.store.log] == [1, 2]


def test_two_workers_racing_on_one_attempt_record_it_once(kit: WebhookKit) -> None:
    """A worker whose lease ran out while its receiver was slow, and the sweep that took the delivery over: both
    sent, and the attempt is recorded once."""
    erp = add_endpoint(kit, ERP)
    webhook_delivery.dispatch(kit.services, bus_event(event_id="evt_slow"))
    kit.store.deliveries_by_key.clear()
    kit.store.log.clear()
    kit.sender.sent.clear()
    slow_started, release_slow = threading.Event(), threading.Event()

    def answer(sent: Sent) -> int:
        if not slow_started.is_set():
            slow_started.set()
            release_slow.wait(5)
        return 200

    kit.sender.answers[ERP] = answer
    run = webhook_delivery.Dispatch(kit.services)
    run.take(bus_event(event_id="evt_race"))
    slow = threading.Thread(target=run.attempt)
    slow.start()
    assert slow_started.wait(5)
    kit.clock.advance(LEASE + timedelta(seconds=1))  # the slow worker's lease has run out
    taken_over = webhook_delivery.sweep(kit.services)
    release_slow.set()
    slow.join()
    assert taken_over.attempts.delivered == 1 and run.report.attempts.skipped == 1
    assert len(kit.sender.sent) == 2
    assert [(a.event_id, a.attempt) for a in kit.store.log] == [("evt_race", 1)]
    assert kit.store.state(erp.endpoint_id, "evt_race").status is DeliveryStatus.DELIVERED


def test_a_failed_attempt_is_retried_by_the_sweep_when_due_and_not_before(kit: WebhookKit) -> None:
    erp = add_endpoint(kit, ERP)
    kit.sender.answers[ERP] = 503
    webhook_delivery.dispatch(kit.services, bus_event(event_id="evt_retry"))
    waiting = kit.store.state(erp.endpoint_id, "evt_retry")
    assert (waiting.status, waiting.attempts, waiting.next_attempt_at) == (
        DeliveryStatus.PENDING,
        1,
        NOW + timedelta(seconds=5),
    )
    kit.clock.advance(timedelta(seconds=4))
    assert webhook_delivery.sweep(kit.services).attempts.attempted == 0
    kit.sender.answers[ERP] = 200
    kit.clock.advance(timedelta(seconds=1))
    assert webhook_delivery.sweep(kit.services).attempts.delivered == 1
    [first, second] = kit.store.log
    assert (first.status_code, first.next_attempt_at, second.status_code, second.attempt) == (
        503,
        NOW + timedelta(seconds=5),
        200,
        2,
    )
    assert first.delivered is False and second.delivered is True


def test_a_410_switches_the_endpoint_off_tells_the_admins_once_and_holds_what_follows(kit: WebhookKit) -> None:
    erp = add_endpoint(kit, ERP)
    kit.sender.answers[ERP] = 410
    report = webhook_delivery.dispatch(kit.services, bus_event(event_id="evt_gone"))
    assert report.attempts.disabled == [erp.endpoint_id]
    off = kit.store.endpoint(erp.endpoint_id)
    assert (off.enabled, off.disabled_reason) == (False, DisabledReason.GONE)
    assert kit.metrics.disabled == [erp.endpoint_id]
    [email] = kit.mailer.sent
    assert email.to == ("admin@agency.example",) and ERP in email.subject and "410" in email.text
    assert kit.store.state(erp.endpoint_id, "evt_gone").status is DeliveryStatus.HELD
    later = webhook_delivery.dispatch(kit.services, bus_event(event_id="evt_later"))
    assert later.held == 1 and len(kit.sender.sent) == 1
    assert kit.store.state(erp.endpoint_id, "evt_later").status is DeliveryStatus.HELD
    assert len(kit.metrics.disabled) == 1 and len(kit.mailer.sent) == 1


def test_five_days_of_failures_switch_the_endpoint_off_and_hold_its_deliveries(kit: WebhookKit) -> None:
    erp = add_endpoint(kit, ERP)
    kit.sender.answers[ERP] = 500
    webhook_delivery.dispatch(kit.services, bus_event(event_id="evt_0"))
    for day in range(1, 6):
        kit.clock.advance(timedelta(days=1))
        webhook_delivery.dispatch(kit.services, bus_event(event_id=f"evt_{day}"))
    off = kit.store.endpoint(erp.endpoint_id)
    assert (off.enabled, off.disabled_reason, off.failing_since) == (False, DisabledReason.FAILING, NOW)
    assert kit.clock() - NOW == DISABLE_AFTER
    assert kit.store.state(erp.endpoint_id, "evt_5").status is DeliveryStatus.HELD
    assert len(kit.mailer.sent) == 1 and "five days" in kit.mailer.sent[0].text


def test_concurrency_per_endpoint_stays_within_its_bound(kit: WebhookKit) -> None:
    limited = add_endpoint(kit, CRM, ("payment.refunded",), rate_limit=2)
    add_endpoint(kit, ERP)
    in_flight: dict[str, int] = {ERP: 0, CRM: 0}
    peak: dict[str, int] = {ERP: 0, CRM: 0}
    started: dict[str, list[float]] = {ERP: [], CRM: []}
    lock = threading.Lock()

    def slow(sent: Sent) -> int:
        with lock:
            in_flight[sent.url] += 1
            peak[sent.url] = max(peak[sent.url], in_flight[sent.url])
            started[sent.url].append(time.monotonic())
        time.sleep(0.02)
        with lock:
            in_flight[sent.url] -= 1
        return 200

    kit.sender.answers = {ERP: slow, CRM: slow}
    run = webhook_delivery.Dispatch(kit.services)
    for event_type in ["payment.posted"] * 24 + ["payment.refunded"] * 6:
        run.take(bus_event(event_type))
    report = run.attempt()
    assert report.attempts.delivered == 30 + 6
    assert peak[ERP] == 4  # the default bound, reached
    assert peak[CRM] <= limited.rate_limit  # type: ignore[operator]
    crm = sorted(started[CRM])
    assert all(b - a >= 0.9 for a, b in zip(crm, crm[2:], strict=False))  # 2 a second: slots 0.5 s apart


def test_signatures_cover_both_secrets_during_a_rotations_overlap_and_v1a_on_request(kit: WebhookKit) -> None:
    erp = add_endpoint(kit, ERP, ed25519=True)
    audit = RecordingAudit()
    secret, until = webhook_endpoints.rotate_secret(
        endpoint_services(kit, audit), erp.endpoint_id, overlap=timedelta(hours=1), actor="system:erp", now=NOW
    )
    assert until == NOW + timedelta(hours=1) and secret == kit.secrets.secrets_of(erp.endpoint_id).current
    assert audit.events[0].action == "webhook_endpoint.secret_rotated" and secret not in str(audit.events[0])
    webhook_delivery.dispatch(kit.services, bus_event())
    kit.clock.advance(timedelta(hours=1))
    webhook_delivery.dispatch(kit.services, bus_event())
    during, after = (s.headers["webhook-signature"].split() for s in kit.sender.sent)
    assert [v.split(",")[0] for v in during] == ["v1", "v1", "v1a"]
    assert [v.split(",")[0] for v in after] == ["v1", "v1a"]


def test_a_test_send_goes_out_once_whatever_the_filters_and_is_logged(kit: WebhookKit) -> None:
    erp = add_endpoint(kit, ERP, ("invoice.loaded",), enabled=False)
    kit.sender.answers[ERP] = 500
    attempt = webhook_delivery.send_test(kit.services, erp)
    assert (attempt.status_code, attempt.delivered, attempt.next_attempt_at) == (500, False, None)
    assert kit.store.log == [attempt] and b'"type":"webhook.test"' in kit.sender.sent[0].body
    assert kit.store.endpoint(erp.endpoint_id) == erp  # a test moves nothing
    kit.clock.advance(timedelta(days=1))
    assert webhook_delivery.sweep(kit.services).attempts.attempted == 0


def test_an_endpoint_whose_secret_cannot_be_read_waits_for_the_sweep_and_the_others_go_out(kit: WebhookKit) -> None:
    erp, crm = add_endpoint(kit, ERP), add_endpoint(kit, CRM)
    readable = kit.secrets.secrets_of

    def secrets_of(endpoint_id: str) -> SigningSecrets:
        if endpoint_id == crm.endpoint_id:
            raise DependencyError("Secrets Manager unreachable")
        return readable(endpoint_id)

    kit.secrets.secrets_of = secrets_of  # type: ignore[method-assign]
    report = webhook_delivery.dispatch(kit.services, bus_event(event_id="evt_both"))
    assert (report.attempts.delivered, report.attempts.errors) == (1, 1)
    assert kit.sender.ids_to(ERP) == ["evt_both"] and kit.sender.ids_to(CRM) == []
    assert kit.store.state(crm.endpoint_id, "evt_both").status is DeliveryStatus.PENDING  # leased, then due
    kit.secrets.secrets_of = readable  # type: ignore[method-assign]
    kit.clock.advance(LEASE)
    assert webhook_delivery.sweep(kit.services).attempts.delivered == 1
    assert kit.sender.ids_to(CRM) == ["evt_both"] and kit.store.state(erp.endpoint_id, "evt_both").attempts == 1
