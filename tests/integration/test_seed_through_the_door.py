"""The seed loads the demo agency through the integration API (issue 12: "the product uses its own door"): the
demo customer's sales orders, property-tax annual statement and notice appear in the portal, the statement opens as
a real PDF, and each came through the batch service as ``system:demo-seed``; the platform's history applies to the
invoices the door loaded; loading the same agency again changes nothing."""

from __future__ import annotations

import urllib.request
import uuid
from typing import Any

import pytest

from arportal.adapters.dynamodb import source_items
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.domain.source_records import SourceKind, parse_record
from arportal.domain.upserts import entity_id_for
from local import seed
from local.seed_source import SEED_ACTOR
from tests.reliability.worlds import pdf_text

SEED = 13  # a seed no other test loads: its numbers are its own


@pytest.fixture(scope="module")
def seeded(local_env: Any) -> tuple[seed.Prepared, seed.SeedSummary, str]:
    demo_email = f"door-{uuid.uuid4().hex[:8]}@demo.local"
    prepared = seed.generate_items(SEED, customers=3, today=None, currency="USD")
    summary = seed.load(local_env, prepared=prepared, demo_email=demo_email, staff_logins={})
    return prepared, summary, local_env.login(demo_email).id_token


def _sources(prepared: seed.Prepared, kind: SourceKind, customer_id: str) -> list[dict[str, Any]]:
    return [body for k, body in prepared.source if k is kind and body["customer_id"] == customer_id]


def test_the_demo_customer_sees_its_sales_orders_in_the_portal(seeded, gateway):
    prepared, _, token = seeded
    sent = _sources(prepared, SourceKind.SALES_ORDER, prepared.demo_customer_id)
    assert len(sent) == 2  # a water meter upgrade and a residential parking permit

    reply = gateway.request("GET", "/v1/portal/sales-orders", token=token)

    assert reply.status == 200, reply.body
    shown = {o["number"]: o for o in reply.body["sales_orders"]}
    assert set(shown) == {o["number"] for o in sent}
    for order in sent:
        assert shown[order["number"]]["total"] == {"amount": order["total"], "currency": "USD"}
        assert shown[order["number"]]["account_number"] == order["account_number"]
        assert shown[order["number"]]["order_id"] == entity_id_for(_parsed(SourceKind.SALES_ORDER, order))


def test_the_demo_customer_downloads_its_property_tax_annual_statement(seeded, gateway):
    prepared, _, token = seeded
    (statement,) = [d for d in _sources(prepared, SourceKind.DOCUMENT, prepared.demo_customer_id)
                    if d["kind"] == "tax_form"]  # fmt: skip

    listed = gateway.request("GET", "/v1/portal/documents?type=tax_form", token=token)

    assert listed.status == 200, listed.body
    (shown,) = listed.body["documents"]
    assert shown["document_id"] == entity_id_for(_parsed(SourceKind.DOCUMENT, statement))
    assert shown["title"] == statement["title"] and shown["content_type"] == "application/pdf"
    assert (shown["account_number"], shown["reference"]) == (statement["account_number"], statement["reference"])
    link = gateway.request("GET", f"/v1/portal/documents/{shown['document_id']}", token=token)
    assert link.status == 200, link.body
    with urllib.request.urlopen(link.body["url"]) as opened:  # noqa: S310 - the local S3's presigned URL
        pdf = opened.read()
    assert pdf.startswith(b"%PDF-") and len(pdf) == shown["size"]
    text = pdf_text(pdf)
    assert b"Property tax annual statement" in text and statement["account_number"].encode() in text
    # And a notice of the water department waits unread beside it
    notices = gateway.request("GET", "/v1/portal/documents?type=notice", token=token).body["documents"]
    assert [(n["title"], n["read_at"]) for n in notices] == [("Water main flushing in your area", None)]


def test_what_the_seed_loaded_came_through_the_door(seeded, local_env, gateway, make_users):
    prepared, summary, _ = seeded
    # Every kind of the agency's records went through the batch service, and none was refused
    assert set(summary.loaded) == {k.value for k in SourceKind}
    assert all(outcomes["rejected"] == 0 for outcomes in summary.loaded.values())
    # Each has its source state, naming the seed's system and the integration channel
    records = DynamoCustomerRecords(local_env.resources.ledger_table)
    keys = [source_items.source_key(kind, _parsed(kind, body).source_id) for kind, body in prepared.source]
    states = records.get_many(keys)
    assert len(states) == len(keys)
    assert {(s["system"], s["channel"]) for s in states} == {(SEED_ACTOR, "integration")}
    # And its audit trail says who loaded it
    supervisor = make_users(groups=("supervisor",)).staff_token
    order = _sources(prepared, SourceKind.SALES_ORDER, prepared.demo_customer_id)[0]
    entity = f"sales_order:{entity_id_for(_parsed(SourceKind.SALES_ORDER, order))}"
    trail = gateway.request("GET", f"/v1/staff/audit?entity={entity}", token=supervisor)
    assert trail.status == 200, trail.body
    assert [(r["action"], r["actor"]) for r in trail.body["records"]] == [("sales_order.created", SEED_ACTOR)]
    assert trail.body["verification"]["ok"]


def test_the_history_applies_to_the_invoices_the_door_loaded(seeded, gateway):
    prepared, _, token = seeded
    sent = {i["invoice_number"]: i for i in _sources(prepared, SourceKind.INVOICE, prepared.demo_customer_id)}

    listed = gateway.request("GET", "/v1/portal/invoices?limit=100", token=token)

    assert listed.status == 200, listed.body
    invoices = listed.body["invoices"]
    assert {i["invoice_number"] for i in invoices} == set(sent)
    for invoice in invoices:  # the door's ids: a function of the agency's number
        assert invoice["invoice_id"] == entity_id_for(_parsed(SourceKind.INVOICE, sent[invoice["invoice_number"]]))
    paid = [i for i in invoices if i["status"] == "paid"]
    assert paid, "the demo history pays the older bills"
    detail = gateway.request("GET", f"/v1/portal/invoices/{paid[0]['invoice_id']}", token=token)
    assert detail.status == 200, detail.body
    paid_on_it = sum(p["amount"]["amount"] for p in detail.body["payments"])
    credited_on_it = sum(c["amount"]["amount"] for c in detail.body["credit_notes"])
    invoice = detail.body["invoice"]
    assert paid_on_it == invoice["amount_paid"]["amount"] and credited_on_it == invoice["credited"]["amount"]
    assert paid_on_it + credited_on_it == invoice["amount"]["amount"] > 0


def test_loading_the_same_agency_again_changes_nothing(seeded, local_env):
    prepared, _, _ = seeded

    again = seed.load(local_env, prepared=prepared, demo_email=f"again-{uuid.uuid4().hex[:8]}@demo.local",
                      staff_logins={})  # fmt: skip

    assert {kind: outcomes["unchanged"] for kind, outcomes in again.loaded.items()} == {
        kind.value: sum(1 for k, _ in prepared.source if k is kind) for kind in SourceKind
    }
    assert all(outcomes["unchanged"] == sum(outcomes.values()) for outcomes in again.loaded.values())


def _parsed(kind: SourceKind, body: dict[str, Any]) -> Any:
    record = parse_record(kind, body)
    assert not isinstance(record, list), record
    return record
