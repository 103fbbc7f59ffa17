"""The staff console's customer record (the "360") and its lists, through the gateway against moto."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from arportal.adapters.balances.cache import ANSWERS
from arportal.adapters.dynamodb.approvals import DynamoApprovalWorkflowStore
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.api.pagination import encode_cursor
from arportal.config import settings
from arportal.domain.models import (
    AccountStatus,
    Allocation,
    Approval,
    Channel,
    Document,
    DocumentKind,
    Interaction,
    InteractionKind,
)
from arportal.domain.status import PaymentStatus
from local import external_system
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips

TODAY = datetime.now(UTC).date()
ALLOWED = {"Query", "GetItem", "BatchGetItem", "PutItem"}


def _ops(trips) -> list[str]:
    return [call.rsplit(".", 1)[-1] for call in trips.calls]


def allocation(payment, invoice, amount: int) -> Allocation:
    return Allocation(
        payment_id=payment.payment_id,
        invoice_id=invoice.invoice_id,
        invoice_number=invoice.invoice_number,
        customer_id=invoice.customer_id,
        account_number=invoice.account_number,
        department=invoice.department,
        amount=amount,
        currency="USD",
        applied_at=payment.created_at,
    )


def interaction(cid: str, minutes_ago: int, summary: str) -> Interaction:
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    stamp = int(at.timestamp() * 1000)
    from arportal.domain.ids import new_id

    return Interaction(
        interaction_id=new_id("int", now_ms=stamp),
        customer_id=cid,
        kind=InteractionKind.CALL,
        summary=summary,
        at=at,
        staff_id="staff:agent@example.org",
    )


@pytest.fixture(scope="module")
def world(local_env):
    """A customer with utility, property-tax and parking accounts (parking answered by the demo system), one
    closed account, open and paid invoices, payments in several states, credit, a plan, interactions, a document
    and an approval waiting for a decision."""
    cid = new_customer_id()
    c = b.customer(cid, name="Odalys Brightwater", email=f"odalys.{uuid.uuid4().hex[:8]}@example.org")
    water = b.account(cid, number=f"UT-{b.n() + 900000}")
    tax = b.account(cid, number=f"PT-{b.n() + 900000}", department="property_tax")
    parking = b.account(cid, number=f"PK-{b.n() + 900000}", department="parking")
    closed = b.account(cid, number=f"UT-{b.n() + 900000}").model_copy(update={"status": AccountStatus.CLOSED})
    water_open = b.invoice(cid, water.account_number, amount=12_345, due=TODAY + timedelta(days=10))
    tax_overdue = b.invoice(
        cid, tax.account_number, amount=80_000, due=TODAY - timedelta(days=5), department="property_tax"
    )
    citation = b.invoice(
        cid, parking.account_number, amount=4_500, department="parking", due=TODAY + timedelta(days=20)
    )
    paid = b.invoice(cid, water.account_number, amount=5_000, paid=5_000, due=TODAY - timedelta(days=40))
    payments = []
    for minutes, status in ((300, PaymentStatus.SETTLED), (200, PaymentStatus.POSTED), (100, PaymentStatus.PENDING)):
        payments.append(
            b.payment(cid, amount=1_000 + minutes, status=status, at=datetime.now(UTC) - timedelta(minutes=minutes))
        )
    settled = payments[0].model_copy(update={"departments": ["utilities"], "channel": Channel.COUNTER})
    payments[0] = settled
    document = Document(
        document_id=f"doc_{uuid.uuid4().hex[:26].upper()}",
        customer_id=cid,
        kind=DocumentKind.STATEMENT,
        title="Statement, October",
        filename="statement.pdf",
        content_type="application/pdf",
        size=1234,
        storage_key=f"customers/{cid}/statements/x.pdf",
        created_at=datetime.now(UTC),
        document_date=TODAY,
        created_by="system",
    )
    records = [
        c,
        water,
        tax,
        parking,
        closed,
        water_open,
        tax_overdue,
        citation,
        paid,
        *payments,
        allocation(settled, paid, settled.amount),
        b.credit_note(cid, water.account_number, amount=700),
        b.plan(cid, tax.account_number),
        *(interaction(cid, m, f"call {m}") for m in (30, 20, 10)),
        document,
    ]
    DynamoCustomerRecords(settings().ledger_table).put_new(records)
    approval = Approval(
        approval_id=f"apr_{uuid.uuid4().hex[:20]}",
        action="refund",
        requested_by="staff:agent@example.org",
        amount=1_300,
        currency="USD",
        target_id=payments[1].payment_id,
        reason="Customer paid twice",
        created_at=datetime.now(UTC),
        customer_id=cid,
    )
    store = DynamoApprovalWorkflowStore(settings().ledger_table)
    store.save_approval_request(approval, task_token="token", expires_at=datetime.now(UTC) + timedelta(days=1))
    return {
        "cid": cid,
        "customer": c,
        "accounts": (water, tax, parking, closed),
        "invoices": (water_open, tax_overdue, citation, paid),
        "payments": payments,
        "approval": approval,
        "document": document,
    }


@pytest.fixture
def agent(make_users):
    return make_users(groups=("agent",)).staff_token


@pytest.fixture(autouse=True)
def parking_system_up():
    ANSWERS.clear()
    external_system.demo().come_up()
    yield
    external_system.demo().come_up()
    ANSWERS.clear()


def test_the_record_holds_everything_in_one_call_with_few_reads(gateway, world, agent):
    # Given a customer with records of every kind
    cid = world["cid"]
    # When an agent opens the record
    with dynamodb_round_trips() as trips:
        reply = gateway.request("GET", f"/v1/staff/customers/{cid.lower()}", token=agent)
    # Then everything is there, from one header query plus six side-by-side reads and one last-known write
    assert reply.status == 200, reply.body
    ops = _ops(trips)
    assert set(ops) <= ALLOWED and "Scan" not in ops, ops
    assert ops.count("Query") == 7 and len(ops) <= 8, ops
    body = reply.body
    assert body["profile"]["customer_id"] == cid and body["profile"]["name"] == "Odalys Brightwater"
    assert {a["account_number"] for a in body["accounts"]} == {a.account_number for a in world["accounts"]}
    assert {a["status"] for a in body["accounts"]} == {"active", "closed"}
    assert body["owing"] == {"amount": 12_345 + 80_000 + 4_500, "currency": "USD"}
    assert body["overdue"]["amount"] == 80_000 and body["credit"]["amount"] == 700
    assert {d["department"]: d["owing"]["amount"] for d in body["open_by_department"]} == {
        "parking": 4_500,
        "property_tax": 80_000,
        "utilities": 12_345,
    }
    assert [p["payment_id"] for p in body["payments"]] == [p.payment_id for p in reversed(world["payments"])]
    assert [h["status"] for h in body["payments"][2]["history"]] == ["settled"]
    assert body["payments"][2]["channel"] == "counter"
    assert world["invoices"][3].invoice_id in {i["invoice_id"] for i in body["recent_invoices"]}
    assert [i["summary"] for i in body["interactions"]] == ["call 10", "call 20", "call 30"]
    assert [d["document_id"] for d in body["documents"]] == [world["document"].document_id]
    assert [a["approval_id"] for a in body["pending_approvals"]] == [world["approval"].approval_id]
    assert body["schedules"][0]["kind"] == "plan" and len(body["schedules"][0]["instalments"]) == 2
    assert body["credit_notes"][0]["remaining"]["amount"] == 700
    assert body["links"]["balances"] == f"/v1/staff/customers/{cid}/balances"
    assert body["links"]["more_payments"] is None


def test_the_record_shows_each_departments_balance_from_its_source(gateway, world, agent):
    reply = gateway.request("GET", f"/v1/staff/customers/{world['cid']}", token=agent)
    balances = {b["department"]: b for b in reply.body["balances"]["balances"]}
    assert balances["utilities"]["source"] == "ledger" and balances["utilities"]["amount"]["amount"] == 12_345
    # the closed account is listed with what it owes (nothing)
    assert {a["account_number"] for a in balances["utilities"]["accounts"]} == {
        world["accounts"][0].account_number,
        world["accounts"][3].account_number,
    }
    parking = balances["parking"]
    assert parking["source"] == external_system.NAME
    assert parking["fresh"] and parking["available"] and parking["amount"]["amount"] == 4_500
    assert reply.body["balances"]["complete"] is True


def test_the_record_still_loads_when_a_connected_system_is_down(gateway, world, agent):
    cid = world["cid"]
    external_system.demo().set_balance(world["accounts"][2].account_number, 4_500)
    gateway.request("GET", f"/v1/staff/customers/{cid}/balances", token=agent)  # a good answer is kept
    ANSWERS.clear()
    external_system.demo().go_down("error")
    reply = gateway.request("GET", f"/v1/staff/customers/{cid}", token=agent)
    assert reply.status == 200, reply.body
    parking = next(b for b in reply.body["balances"]["balances"] if b["department"] == "parking")
    assert not parking["fresh"] and not parking["available"]
    assert parking["amount"]["amount"] == 4_500 and parking["as_of"]
    assert "unavailable" in parking["message"] and "last known at" in parking["message"]
    assert reply.body["balances"]["complete"] is False
    assert reply.body["profile"]["customer_id"] == cid  # the rest of the record loaded


def test_unknown_and_malformed_customer_ids(gateway, agent):
    assert gateway.request("GET", f"/v1/staff/customers/{new_customer_id()}", token=agent).status == 404
    reply = gateway.request("GET", "/v1/staff/customers/not-a-customer", token=agent)
    assert reply.status == 422 and reply.body["error"]["details"][0]["field"].endswith("customerId")


def test_payment_and_invoice_lists_page_with_cursors_bound_to_the_customer(gateway, world, agent):
    cid = world["cid"]
    first = gateway.request("GET", f"/v1/staff/customers/{cid}/payments?limit=2", token=agent)
    assert first.status == 200 and len(first.body["payments"]) == 2 and first.body["next_cursor"]
    rest = gateway.request(
        "GET", f"/v1/staff/customers/{cid}/payments?limit=2&cursor={first.body['next_cursor']}", token=agent
    )
    seen = [p["payment_id"] for p in first.body["payments"] + rest.body["payments"]]
    assert seen == [p.payment_id for p in reversed(world["payments"])]
    invoices = gateway.request("GET", f"/v1/staff/customers/{cid}/invoices?limit=100", token=agent)
    assert {i["invoice_id"] for i in invoices.body["invoices"]} == {i.invoice_id for i in world["invoices"]}
    # a cursor pointing into another customer's partition, or into another list, is refused
    other = encode_cursor({"PK": {"S": f"CUST#{new_customer_id()}"}, "SK": {"S": "PAY#pay_x"}})
    wrong_list = encode_cursor({"PK": {"S": f"CUST#{cid}"}, "SK": {"S": "INV#inv_x"}})
    for cursor in (other, wrong_list, "not-a-cursor"):
        reply = gateway.request("GET", f"/v1/staff/customers/{cid}/payments?cursor={cursor}", token=agent)
        assert reply.status == 400 and reply.body["error"]["code"] == "invalid_cursor", cursor
    assert gateway.request("GET", f"/v1/staff/customers/{cid}/payments?limit=101", token=agent).status == 422
    assert gateway.request("GET", f"/v1/staff/customers/{new_customer_id()}/invoices", token=agent).status == 404
