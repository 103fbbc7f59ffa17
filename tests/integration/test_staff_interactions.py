"""Logging and listing a customer's interactions from the staff console."""

from __future__ import annotations

import uuid

import pytest

from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips


@pytest.fixture(scope="module")
def two_customers(local_env):
    mine, other = new_customer_id(), new_customer_id()
    account = b.account(mine)
    invoice = b.invoice(mine, account.account_number)
    payment = b.payment(mine)
    others_payment = b.payment(other)
    DynamoCustomerRecords(settings().ledger_table).put_new(
        [b.customer(mine), b.customer(other), account, invoice, payment, others_payment]
    )
    return {"cid": mine, "invoice": invoice, "payment": payment, "others_payment": others_payment}


@pytest.fixture(scope="module")
def staff(local_env):
    tokens = {}
    for role in ("agent", "finance"):
        user = local_env.create_user(f"{role}-{uuid.uuid4().hex[:8]}@example.org", groups=(role,))
        tokens[role] = local_env.login(user.username).id_token
    return tokens


def _post(gateway, cid, token, body, key: str | None = "k"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return gateway.request("POST", f"/v1/staff/customers/{cid}/interactions", token=token, json=body, headers=headers)


def test_an_agent_logs_a_call_once_however_often_it_is_submitted(gateway, two_customers, staff):
    cid, key = two_customers["cid"], uuid.uuid4().hex
    body = {
        "kind": "call",
        "summary": "Asked why the water bill doubled; explained the meter reading",
        "invoice_id": two_customers["invoice"].invoice_id,
        "payment_id": two_customers["payment"].payment_id,
    }
    # When the same request is sent twice with one key
    with dynamodb_round_trips() as trips:
        first = _post(gateway, cid, staff["agent"], body, key)
    second = _post(gateway, cid, staff["agent"], body, key)
    # Then one interaction exists, the second answer is the first one, and it was one transaction
    assert first.status == 201, first.body
    assert second.status == 200 and second.body["replayed"] is True
    assert second.body["interaction"] == first.body["interaction"]
    assert [c.rsplit(".", 1)[-1] for c in trips.calls] == ["GetItem", "BatchGetItem", "TransactWriteItems"]
    listed = gateway.request("GET", f"/v1/staff/customers/{cid}/interactions", token=staff["agent"]).body
    assert [i["interaction_id"] for i in listed["interactions"]].count(first.body["interaction"]["interaction_id"]) == 1
    interaction = first.body["interaction"]
    assert interaction["kind"] == "call" and interaction["staff_id"].startswith("staff:agent-")
    # and its audit record was written with it, as the first link of its own chain
    trail = DynamoAuditTrail(settings().audit_table)
    records = trail.history("interaction", interaction["interaction_id"])
    assert [r["action"] for r in records] == ["interaction.logged"]
    assert trail.verify("interaction", interaction["interaction_id"]).ok


def test_the_same_key_for_a_different_note_is_refused(gateway, two_customers, staff):
    cid, key = two_customers["cid"], uuid.uuid4().hex
    assert _post(gateway, cid, staff["agent"], {"kind": "note", "summary": "first"}, key).status == 201
    reply = _post(gateway, cid, staff["agent"], {"kind": "note", "summary": "second"}, key)
    assert reply.status == 422 and reply.body["error"]["code"] == "idempotency_key_reused"


def test_the_key_is_required_and_the_body_checked(gateway, two_customers, staff):
    cid = two_customers["cid"]
    missing = _post(gateway, cid, staff["agent"], {"kind": "note", "summary": "x"}, key=None)
    assert missing.status == 400 and missing.body["error"]["details"][0]["field"] == "header.Idempotency-Key"
    bad = _post(gateway, cid, staff["agent"], {"kind": "gossip", "summary": "", "extra": 1})
    assert bad.status == 422
    assert {d["field"] for d in bad.body["error"]["details"]} == {"kind", "summary", "extra"}


def test_referenced_records_must_be_the_customers_own(gateway, two_customers, staff):
    cid = two_customers["cid"]
    body = {"kind": "note", "summary": "refund promised", "payment_id": two_customers["others_payment"].payment_id}
    reply = _post(gateway, cid, staff["agent"], body, uuid.uuid4().hex)
    assert reply.status == 422
    assert reply.body["error"]["details"] == [{"field": "payment_id", "reason": f"not a payment of customer {cid}"}]
    unknown = _post(gateway, new_customer_id(), staff["agent"], {"kind": "note", "summary": "x"}, uuid.uuid4().hex)
    assert unknown.status == 404


def test_finance_may_read_but_not_write_interactions(gateway, two_customers, staff):
    cid = two_customers["cid"]
    reply = _post(gateway, cid, staff["finance"], {"kind": "note", "summary": "x"}, uuid.uuid4().hex)
    assert reply.status == 403 and reply.body["error"]["details"] == {"needs": "interactions.write"}
    assert gateway.request("GET", f"/v1/staff/customers/{cid}/interactions", token=staff["finance"]).status == 200


def test_interactions_list_newest_first_page_by_page(gateway, local_env, staff):
    cid = new_customer_id()
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid)])
    for n in range(5):
        assert _post(gateway, cid, staff["agent"], {"kind": "counter", "summary": f"visit {n}"}, f"v{n}").status == 201
    first = gateway.request("GET", f"/v1/staff/customers/{cid}/interactions?limit=3", token=staff["agent"]).body
    rest = gateway.request(
        "GET", f"/v1/staff/customers/{cid}/interactions?limit=3&cursor={first['next_cursor']}", token=staff["agent"]
    ).body
    assert [i["summary"] for i in first["interactions"] + rest["interactions"]] == [
        f"visit {n}" for n in range(4, -1, -1)
    ]
    assert rest["next_cursor"] is None
    empty = gateway.request("GET", f"/v1/staff/customers/{new_customer_id()}/interactions", token=staff["agent"])
    assert empty.status == 404
