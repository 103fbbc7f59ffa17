"""Applying held credit through the API, against moto: the portal and the staff routes, replays, and two
applications racing for the same credit."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, invoice_items
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from arportal.domain.models import CreditNote
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.reliability.worlds import PayWorld, pay_world

ROUTE = "/v1/portal/credit-applications"


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    # Given a customer with invoices of 3,000 (due first) and 5,000, and 4,500 of credit in a 1,500 note
    cid = new_customer_id()
    w = pay_world((3_000, 5_000), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


def _credit(world: PayWorld, amount: int, *, days_ago: int = 3) -> CreditNote:
    note = b.credit_note(world.customer_id, world.account.account_number, amount=amount).model_copy(
        update={"credit_note_id": f"cn_{uuid.uuid4().hex[:26]}", "issued_on": b.TODAY - timedelta(days=days_ago)}
    )
    DynamoCustomerRecords(settings().ledger_table).put_new([note])
    return note


def _note(world: PayWorld, note_id: str) -> CreditNote:
    item = client("dynamodb").get_item(
        TableName=settings().ledger_table,
        Key=codec.serialize(
            {"PK": customer_items.customer_pk(world.customer_id), "SK": invoice_items.credit_note_sk(note_id)}
        ),
        ConsistentRead=True,
    )["Item"]
    return entity_items.from_item(codec.deserialize(item), CreditNote)


def _apply(gateway, token, body=None, key=None):
    return gateway.request(
        "POST", ROUTE, token=token, json=body or {}, headers={"Idempotency-Key": key or uuid.uuid4().hex}
    )


def test_a_customer_applies_their_credit_oldest_due_first_and_a_retry_replays(gateway, world):
    older, newer = _credit(world, 1_500, days_ago=10), _credit(world, 3_000, days_ago=2)
    first, second = world.invoices
    key = uuid.uuid4().hex

    # When the customer applies their credit
    reply = _apply(gateway, world.token, key=key)

    # Then the oldest-due invoice is paid off, 1,500 goes to the next, and no credit is left
    assert reply.status == 201, reply.body
    body = reply.body
    assert body["applied"] == {"amount": 4_500, "currency": "USD"} and body["credit_left"]["amount"] == 0
    assert [(i["invoice_id"], i["applied"]["amount"], i["balance"]["amount"]) for i in body["invoices"]] == [
        (first.invoice_id, 3_000, 0),
        (second.invoice_id, 1_500, 3_500),
    ]
    assert [s["credit_note_id"] for s in body["invoices"][0]["sources"]] == [older.credit_note_id, newer.credit_note_id]
    # And the ledger agrees: balances, credited, notes emptied with their applications recorded
    assert (world.invoice(first.invoice_id).balance, world.invoice(first.invoice_id).status.value) == (0, "paid")
    assert world.invoice(second.invoice_id).credited == 1_500
    assert _note(world, older.credit_note_id).remaining == 0 and _note(world, newer.credit_note_id).remaining == 0
    assert len(_note(world, newer.credit_note_id).applications) == 2

    # When the same request is sent again with the same key
    again = _apply(gateway, world.token, key=key)
    # Then it is the first answer, and nothing moved twice
    assert again.status == 201 and again.body == body and again.headers.get("idempotent-replayed") == "true"
    assert world.invoice(second.invoice_id).balance == 3_500
    # And the same key with another body is refused
    reused = _apply(gateway, world.token, {"invoice_ids": [second.invoice_id]}, key=key)
    assert reused.status == 422 and reused.body["error"]["code"] == "idempotency_key_reused"
    # And with nothing left, a new request is a clear 422
    none_left = _apply(gateway, world.token)
    assert none_left.status == 422 and none_left.body["error"]["code"] == "no_credit_to_apply"


def test_chosen_invoices_are_honoured_and_the_customer_sees_the_invoice_detail(gateway, world):
    note = _credit(world, 2_000)
    first, second = world.invoices
    reply = _apply(gateway, world.token, {"invoice_ids": [second.invoice_id]})
    assert reply.status == 201, reply.body
    assert [(i["invoice_id"], i["applied"]["amount"]) for i in reply.body["invoices"]] == [(second.invoice_id, 2_000)]
    assert world.invoice(first.invoice_id).balance == 3_000
    detail = gateway.request("GET", f"/v1/portal/invoices/{second.invoice_id}", token=world.token)
    assert detail.body["invoice"]["balance"]["amount"] == 3_000
    assert [(c["credit_note_id"], c["amount"]["amount"]) for c in detail.body["credit_notes"]] == [
        (note.credit_note_id, 2_000)
    ]


def test_a_customer_cannot_apply_credit_to_another_customers_invoice(gateway, world, local_env, make_users):
    _credit(world, 2_000)
    cid = new_customer_id()
    other = pay_world((4_000,), customer_id=cid, email=f"{cid.lower()}@example.org")
    theirs = other.invoices[0]
    for body in (
        {"invoice_ids": [theirs.invoice_id]},
        {"invoice_ids": [theirs.invoice_id], "account_number": other.account.account_number},
        {"account_number": other.account.account_number},
    ):
        reply = _apply(gateway, world.token, body)
        assert reply.status == 422, reply.body
    assert other.invoice(theirs.invoice_id).balance == 4_000 and other.invoice(theirs.invoice_id).credited == 0


def test_staff_apply_a_customers_credit_audited_as_themselves(gateway, world, make_users):
    _credit(world, 1_000)
    staff = make_users(groups=("agent",))
    path = f"/v1/staff/customers/{world.customer_id}/credit-applications"
    reply = gateway.request("POST", path, token=staff.staff_token, json={}, headers={"Idempotency-Key": "k1"})
    assert reply.status == 201, reply.body
    assert world.invoice(world.invoices[0].invoice_id).balance == 2_000
    trail = DynamoAuditTrail(settings().audit_table)
    records = trail.history("credit_application", reply.body["application_id"])
    assert [(r["action"], r["actor"]) for r in records] == [("credit.applied", f"staff:{staff.staff.username}")]
    assert trail.verify("credit_application", reply.body["application_id"]).ok


def test_two_applications_racing_for_the_same_credit_never_over_apply(gateway, world):
    # Given 2,000 of credit and two requests (different keys) applying it at the same moment
    note = _credit(world, 2_000)
    start = threading.Barrier(2)

    def submit(_: int):
        key = uuid.uuid4().hex
        start.wait()
        return _apply(gateway, world.token, key=key)

    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(submit, range(2)))

    # Then the credit was applied once in all: one answer applied it, the other found none left (or retried later)
    applied = [r.body["applied"]["amount"] for r in replies if r.status == 201]
    assert sum(applied) == 2_000, [r.body for r in replies]
    assert all(r.status == 201 or r.body["error"]["code"] in {"no_credit_to_apply", "conflict"} for r in replies), [
        (r.status, r.body) for r in replies
    ]
    assert _note(world, note.credit_note_id).remaining == 0
    first = world.invoice(world.invoices[0].invoice_id)
    assert (first.credited, first.balance) == (2_000, 1_000)
