"""Signed webhooks (issue 13, "Budgets"), measured through the local runtime as ``make dev`` runs it: events put
on the bus, the rule's queue long-polled by the local event source, the real dispatcher, the real HTTP sender, and
receivers on this machine that check every signature (the official ``standardwebhooks`` library).

1. Latency: one event at a time put on the bus (PutEvents) until a healthy receiver has it; p50 and p99 of
   publish -> delivered.
2. Fan-out: 1,000 events to 5 endpoints, each receiver taking 20 ms an answer, one of them with a rate limit of 100
   a second. Every delivery must arrive exactly once (by webhook-id); reported: the most requests any endpoint had
   in flight at once (the dispatcher's bound is 4 per endpoint per container), the most sends the rate-limited one
   saw start within a second, and the throughput.

The wall times are moto's, in one process on a shared laptop-class machine: DynamoDB in AWS answers each write in
a few milliseconds, so the figures here are an upper bound on the dispatcher's own overhead.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LATENCY_EVENTS = 200
FANOUT_EVENTS = 1_000
ENDPOINTS = 5
RECEIVER_DELAY_S = 0.02
RATE_LIMITED = 100  # deliveries a second, on the last endpoint
TIMEOUT_S = 600


class _Receiver:
    """Counts what it gets per webhook-id and how many requests it has in flight; verifies each signature."""

    def __init__(self, delay_s: float = 0.0) -> None:
        import standardwebhooks

        self.secret = ""
        self.delay_s = delay_s
        self.arrived: dict[str, float] = {}
        self.counts: Counter[str] = Counter()
        self.starts: list[float] = []
        self.in_flight = self.peak = self.refused = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                with receiver.lock:
                    receiver.in_flight += 1
                    receiver.peak = max(receiver.peak, receiver.in_flight)
                    receiver.starts.append(time.monotonic())
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    standardwebhooks.Webhook(receiver.secret).verify(body, dict(self.headers.items()))
                    status = 200
                except standardwebhooks.WebhookVerificationError:
                    status = 401
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                msg_id = self.headers["webhook-id"]
                with receiver.lock:
                    receiver.in_flight -= 1
                    if status == 200:
                        receiver.counts[msg_id] += 1
                        receiver.arrived.setdefault(msg_id, time.perf_counter())
                    else:
                        receiver.refused += 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def max_starts_within_a_second(self) -> int:
        starts, best, low = sorted(self.starts), 0, 0
        for high, at in enumerate(starts):
            while at - starts[low] >= 1.0:
                low += 1
            best = max(best, high - low + 1)
        return best

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _entries(env: Any, ids: list[str]) -> list[dict[str, Any]]:
    from arportal import clock

    return [
        {
            "EventBusName": env.resources.event_bus,
            "Source": "arportal",
            "DetailType": "payment.posted",
            "Detail": json.dumps({"event_id": eid, "occurred_at": clock.now().isoformat(), "amount": 1_000}),
        }
        for eid in ids
    ]


def _subscribe(receiver: _Receiver, *, rate_limit: int | None = None) -> str:
    from arportal.wiring import webhooks

    endpoint, receiver.secret = webhooks.create_endpoint(
        receiver.url, ["payment.*"], rate_limit=rate_limit, actor="system:bench"
    )
    return endpoint.endpoint_id


def _wait(done: Any) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("deliveries did not all arrive")
        time.sleep(0.002)


def _latency(env: Any) -> dict[str, Any]:
    from arportal.domain.ids import new_id
    from arportal.wiring import webhooks

    receiver = _Receiver()
    endpoint_id = _subscribe(receiver)
    events = env.client("events")
    took_ms = []
    try:
        for _ in range(LATENCY_EVENTS):
            eid = new_id("evt")
            published = time.perf_counter()
            assert not events.put_events(Entries=_entries(env, [eid])).get("FailedEntryCount")
            _wait(lambda eid=eid: eid in receiver.arrived)
            took_ms.append((receiver.arrived[eid] - published) * 1000)
    finally:
        receiver.close()
        webhooks.delete_endpoint(endpoint_id, actor="system:bench")
    ordered = sorted(took_ms)
    return {
        "events": LATENCY_EVENTS,
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 1),
        "max_ms": round(ordered[-1], 1),
        "refused": receiver.refused,
    }


def _fanout(env: Any) -> dict[str, Any]:
    from arportal.domain.ids import new_id
    from arportal.services.webhook_attempts import MAX_PER_ENDPOINT
    from arportal.wiring import webhooks

    receivers = [_Receiver(RECEIVER_DELAY_S) for _ in range(ENDPOINTS)]
    ids = [_subscribe(r, rate_limit=RATE_LIMITED if n == ENDPOINTS - 1 else None) for n, r in enumerate(receivers)]
    events = [new_id("evt") for _ in range(FANOUT_EVENTS)]
    try:
        started = time.perf_counter()
        client = env.client("events")
        for start in range(0, len(events), 10):
            assert not client.put_events(Entries=_entries(env, events[start : start + 10])).get("FailedEntryCount")
        published_s = time.perf_counter() - started
        _wait(lambda: all(len(r.counts) == FANOUT_EVENTS for r in receivers))
        took_s = time.perf_counter() - started
        time.sleep(2)  # anything sent twice would arrive by now
    finally:
        for receiver in receivers:
            receiver.close()
        for endpoint_id in ids:
            webhooks.delete_endpoint(endpoint_id, actor="system:bench")
    delivered = sum(sum(r.counts.values()) for r in receivers)
    return {
        "events": FANOUT_EVENTS,
        "endpoints": ENDPOINTS,
        "deliveries": delivered,
        "each_exactly_once": all(set(r.counts) == set(events) and set(r.counts.values()) == {1} for r in receivers),
        "refused_signatures": sum(r.refused for r in receivers),
        "receiver_answer_ms": RECEIVER_DELAY_S * 1000,
        "bound_per_endpoint_per_container": MAX_PER_ENDPOINT,
        "max_in_flight_per_endpoint": [r.peak for r in receivers],
        "rate_limited_endpoint_limit_per_s": RATE_LIMITED,
        "rate_limited_endpoint_max_starts_in_1s": receivers[-1].max_starts_within_a_second(),
        "publish_s": round(published_s, 1),
        "all_delivered_s": round(took_s, 1),
        "deliveries_per_s": round(delivered / took_s),
    }


def run() -> dict[str, object]:
    from local.environment import LocalEnvironment

    # As make dev runs it: the webhooks queue long-polled and the sweep every second, on background threads.
    with LocalEnvironment(max_wait_seconds=0, relay_interval_s=1.0, webhook_retry_scale=0.01) as env:
        latency = _latency(env)
        fanout = _fanout(env)
    assert fanout["each_exactly_once"] and not fanout["refused_signatures"], fanout
    assert max(fanout["max_in_flight_per_endpoint"]) <= fanout["bound_per_endpoint_per_container"], fanout
    return {
        "publish_to_delivered": latency,
        "fan_out": fanout,
        "notes": (
            "one process: moto (DynamoDB, SQS, EventBridge), the local SQS event source (long poll), the dispatcher "
            "and the receivers share two cores; in AWS up to 5 dispatcher containers take batches at once, each "
            "within its own bound of 4 per endpoint"
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
