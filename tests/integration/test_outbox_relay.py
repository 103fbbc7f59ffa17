"""The outbox publishes an event if and only if its transaction committed (moto patch 9 keeps this true)."""

from __future__ import annotations

import json

import pytest

from arportal.adapters.dynamodb.outbox import outbox_item
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.config import settings
from arportal.domain.errors import ConflictError
from arportal.domain.event_entities import EventEntity
from arportal.domain.ids import new_id
from tests import builders as b


def write_event(marker: str, *, fail: bool = False) -> None:
    uow = DynamoUnitOfWork(settings().ledger_table)
    uow.create(outbox_item("test.happened", {"marker": marker}, at=b.NOW, entity=EventEntity("test", marker, 1)))
    if fail:  # a condition that cannot hold: the whole transaction is cancelled
        uow.update(
            {"PK": f"NOPE#{marker}", "SK": "NOPE"},
            update_expression="SET x = :x",
            condition="attribute_exists(PK)",
            values={":x": 1},
        )
    uow.commit("test")


def markers(local_env) -> list[str]:
    local_env.relay_once()
    return [
        json.loads(e["detail"]).get("marker") if isinstance(e["detail"], str) else e["detail"].get("marker")
        for e in local_env.drain_events()
        if e.get("detail-type") == "test.happened"
    ]


def test_only_committed_events_are_relayed_even_after_a_cancelled_transaction(local_env):
    markers(local_env)  # start from an empty queue
    ok_before, cancelled, ok_after = new_id("m"), new_id("m"), new_id("m")
    write_event(ok_before)
    with pytest.raises(ConflictError):
        write_event(cancelled, fail=True)
    write_event(ok_after)
    seen = markers(local_env)
    assert ok_before in seen and ok_after in seen
    assert cancelled not in seen
