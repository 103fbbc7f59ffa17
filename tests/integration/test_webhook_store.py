"""The webhooks table's store against moto: the conditions every write is made under (the in-memory fake of
``tests/webhook_fakes.py`` holds the same ones), the sparse Due and Held indexes, and the attempt log's pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from arportal import clock
from arportal.domain.errors import BusinessRuleError, ConflictError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.webhooks import Attempt, Delivery, DeliveryStatus, Endpoint, held, released
from arportal.wiring import webhooks


@pytest.fixture
def store(local_env: Any) -> Iterator[Any]:
    made = webhooks.store()
    before = {e.endpoint_id for e in made.endpoints()}
    yield made
    for endpoint in made.endpoints():  # later tests' events must not fan out to these
        if endpoint.endpoint_id not in before:
            made.delete_endpoint(endpoint.endpoint_id)


def new_endpoint(store: Any) -> Endpoint:
    endpoint = Endpoint(new_id("whe"), "https://erp.example/hooks", ("payment.*",), created_at=clock.now())
    store.create_endpoint(endpoint)
    return endpoint


def new_delivery(endpoint: Endpoint, **fields: Any) -> Delivery:
    base = Delivery(
        endpoint.endpoint_id, new_id("evt"), "payment.posted", '{"type":"payment.posted"}', DeliveryStatus.PENDING
    )
    return replace(base, **fields)


def attempt_of(delivery: Delivery, after: Delivery) -> Attempt:
    return Attempt(delivery.endpoint_id, delivery.event_id, after.round, after.attempts, clock.now(), 503, 12, False)


def test_an_endpoint_is_written_only_at_the_version_it_was_read_in(store: Any) -> None:
    endpoint = new_endpoint(store)
    moved = store.update_endpoint(replace(endpoint, enabled=False))
    assert moved.version == 2 and store.endpoint(endpoint.endpoint_id) == moved
    with pytest.raises(ConflictError):
        store.update_endpoint(replace(endpoint, description="stale"))
    assert endpoint.endpoint_id in {e.endpoint_id for e in store.endpoints()}
    store.delete_endpoint(endpoint.endpoint_id)
    with pytest.raises(NotFoundError):
        store.endpoint(endpoint.endpoint_id)


def test_a_delivery_opens_once_and_an_attempt_is_recorded_once(store: Any) -> None:
    endpoint = new_endpoint(store)
    opened = new_delivery(endpoint, next_attempt_at=clock.now())
    assert store.open_delivery(opened) is True
    assert store.open_delivery(replace(opened, body="another")) is False
    after = replace(opened, attempts=1, next_attempt_at=clock.now() + timedelta(seconds=5), last_status_code=503)
    assert store.record_attempt(opened, after, attempt_of(opened, after)) is True
    assert store.record_attempt(opened, after, attempt_of(opened, after)) is False  # the racing worker
    assert store.delivery(endpoint.endpoint_id, opened.event_id) == after
    assert len(store.attempts(endpoint.endpoint_id, limit=10).attempts) == 1


def test_a_move_needs_the_status_round_attempts_and_next_time_as_read(store: Any) -> None:
    endpoint = new_endpoint(store)
    due = new_delivery(endpoint, next_attempt_at=clock.now())
    store.open_delivery(due)
    claimed = replace(due, next_attempt_at=clock.now() + timedelta(minutes=1))
    assert store.put_delivery(due, claimed) is True
    assert store.put_delivery(due, claimed) is False  # a second sweep read it before the claim
    assert store.put_delivery(claimed, held(claimed, clock.now())) is True
    found = store.delivery(endpoint.endpoint_id, due.event_id)
    assert store.deliveries(endpoint.endpoint_id, [due.event_id, "evt_missing"]) == {due.event_id: found}


def test_only_pending_deliveries_are_due_and_only_held_ones_are_held(store: Any) -> None:
    endpoint = new_endpoint(store)
    now = clock.now() + timedelta(days=400)  # later than anything other tests left due
    soon, later = (
        new_delivery(endpoint, next_attempt_at=now - timedelta(seconds=1)),
        new_delivery(endpoint, next_attempt_at=now),
    )
    waiting = new_delivery(endpoint, next_attempt_at=now + timedelta(seconds=1))
    kept = held(new_delivery(endpoint), now)
    done = new_delivery(endpoint, status=DeliveryStatus.DELIVERED)
    for delivery in (later, soon, waiting, kept, done):
        store.open_delivery(delivery)
    due_ids = [d.event_id for d in store.due(now, limit=1000) if d.endpoint_id == endpoint.endpoint_id]
    assert due_ids == [soon.event_id, later.event_id]  # oldest first; not the one due a second later
    assert [d.event_id for d in store.held(endpoint.endpoint_id, limit=10).deliveries] == [kept.event_id]
    assert store.put_delivery(kept, released(kept, now))
    assert store.held(endpoint.endpoint_id, limit=10).deliveries == []
    assert kept.event_id in {d.event_id for d in store.due(now, limit=1000)}


def test_the_log_pages_newest_first_and_refuses_a_cursor_it_did_not_hand_out(store: Any) -> None:
    endpoint, other = new_endpoint(store), new_endpoint(store)
    delivery = new_delivery(endpoint, next_attempt_at=clock.now())
    store.open_delivery(delivery)
    for n in range(5):
        current = store.delivery(endpoint.endpoint_id, delivery.event_id)
        after = replace(current, attempts=n + 1)
        store.record_attempt(current, after, replace(attempt_of(current, after), at=clock.now() + timedelta(seconds=n)))
    first = store.attempts(endpoint.endpoint_id, limit=3)
    second = store.attempts(endpoint.endpoint_id, limit=3, cursor=first.cursor)
    assert [a.attempt for a in first.attempts + second.attempts] == [5, 4, 3, 2, 1]
    assert second.cursor is None or store.attempts(endpoint.endpoint_id, limit=3, cursor=second.cursor).attempts == []
    for bad in ("nonsense", first.cursor[:-2] + "xx"):
        with pytest.raises(BusinessRuleError):
            store.attempts(endpoint.endpoint_id, limit=3, cursor=bad)
    with pytest.raises(BusinessRuleError):
        store.attempts(other.endpoint_id, limit=3, cursor=first.cursor)  # another endpoint's page
