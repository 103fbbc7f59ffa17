"""POST /v1/portal/support-requests: an interaction on the customer's record, once per Idempotency-Key."""

from __future__ import annotations

import json
import uuid

import pytest

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips

SUPPORT = "/v1/portal/support-requests"


@pytest.fixture
def customer(local_env, make_users):
    cid = new_customer_id()
    account = b.account(cid, number=f"UT-{b.n() + 950000}")
    invoice = b.invoice(cid, account.account_number)
    payment = b.payment(cid)
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), account, invoice, payment])
    return {"id": cid, "invoice": invoice, "payment": payment, "token": make_users(customer_id=cid).customer_token}


def _interactions(customer_id: str) -> list[dict]:
    response = client("dynamodb").query(
        TableName=settings().ledger_table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :int)",
        ExpressionAttributeValues=codec.serialize({":pk": customer_items.customer_pk(customer_id), ":int": "INT#"}),
        ConsistentRead=True,
    )
    return [codec.deserialize(i) for i in response["Items"]]


def _send(gateway, customer, body, key: str | None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return gateway.request("POST", SUPPORT, token=customer["token"], json=body, headers=headers)


def test_a_request_becomes_one_interaction_even_when_submitted_twice(gateway, customer, local_env):
    body = {
        "subject": "Meter reading looks wrong",
        "message": "My bill doubled; the meter was read in the snow.",
        "invoice_id": customer["invoice"].invoice_id,
        "payment_id": customer["payment"].payment_id,
    }
    key = str(uuid.uuid4())
    first = _send(gateway, customer, body, key)
    assert first.status == 201, first.body
    again = _send(gateway, customer, body, key)
    assert again.status == 201 and again.body == first.body and again.headers["idempotent-replayed"] == "true"
    stored = _interactions(customer["id"])
    assert len(stored) == 1
    assert stored[0]["kind"] == "portal_request" and stored[0]["invoice_id"] == customer["invoice"].invoice_id
    assert stored[0]["summary"].startswith("Meter reading looks wrong\n\n")
    assert first.body["interaction_id"] == stored[0]["interaction_id"]
    local_env.relay_once()  # relays every test's pending events: look only at this customer's
    events = [
        e
        for e in local_env.drain_events()
        if e["detail-type"] == "support_request.created" and e["detail"]["customer_id"] == customer["id"]
    ]
    assert [e["detail"]["interaction_id"] for e in events] == [first.body["interaction_id"]]


def test_a_new_key_is_a_new_request_and_a_reused_key_with_another_body_is_refused(gateway, customer):
    key = str(uuid.uuid4())
    assert _send(gateway, customer, {"subject": "A", "message": "first"}, key).status == 201
    reused = _send(gateway, customer, {"subject": "A", "message": "something else"}, key)
    assert reused.status == 422 and reused.body["error"]["code"] == "idempotency_key_reused"
    assert _send(gateway, customer, {"subject": "A", "message": "first"}, str(uuid.uuid4())).status == 201
    assert len(_interactions(customer["id"])) == 2


@pytest.mark.parametrize("key", [None, "", " ", "x" * 300])
def test_the_idempotency_key_is_required(gateway, customer, key):
    reply = _send(gateway, customer, {"subject": "Hi", "message": "there"}, key)
    assert reply.status == 400 and reply.body["error"]["details"][0]["field"] == "header.Idempotency-Key"
    assert _interactions(customer["id"]) == []


def test_only_the_customers_own_records_may_be_named(gateway, customer, make_users):
    other = new_customer_id()
    account = b.account(other, number=f"UT-{b.n() + 950000}")
    theirs = b.invoice(other, account.account_number)
    their_payment = b.payment(other)
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(other), account, theirs, their_payment])
    for body in (
        {"subject": "x", "message": "y", "invoice_id": theirs.invoice_id},
        {"subject": "x", "message": "y", "payment_id": their_payment.payment_id},
        {"subject": "x", "message": "y", "invoice_id": "inv_nosuchthing"},
    ):
        reply = _send(gateway, customer, body, str(uuid.uuid4()))
        assert reply.status == 404, body
        assert theirs.invoice_number not in json.dumps(reply.body)
    assert _interactions(customer["id"]) == [] and _interactions(other) == []


@pytest.mark.parametrize(
    "body",
    [
        {"subject": "", "message": "y"},
        {"subject": "x"},
        {"subject": "x", "message": "y" * 3501},
        {"subject": "x", "message": "y", "customer_id": "CUS-ABCD1234"},
        {"subject": "x", "message": "y", "invoice_id": "../../etc"},
    ],
)
def test_invalid_requests_are_422(gateway, customer, body):
    assert _send(gateway, customer, body, str(uuid.uuid4())).status == 422


def test_one_transaction_and_keyed_reads(gateway, customer):
    body = {"subject": "x", "message": "y", "invoice_id": customer["invoice"].invoice_id}
    with dynamodb_round_trips() as trips:
        assert _send(gateway, customer, body, str(uuid.uuid4())).status == 201
    operations = [c.rsplit(".", 1)[-1] for c in trips.calls]
    assert operations.count("TransactWriteItems") == 1
    assert set(operations) <= {"GetItem", "BatchGetItem", "UpdateItem", "TransactWriteItems"}, operations


def test_requests_are_rate_limited(gateway, customer):
    from datetime import UTC, datetime

    from arportal.adapters.dynamodb.rate_limits import DynamoRateCounter
    from arportal.domain.rate_limits import SUPPORT_REQUESTS
    from arportal.services.rate_limit import subject_key

    # Given nine requests already filed this hour (counted in the real counter, without filing them)
    counter, now = DynamoRateCounter(settings().ledger_table), datetime.now(UTC)
    for _ in range(SUPPORT_REQUESTS.limit - 1):
        counter.add(SUPPORT_REQUESTS.name, SUPPORT_REQUESTS.window_s, subject_key(customer["id"]), limit=10, now=now)
    # When two more are sent, Then the tenth is filed and the eleventh waits
    assert _send(gateway, customer, {"subject": "s", "message": "10"}, str(uuid.uuid4())).status == 201
    limited = _send(gateway, customer, {"subject": "s", "message": "11"}, str(uuid.uuid4()))
    assert limited.status == 429 and int(limited.headers["retry-after"]) > 0
    assert len(_interactions(customer["id"])) == 1
