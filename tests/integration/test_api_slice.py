"""The first slice through every layer: gateway (JWT) -> handler -> service -> DynamoDB (moto) and back."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips


@pytest.fixture
def customer_world(local_env, make_users):
    """A customer with two accounts, open and paid invoices, a receipt-bearing payment, credit and a plan."""
    cid = new_customer_id()
    # A surname of its own: every test builds this world in one shared ledger, and a name search answers a page
    c = b.customer(cid, name=f"Marisol Quintero-{cid[-6:].title()}")
    water = b.account(cid, number=f"UT-{b.n() + 700000}")
    tax = b.account(cid, number=f"PT-{b.n() + 700000}", department="property_tax")
    open_inv = b.invoice(cid, water.account_number, amount=12_345, number=f"UT-2026-{b.n():05d}")
    tax_inv = b.invoice(cid, tax.account_number, amount=80_000, department="property_tax")
    paid_inv = b.invoice(cid, water.account_number, amount=5_000, paid=5_000)
    receipt_no = f"R-2611-{b.n():06d}"
    pay = b.payment(cid, amount=5_000, transaction_id=f"sbx_{b.n():012d}", receipt_number=receipt_no)
    from arportal.adapters.dynamodb import payment_items

    ledger = DynamoCustomerRecords(settings().ledger_table)
    ledger.put_new(
        [
            c,
            water,
            tax,
            open_inv,
            tax_inv,
            paid_inv,
            pay,
            b.receipt(pay, receipt_no),
            b.credit_note(cid, water.account_number, amount=700),
            b.plan(cid, tax.account_number),
        ]
    )
    ledger.put_items([payment_items.transaction_pointer(pay)])
    users = make_users(customer_id=cid)
    return {
        "customer": c,
        "water": water,
        "tax": tax,
        "open": open_inv,
        "tax_invoice": tax_inv,
        "paid": paid_inv,
        "payment": pay,
        "receipt": receipt_no,
        "users": users,
    }


def test_health_needs_no_token(gateway):
    reply = gateway.request("GET", "/v1/health")
    assert reply.status == 200 and reply.body["status"] == "ok" and reply.body["agency"]


def test_me_returns_only_the_token_customer(gateway, customer_world):
    reply = gateway.request("GET", "/v1/portal/me", token=customer_world["users"].customer_token)
    assert reply.status == 200
    assert reply.body["customer_id"] == customer_world["customer"].customer_id
    assert reply.body["name"] == customer_world["customer"].name


def test_dashboard_in_two_round_trips(gateway, customer_world):
    token = customer_world["users"].customer_token
    with dynamodb_round_trips() as trips:
        reply = gateway.request("GET", "/v1/portal/dashboard", token=token)
    assert reply.status == 200, reply.body
    assert len(trips) <= 2, trips.calls
    body = reply.body
    assert body["owing"] == {"amount": 12_345 + 80_000, "currency": "USD"}
    assert body["credit"]["amount"] == 700
    assert {i["invoice_number"] for i in body["open_invoices"]} == {
        customer_world["open"].invoice_number,
        customer_world["tax_invoice"].invoice_number,
    }
    assert customer_world["paid"].invoice_id not in {i["invoice_id"] for i in body["open_invoices"]}
    assert [p["payment_id"] for p in body["recent_payments"]] == [customer_world["payment"].payment_id]
    assert len(body["accounts"]) == 2 and len(body["upcoming_payments"]) == 2


@pytest.mark.parametrize("key", ["customer", "invoice", "receipt", "transaction", "account"])
def test_staff_search_by_each_key_in_at_most_two_round_trips(gateway, customer_world, key):
    world = customer_world
    query = {
        "customer": world["customer"].customer_id,
        "invoice": world["open"].invoice_number,
        "receipt": world["receipt"],
        "transaction": world["payment"].transaction_id,
        "account": world["water"].account_number,
    }[key]
    with dynamodb_round_trips() as trips:
        reply = gateway.request("GET", f"/v1/staff/search?q={query.lower()}", token=world["users"].staff_token)
    assert reply.status == 200, reply.body
    assert len(trips) <= 2, trips.calls
    matches = reply.body["matches"]
    assert [m["kind"] for m in matches] == [key]
    assert matches[0]["customer"]["customer_id"] == world["customer"].customer_id
    if key in {"receipt", "transaction"}:
        assert matches[0]["payment"]["payment_id"] == world["payment"].payment_id
        assert matches[0]["payment"]["status"] == "posted"


def test_search_misses_and_name_prefix(gateway, customer_world):
    token = customer_world["users"].staff_token
    assert gateway.request("GET", "/v1/staff/search?q=ZZ-2099-00000", token=token).body["matches"] == []
    prefix = quote(customer_world["customer"].name.lower()[:-2])  # "marisol quintero-ab1c" less its last letters
    named = gateway.request("GET", f"/v1/staff/search?q={prefix}", token=token).body["matches"]
    assert customer_world["customer"].customer_id in {m["entity_id"] for m in named}


class TestWhoMayCallWhat:
    def test_no_token_is_401_everywhere_but_public(self, gateway):
        for path in ("/v1/portal/me", "/v1/portal/dashboard", "/v1/staff/search?q=x"):
            reply = gateway.request("GET", path)
            assert reply.status == 401 and reply.body["error"]["code"] == "unauthorized"

    def test_bad_tokens_are_401(self, gateway, customer_world):
        token = customer_world["users"].customer_token
        tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        for bad in ("garbage", tampered, token.split(".")[0] + "..", ""):
            reply = gateway.request("GET", "/v1/portal/me", headers={"Authorization": f"Bearer {bad}"})
            assert reply.status == 401, (bad, reply.body)

    def test_customer_token_on_a_staff_route_is_403(self, gateway, customer_world):
        reply = gateway.request("GET", "/v1/staff/search?q=x", token=customer_world["users"].customer_token)
        assert reply.status == 403 and reply.body["error"]["code"] == "forbidden"

    def test_staff_token_on_a_portal_route_is_403(self, gateway, customer_world):
        reply = gateway.request("GET", "/v1/portal/me", token=customer_world["users"].staff_token)
        assert reply.status == 403

    def test_staff_without_a_role_is_403(self, gateway, make_users):
        users = make_users(groups=())
        assert gateway.request("GET", "/v1/staff/search?q=x", token=users.staff_token).status == 403

    def test_a_customer_never_sees_another_customers_dashboard(self, gateway, customer_world, make_users):
        other = make_users()  # a login linked to a customer id with no record
        reply = gateway.request("GET", "/v1/portal/dashboard", token=other.customer_token)
        assert reply.status == 404
        assert customer_world["customer"].name not in str(reply.body)


class TestBadInput:
    def test_unknown_route_is_404_json(self, gateway):
        reply = gateway.request("GET", "/v1/nowhere")
        assert reply.status == 404 and "error" in reply.body

    def test_wrong_types_and_out_of_range_are_422_with_fields(self, gateway, customer_world):
        token = customer_world["users"].staff_token
        reply = gateway.request("GET", "/v1/staff/search?q=x&limit=many&type=galaxy", token=token)
        assert reply.status == 422
        fields = {d["field"] for d in reply.body["error"]["details"]}
        assert {"query.limit", "query.type"} <= fields

    def test_malformed_json_and_oversized_bodies(self, gateway, customer_world):
        token = customer_world["users"].customer_token
        reply = gateway.request(
            "POST", "/v1/portal/dashboard", token=token, body=b'{"a":', headers={"Content-Type": "application/json"}
        )
        assert 400 <= reply.status < 500 and "error" in reply.body
        big = b'{"x": "' + b"a" * (1024 * 1024 + 10) + b'"}'
        reply = gateway.request(
            "POST", "/v1/portal/dashboard", token=token, body=big, headers={"Content-Type": "application/json"}
        )
        assert reply.status == 413 and reply.body["error"]["code"]


def test_openapi_and_swagger_describe_every_route(gateway):
    spec = gateway.request("GET", "/openapi.json")
    assert spec.status == 200
    assert {"/v1/health", "/v1/portal/me", "/v1/portal/dashboard", "/v1/staff/search"} <= set(spec.body["paths"])
    page = gateway.request("GET", "/swagger")
    assert page.status == 200 and b"swagger" in page.body.lower()
