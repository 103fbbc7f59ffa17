"""Signed webhooks through the local runtime: the bus's rule -> the webhooks queue -> the dispatcher (as Lambda's SQS
event source would invoke it) -> a real HTTP receiver on this machine, which checks every delivery with the official
``standardwebhooks`` library (v1) and our verifier (v1a). Time moves with time-machine, so the product's clock, the
receiver's and the library's agree while the retry schedule runs."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import standardwebhooks
import time_machine

from arportal import clock
from arportal.domain.webhook_signing import verify
from arportal.domain.webhooks import DeliveryStatus, DisabledReason
from arportal.services.webhook_endpoints import EndpointChanges
from arportal.wiring import webhooks
from local import invoke
from tests.integration.conftest import new_customer_id
from tests.integration.pay_support import pay
from tests.reliability.worlds import pay_world

ACTOR = "staff:webhook-test"


class Receiver:
    """Answers ``status`` to every delivery whose v1 signature the official library accepts (401 otherwise)."""

    def __init__(self) -> None:
        self.status = 200
        self.secret = ""
        self.requests: list[tuple[dict[str, str], bytes, int]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = dict(self.headers.items())
                try:
                    standardwebhooks.Webhook(receiver.secret).verify(body, headers)
                    status = receiver.status
                except standardwebhooks.WebhookVerificationError:
                    status = 401
                with receiver.lock:
                    receiver.requests.append((headers, body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def accepted(self) -> Counter[str]:
        """How often each webhook-id was answered 2xx."""
        with self.lock:
            return Counter(h["webhook-id"] for h, _, status in self.requests if 200 <= status < 300)

    def statuses(self) -> set[int]:
        with self.lock:
            return {status for _, _, status in self.requests}


@pytest.fixture
def receiver(local_env: Any) -> Iterator[Receiver]:
    local_env.deliver_webhooks_once()  # what other tests put on the bus is not this test's
    made = Receiver()
    yield made
    for endpoint in webhooks.list_endpoints():
        if endpoint.url == made.url:
            webhooks.delete_endpoint(endpoint.endpoint_id, actor=ACTOR)
    made.server.shutdown()
    made.server.server_close()


def subscribe(receiver: Receiver, *, ed25519: bool = False) -> str:
    endpoint, secret = webhooks.create_endpoint(receiver.url, ["payment.*"], ed25519=ed25519, actor=ACTOR)
    receiver.secret = secret
    return endpoint.endpoint_id


def publish(local_env: Any, count: int) -> list[str]:
    """Events put on the bus as the outbox relay puts them (straight on the bus: the ledger's feed stays clean)."""
    ids = [f"evt_test{uuid.uuid4().hex[:22].upper()}" for _ in range(count)]
    entries = [
        {
            "EventBusName": local_env.resources.event_bus,
            "Source": "arportal",
            "DetailType": "payment.posted",
            "Detail": json.dumps({"event_id": eid, "occurred_at": clock.now().isoformat(), "amount": 100 + n}),
        }
        for n, eid in enumerate(ids)
    ]
    for start in range(0, len(entries), 10):
        assert not local_env.client("events").put_events(Entries=entries[start : start + 10]).get("FailedEntryCount")
    return ids


def test_a_payments_event_reaches_the_endpoint_signed(
    local_env: Any, gateway: Any, make_users: Any, receiver: Receiver
) -> None:
    endpoint_id = subscribe(receiver, ed25519=True)
    cid = new_customer_id()
    world = pay_world((3_000,), customer_id=cid)
    world.token = make_users(customer_id=cid).customer_token
    assert pay(gateway, world, uuid.uuid4().hex, amount=3_000).status == 201
    local_env.relay_once()
    assert local_env.deliver_webhooks_once() >= 1
    [(headers, body, status)] = [r for r in receiver.requests if json.loads(r[1])["data"].get("customer_id") == cid]
    assert status == 200  # the official library verified the v1 signature
    payload = json.loads(body)
    assert payload["type"] == "payment.posted" and payload["data"]["amount"] == 3_000
    assert headers["webhook-id"] == payload["data"]["event_id"]
    assert payload["data"]["entity"]["type"] == "payment" and payload["data"]["entity"]["sequence"] >= 1
    verify(headers, body, now=clock.epoch_seconds(), public_key=webhooks.signing_public_key())  # v1a too
    # other tests' payments reach this payment.* endpoint too: this payment's attempt is the one of its webhook-id
    attempts = webhooks.attempts(endpoint_id, limit=100, cursor=None).attempts
    [attempt] = [a for a in attempts if a.event_id == headers["webhook-id"]]
    assert (attempt.event_id, attempt.status_code, attempt.delivered) == (headers["webhook-id"], 200, True)


def test_a_receiver_down_for_ten_minutes_gets_every_missed_event_exactly_once(
    local_env: Any, receiver: Receiver
) -> None:
    subscribe(receiver)
    receiver.status = 503
    start = clock.now()
    with time_machine.travel(start, tick=True) as traveller:
        missed = publish(local_env, 6)
        local_env.deliver_webhooks_once()
        for minute in (0.1, 3, 5.2):  # retries while it is down; more events meanwhile
            traveller.move_to(start + timedelta(minutes=minute))
            local_env.sweep_webhooks()
            if minute == 3:
                missed += publish(local_env, 4)
                local_env.deliver_webhooks_once()
        assert receiver.accepted() == Counter() and receiver.statuses() == {503}
        traveller.move_to(start + timedelta(minutes=10))
        receiver.status = 200  # back up
        local_env.sweep_webhooks()
        traveller.move_to(start + timedelta(minutes=40))  # past the 30-minute retry of every delivery
        local_env.sweep_webhooks()
        local_env.sweep_webhooks()
    accepted = receiver.accepted()
    assert set(accepted) == set(missed)
    assert set(accepted.values()) == {1}  # each exactly once, by webhook-id
    assert 401 not in receiver.statuses()


def test_a_410_switches_the_endpoint_off_and_later_events_are_held_not_dropped(
    local_env: Any, receiver: Receiver
) -> None:
    endpoint_id = subscribe(receiver)
    receiver.status = 410
    [gone] = publish(local_env, 1)
    local_env.deliver_webhooks_once()
    off = webhooks.get_endpoint(endpoint_id)
    assert (off.enabled, off.disabled_reason) == (False, DisabledReason.GONE)
    later = publish(local_env, 3)
    local_env.deliver_webhooks_once()
    local_env.sweep_webhooks()
    assert len(receiver.requests) == 1  # nothing more was sent to it
    store = webhooks.store()
    assert {d.event_id for d in store.held(endpoint_id, limit=10).deliveries} == {gone, *later}
    receiver.status = 200
    webhooks.update_endpoint(endpoint_id, EndpointChanges(enabled=True), actor=ACTOR)
    local_env.sweep_webhooks()
    assert set(receiver.accepted()) == {gone, *later}
    assert all(store.delivery(endpoint_id, e).status is DeliveryStatus.DELIVERED for e in later)  # type: ignore[union-attr]


def test_a_record_that_is_not_an_event_fails_alone_and_the_rest_of_its_batch_goes_out(
    local_env: Any, receiver: Receiver
) -> None:
    subscribe(receiver)
    good = f"evt_test{uuid.uuid4().hex[:22].upper()}"
    envelope = {
        "id": "eb-1",
        "detail-type": "payment.posted",
        "source": "arportal",
        "time": clock.now().isoformat(),
        "detail": {"event_id": good, "amount": 1},
    }
    records = [
        {
            "messageId": "bad",
            "receiptHandle": "r1",
            "body": '{"not": "an event"}',
            "attributes": {},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
        },
        {
            "messageId": "good",
            "receiptHandle": "r2",
            "body": json.dumps(envelope),
            "attributes": {},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
        },
    ]
    answer = invoke.invoke(
        "webhook_dispatcher", "webhook_dispatcher.handler.lambda_handler", local_env.function_env, {"Records": records}
    )
    assert answer == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    assert receiver.accepted() == Counter({good: 1})
