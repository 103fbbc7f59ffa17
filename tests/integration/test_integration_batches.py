"""Batch upserts through the local gateway, as the agency's systems send them (issue 12, "Batch upserts"): a
machine token from ``POST /oauth2/token``, one answer per record, nothing left behind by a rejected record, and
what was loaded shown in the portal to the customer it belongs to."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, source_items
from arportal.domain.source_records import SourceKind
from local.environment import LocalEnvironment
from tests import source_records_support as s
from tests.integration.conftest import GatewayClient, Reply
from tests.integration.integration_support import machine_token

BATCH = "/v1/integrations/{}:batch"


@pytest.fixture(scope="module")
def token(local_env: LocalEnvironment) -> str:
    return machine_token(local_env)


def send(gateway: GatewayClient, token: str, kind: str, records: list[Any], *, dry_run: bool = False) -> Reply:
    path = BATCH.format(kind) + ("?dry_run=true" if dry_run else "")
    return gateway.request("POST", path, token=token, json={"records": records})


def answered(reply: Reply) -> list[tuple[str, list[str]]]:
    assert reply.status == 200, reply.body
    return [(r["outcome"], [e["code"] for e in r["errors"]]) for r in reply.body["results"]]


def customer_and_account(gateway: GatewayClient, token: str) -> tuple[str, str]:
    cid, acct = s.customer_id(), s.account_number()
    assert answered(send(gateway, token, "customers", [s.customer(cid, email=f"{cid.lower()}@example.org")])) == [
        ("created", [])
    ]
    assert answered(send(gateway, token, "accounts", [s.account(cid, acct)])) == [("created", [])]
    return cid, acct


def state_item(kind: SourceKind, source_id: str) -> dict[str, Any] | None:
    from arportal.config import settings

    found = client("dynamodb").get_item(
        TableName=settings().ledger_table, Key=codec.serialize(source_items.source_key(kind, source_id))
    )
    return found.get("Item")


@pytest.fixture
def lowered_credit(local_env: LocalEnvironment) -> Iterator[None]:
    local_env.configure(INTEGRATION_LOWERED_AMOUNT="credit")
    try:
        yield
    finally:
        local_env.configure(INTEGRATION_LOWERED_AMOUNT="reject")


def test_bad_records_are_answered_one_by_one_and_leave_nothing_behind(gateway: GatewayClient, token: str) -> None:
    cid, acct = customer_and_account(gateway, token)
    good = s.invoice(cid, acct)
    bad = {
        "malformed": s.invoice(cid, acct, lines="three"),
        "negative": s.invoice(cid, acct, amounts=(-100,)),
        "due": s.invoice(cid, acct, due_date="2000-01-01"),
        "currency": s.invoice(cid, acct, currency="CAD"),
        "unknown account": s.invoice(cid, s.account_number()),
    }
    reply = send(gateway, token, "invoices", [bad["malformed"], good, *list(bad.values())[1:], {**good}])
    assert answered(reply) == [
        ("rejected", ["invalid_type"]),
        ("created", []),
        ("rejected", ["negative_amount", "negative_amount", "negative_amount"]),
        ("rejected", ["due_before_issue"]),
        ("rejected", ["wrong_currency"]),
        ("rejected", ["unknown_account"]),
        ("rejected", ["duplicate_in_batch"]),
    ]
    results = reply.body["results"]
    assert results[0]["errors"][0]["field"] == "lines" and results[2]["errors"][0]["field"] == "lines.0.unit_amount"
    assert reply.body["summary"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 6}
    for record in list(bad.values())[1:]:
        assert state_item(SourceKind.INVOICE, record["invoice_number"]) is None
    assert state_item(SourceKind.INVOICE, good["invoice_number"]) is not None


def test_an_account_needs_a_known_customer(gateway: GatewayClient, token: str) -> None:
    reply = send(gateway, token, "accounts", [s.account(s.customer_id())])
    assert answered(reply) == [("rejected", ["unknown_customer"])]
    assert reply.body["results"][0]["errors"][0]["field"] == "customer_id"


def test_a_token_without_the_scope_is_refused(gateway: GatewayClient, local_env: LocalEnvironment) -> None:
    narrow = machine_token(local_env, scope="integrations/customers.write")
    reply = send(gateway, narrow, "invoices", [s.invoice(s.customer_id(), s.account_number())])
    assert reply.status == 403 and reply.body["error"]["code"] == "insufficient_scope"
    assert reply.body["error"]["details"] == {"needs": "integrations/invoices.write"}
    for kind in ("credit-notes", "sales-orders", "documents"):
        assert send(gateway, narrow, kind, [{}]).status == 403


def test_the_request_limits(gateway: GatewayClient, token: str) -> None:
    many = send(gateway, token, "customers", [s.customer() for _ in range(501)])
    assert many.status == 422 and many.body["error"]["code"] == "too_many_records"
    assert many.body["error"]["details"] == {"records": 501, "limit": 500}
    big = [s.document(s.customer_id(), body=b"x" * 400_000) for _ in range(3)]  # ~1.6 MB once base64 encoded
    reply = send(gateway, token, "documents", big)
    assert reply.status == 413 and reply.body["error"]["code"] == "body_too_large"
    assert send(gateway, token, "customers", []).status == 422


def test_the_same_batch_twice_and_an_older_version_after_a_newer(gateway: GatewayClient, token: str) -> None:
    cid, acct = customer_and_account(gateway, token)
    records = [s.invoice(cid, acct, version=3) for _ in range(5)]
    assert {o for o, _ in answered(send(gateway, token, "invoices", records))} == {"created"}
    again = send(gateway, token, "invoices", records)
    assert {o for o, _ in answered(again)} == {"unchanged"}
    older = {**records[0], "source_version": 2, "amount": 1, "lines": s.lines(1)}
    stale = send(gateway, token, "invoices", [older]).body["results"][0]
    assert (stale["outcome"], stale["reason"], stale["source_version"], stale["stored_version"]) == (
        "unchanged",
        "stale",
        2,
        3,
    )


def _invoice_in_portal(gateway: GatewayClient, customer_token: str, number: str) -> dict[str, Any]:
    listed = gateway.request("GET", "/v1/portal/invoices", token=customer_token)
    assert listed.status == 200, listed.body
    return next(i for i in listed.body["invoices"] if i["invoice_number"] == number)


def _pay(gateway: GatewayClient, customer_token: str, invoice_id: str, amount: int) -> None:
    body = {
        "amount": amount,
        "currency": "USD",
        "method": "ach",
        "token": "tok_ach",
        "invoices": [{"invoice_id": invoice_id, "amount": amount}],
    }
    paid = gateway.request(
        "POST", "/v1/portal/payments", token=customer_token, json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert paid.status == 201, paid.body


def test_lowering_below_what_was_paid_and_voiding(gateway: GatewayClient, token: str, make_users: Any) -> None:
    cid, acct = customer_and_account(gateway, token)
    users = make_users(customer_id=cid)
    paid_one, unpaid = s.invoice(cid, acct, amounts=(10_000,)), s.invoice(cid, acct, amounts=(2_000,))
    answered(send(gateway, token, "invoices", [paid_one, unpaid]))
    invoice_id = _invoice_in_portal(gateway, users.customer_token, paid_one["invoice_number"])["invoice_id"]
    _pay(gateway, users.customer_token, invoice_id, 6_000)
    lowered = {**paid_one, "source_version": 2, "amount": 5_000, "lines": s.lines(5_000)}
    raised = {**paid_one, "source_version": 3, "amount": 12_000, "lines": s.lines(12_000)}
    void_paid = {**paid_one, "source_version": 4, "status": "void"}
    void = {**unpaid, "source_version": 2, "status": "void"}
    reply = send(gateway, token, "invoices", [lowered])
    assert answered(reply) == [("rejected", ["amount_below_paid"])]
    assert reply.body["results"][0]["errors"][0]["details"] == {"amount": 5_000, "paid": 6_000, "credited": 0}
    assert answered(send(gateway, token, "invoices", [raised, void])) == [("updated", []), ("updated", [])]
    assert answered(send(gateway, token, "invoices", [void_paid])) == [("rejected", ["void_after_payment"])]
    shown = _invoice_in_portal(gateway, users.customer_token, paid_one["invoice_number"])
    assert (shown["amount"]["amount"], shown["amount_paid"]["amount"], shown["balance"]["amount"]) == (
        12_000,
        6_000,
        6_000,
    )
    numbers = {
        i["invoice_number"]
        for i in gateway.request("GET", "/v1/portal/invoices?status=open", token=users.customer_token).body["invoices"]
    }
    assert unpaid["invoice_number"] not in numbers  # void: kept, never owed


def test_where_allowed_a_lowered_invoice_becomes_credit(
    gateway: GatewayClient, token: str, make_users: Any, lowered_credit: None
) -> None:
    cid, acct = customer_and_account(gateway, token)
    users = make_users(customer_id=cid)
    bill = s.invoice(cid, acct, amounts=(10_000,))
    answered(send(gateway, token, "invoices", [bill]))
    invoice_id = _invoice_in_portal(gateway, users.customer_token, bill["invoice_number"])["invoice_id"]
    _pay(gateway, users.customer_token, invoice_id, 8_000)
    lowered = {**bill, "source_version": 2, "amount": 5_000, "lines": s.lines(5_000)}
    assert answered(send(gateway, token, "invoices", [lowered])) == [("updated", [])]
    shown = _invoice_in_portal(gateway, users.customer_token, bill["invoice_number"])
    assert (shown["balance"]["amount"], shown["amount"]["amount"]) == (0, 8_000)
    notes = gateway.request("GET", "/v1/portal/credit-notes", token=users.customer_token).body["credit_notes"]
    assert [(n["amount"]["amount"], n["remaining"]["amount"]) for n in notes] == [(3_000, 3_000)]


def test_dry_run_answers_and_writes_nothing(gateway: GatewayClient, token: str) -> None:
    cid, acct = customer_and_account(gateway, token)
    records = [s.invoice(cid, acct), s.invoice(cid, acct, currency="EUR")]
    dry = send(gateway, token, "invoices", records, dry_run=True)
    assert answered(dry) == [("created", []), ("rejected", ["wrong_currency"])] and dry.body["dry_run"] is True
    assert state_item(SourceKind.INVOICE, records[0]["invoice_number"]) is None
    assert answered(send(gateway, token, "invoices", records)) == answered(dry)


def test_the_portal_shows_what_was_loaded(gateway: GatewayClient, token: str, make_users: Any) -> None:
    cid, acct = customer_and_account(gateway, token)
    bill, order = s.invoice(cid, acct), s.sales_order(cid, acct)
    form = s.document(cid, account_number=acct)
    notice = s.document(
        cid,
        kind="notice",
        title="Water main work on your street",
        content_type="text/plain",
        content=base64.b64encode(b"We will replace the main on Monday.").decode(),
    )
    assert answered(send(gateway, token, "invoices", [bill])) == [("created", [])]
    assert answered(send(gateway, token, "sales-orders", [order])) == [("created", [])]
    assert answered(send(gateway, token, "credit-notes", [s.credit_note(cid, acct)])) == [("created", [])]
    documents = send(gateway, token, "documents", [form, notice])
    assert answered(documents) == [("created", []), ("created", [])]
    users = make_users(customer_id=cid)
    portal = users.customer_token
    assert _invoice_in_portal(gateway, portal, bill["invoice_number"])["balance"]["amount"] == bill["amount"]
    orders = gateway.request("GET", "/v1/portal/sales-orders", token=portal).body
    assert [o["number"] for o in orders["sales_orders"]] == [order["number"]]
    listed = gateway.request("GET", "/v1/portal/documents", token=portal).body["documents"]
    assert {(d["type"], d["title"]) for d in listed} == {("tax_form", form["title"]), ("notice", notice["title"])}
    dashboard = gateway.request("GET", "/v1/portal/dashboard", token=portal)
    assert dashboard.status == 200, dashboard.body
    form_id = documents.body["results"][0]["entity_id"]
    link = gateway.request("GET", f"/v1/portal/documents/{form_id}", token=portal)
    assert link.status == 200, link.body


def test_a_customer_the_agency_creates_starts_with_complete_balance_months(gateway: GatewayClient, token: str) -> None:
    """A new customer's months are complete from the start (the mark), and each invoice loaded adds to its month,
    so their statements read only their range without waiting for the backfill job."""
    from arportal.config import settings

    cid, acct = customer_and_account(gateway, token)
    assert answered(send(gateway, token, "invoices", [s.invoice(cid, acct)])) == [("created", [])]
    found = client("dynamodb").query(
        TableName=settings().ledger_table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :bal)",
        ExpressionAttributeValues=codec.serialize({":pk": f"CUST#{cid}", ":bal": f"BAL#{settings().currency}#"}),
        ConsistentRead=True,
    )["Items"]
    months = {codec.deserialize(i)["SK"].rsplit("#", 1)[1]: codec.deserialize(i) for i in found}
    assert months.pop("0000-00")["ready"] is True
    assert len(months) == 1 and next(iter(months.values()))["net"] > 0
