"""The local runtime serves many requests at once in one process; each must keep its own event, as each Lambda
container does (``local/containers.py``)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from local.containers import isolate_requests


def _app_seen_twice() -> tuple[APIGatewayRestResolver, threading.Barrier]:
    app = APIGatewayRestResolver()
    both_inside = threading.Barrier(2, timeout=10)

    @app.get("/who")
    def who() -> dict[str, str]:
        before = app.current_event.headers.get("X-Who", "")
        both_inside.wait()  # the other request has started (and set its event) by now
        return {"before": before, "after": app.current_event.headers.get("X-Who", "")}

    return app, both_inside


def _event(who: str) -> dict[str, Any]:
    return {"httpMethod": "GET", "path": "/who", "resource": "/who", "headers": {"X-Who": who},
            "requestContext": {"stage": "test"}, "body": None, "isBase64Encoded": False}  # fmt: skip


def _ask_at_once(app: APIGatewayRestResolver) -> list[str]:
    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda who: app.resolve(_event(who), {}), ["alice", "bob"]))
    return [r["body"] for r in replies]


def test_without_isolation_one_request_sees_the_others_event():
    app, _ = _app_seen_twice()
    bodies = _ask_at_once(app)
    assert any('"before":"alice","after":"bob"' in b or '"before":"bob","after":"alice"' in b for b in bodies)


def test_isolated_each_request_keeps_its_own_event():
    app, _ = _app_seen_twice()
    isolate_requests(app)
    isolate_requests(app)  # idempotent
    bodies = _ask_at_once(app)
    assert sorted(bodies) == ['{"before":"alice","after":"alice"}', '{"before":"bob","after":"bob"}']
