"""The audit trail on moto: appended in the same transaction as the change, chained, tamper-evident."""

from __future__ import annotations

from datetime import timedelta

import pytest

from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb.audit import DynamoAuditTrail, entity_pk, record_sk
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.config import settings
from arportal.domain.errors import ConflictError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from tests import builders as b


def event(entity_id: str, action: str, minutes: int = 0) -> AuditEvent:
    return AuditEvent(
        event_id=new_id("aud"),
        entity_type="payment",
        entity_id=entity_id,
        action=action,
        actor="staff:agent@demo.local",
        at=b.NOW + timedelta(minutes=minutes),
        before={"status": "posted"},
        after={"status": "refunded", "amount": 1250},
        reason="duplicate charge",
        request_id="req-1",
    )


@pytest.fixture
def trail(local_env):
    return DynamoAuditTrail(settings().audit_table)


def append(trail, ev):
    uow = DynamoUnitOfWork(settings().ledger_table)
    trail.append(uow, ev, head=trail.head(ev.entity_type, ev.entity_id))
    uow.commit("audit")


def test_records_chain_and_verify(trail):
    pid = new_id("pay")
    for i, action in enumerate(["payment.posted", "refund.requested", "refund.approved", "payment.refunded"]):
        append(trail, event(pid, action, i))
    history = trail.history("payment", pid)
    assert [r["action"] for r in history] == [
        "payment.posted",
        "refund.requested",
        "refund.approved",
        "payment.refunded",
    ]
    assert [r["seq"] for r in history] == [1, 2, 3, 4]
    assert trail.verify("payment", pid).ok


def test_a_stale_head_cannot_fork_the_chain(trail):
    pid = new_id("pay")
    append(trail, event(pid, "payment.posted"))
    stale = trail.head("payment", pid)
    append(trail, event(pid, "refund.requested", 1))
    uow = DynamoUnitOfWork(settings().ledger_table)
    trail.append(uow, event(pid, "refund.requested", 2), head=stale)
    with pytest.raises(ConflictError):
        uow.commit("audit")
    assert trail.verify("payment", pid).ok and len(trail.history("payment", pid)) == 2


@pytest.mark.parametrize("tamper", ["alter", "delete_middle", "delete_last"])
def test_tampering_with_stored_records_is_detected(trail, local_env, tamper):
    pid = new_id("pay")
    for i in range(3):
        append(trail, event(pid, f"step-{i}", i))
    dynamodb = local_env.client("dynamodb")
    key = {"PK": entity_pk("payment", pid), "SK": record_sk(2 if tamper != "delete_last" else 3)}
    if tamper == "alter":
        dynamodb.update_item(
            TableName=settings().audit_table,
            Key=codec.serialize(key),
            UpdateExpression="SET reason = :r",
            ExpressionAttributeValues={":r": {"S": "nothing"}},
        )
    else:
        dynamodb.delete_item(TableName=settings().audit_table, Key=codec.serialize(key))
    result = trail.verify("payment", pid)
    assert not result.ok and result.problems


def test_the_audit_route_shows_the_trail_to_those_allowed(gateway, trail, make_users):
    pid = new_id("pay")
    append(trail, event(pid, "payment.posted"))
    supervisor = make_users(groups=("supervisor",)).staff_token
    reply = gateway.request("GET", f"/v1/staff/audit?entity=payment:{pid}", token=supervisor)
    assert reply.status == 200, reply.body
    assert reply.body["verification"]["ok"] and reply.body["records"][0]["action"] == "payment.posted"
    agent = make_users(groups=("agent",)).staff_token
    assert gateway.request("GET", f"/v1/staff/audit?entity=payment:{pid}", token=agent).status == 403
    bad = gateway.request("GET", "/v1/staff/audit?entity=galaxy:42424", token=supervisor)
    assert bad.status == 422 and bad.body["error"]["details"][0]["field"] == "entity"


def test_audit_records_reach_the_object_lock_bucket(local_env, trail):
    local_env.export_audit_once()  # start from a drained stream
    pid = new_id("pay")
    append(trail, event(pid, "payment.posted"))
    assert local_env.export_audit_once() >= 2  # the record and its head
    s3 = local_env.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=settings().audit_bucket, Prefix="audit/").get("Contents", [])]
    bodies = [s3.get_object(Bucket=settings().audit_bucket, Key=k)["Body"].read().decode() for k in keys]
    assert any(f"PAYMENT#{pid}" in body and "payment.posted" in body for body in bodies)
