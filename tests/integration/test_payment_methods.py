"""Saved payment methods through the gateway: save once per key, list a page at a time, remove unless in use."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from tests import builders as b
from tests.integration.conftest import new_customer_id

PATH = "/v1/portal/payment-methods"


def _card(**overrides: Any) -> dict[str, Any]:
    card = {
        "type": "card",
        "token": "tok_visa",
        "last4": "4242",
        "brand": "visa",
        "exp_month": 12,
        "exp_year": b.VALID_EXP_YEAR,
    }
    return card | overrides


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture
def customer(local_env, make_users):
    cid = new_customer_id()
    c = b.customer(cid)
    account = b.account(cid, number=f"UT-{b.n() + 800000}")
    DynamoCustomerRecords(settings().ledger_table).put_new([c, account])
    users = make_users(customer_id=cid)
    return {"id": cid, "account": account, "token": users.customer_token, "staff_token": users.staff_token}


def _save(gateway, token: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
    return gateway.request("POST", PATH, token=token, json=body or _card(), headers=headers or _key())


def test_saving_a_method_returns_what_may_be_shown_and_the_first_is_the_default(gateway, customer):
    reply = _save(gateway, customer["token"], _card(nickname="Everyday card"))
    assert reply.status == 201, reply.body
    method = reply.body
    assert method["payment_method_id"].startswith("pm_")
    assert (method["brand"], method["last4"], method["nickname"]) == ("visa", "4242", "Everyday card")
    assert method["is_default"] is True and method["expired"] is False
    assert "token" not in method and "processor_token" not in method


def test_the_same_key_saves_once_and_another_body_with_it_is_refused(gateway, customer):
    headers = _key()
    first = _save(gateway, customer["token"], headers=headers)
    again = _save(gateway, customer["token"], headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert again.body == first.body
    reused = _save(gateway, customer["token"], _card(last4="1111"), headers=headers)
    assert reused.status == 422 and reused.body["error"]["code"] == "idempotency_key_reused"
    listed = gateway.request("GET", PATH, token=customer["token"]).body["items"]
    assert [m["payment_method_id"] for m in listed] == [first.body["payment_method_id"]]


def test_bad_requests_are_refused_before_anything_is_saved(gateway, customer):
    token = customer["token"]
    missing_key = gateway.request("POST", PATH, token=token, json=_card())
    assert missing_key.status == 400
    assert missing_key.body["error"]["details"][0]["field"] == "header.Idempotency-Key"
    number = _save(gateway, token, _card(token="4242424242424242"))
    assert number.status == 422 and number.body["error"]["code"] == "card_number_rejected"
    unknown = _save(gateway, token, _card(cvc="123"))
    assert unknown.status == 422 and unknown.body["error"]["code"] == "validation_failed"
    expired = _save(gateway, token, _card(exp_year=b.EXPIRED_EXP_YEAR))
    assert expired.status == 422 and expired.body["error"]["details"][0]["field"] == "exp_year"
    assert gateway.request("GET", PATH, token=token).body["items"] == []


def test_the_list_is_paginated_with_a_cursor_bound_to_the_customer(gateway, customer, make_users):
    token = customer["token"]
    saved = {_save(gateway, token, _card(last4=f"{n:04d}")).body["payment_method_id"] for n in range(3)}
    page1 = gateway.request("GET", f"{PATH}?limit=2", token=token)
    assert page1.status == 200 and len(page1.body["items"]) == 2 and page1.body["next_cursor"]
    page2 = gateway.request("GET", f"{PATH}?limit=2&cursor={page1.body['next_cursor']}", token=token)
    assert {m["payment_method_id"] for m in page1.body["items"] + page2.body["items"]} == saved
    assert gateway.request("GET", f"{PATH}?limit=500", token=token).status == 422
    other = make_users()
    stolen = gateway.request("GET", f"{PATH}?cursor={page1.body['next_cursor']}", token=other.customer_token)
    assert stolen.status == 400 and stolen.body["error"]["code"] == "invalid_cursor"


def test_removing_a_method(gateway, customer):
    method = _save(gateway, customer["token"]).body["payment_method_id"]
    reply = gateway.request("DELETE", f"{PATH}/{method}", token=customer["token"])
    assert reply.status == 204
    assert gateway.request("GET", PATH, token=customer["token"]).body["items"] == []
    assert gateway.request("DELETE", f"{PATH}/{method}", token=customer["token"]).status == 404


def test_a_method_an_autopay_uses_is_kept_until_replaced(gateway, customer):
    # Given autopay paying with a saved card
    token = customer["token"]
    used = _save(gateway, token).body["payment_method_id"]
    enrolled = gateway.request(
        "POST",
        "/v1/portal/schedules",
        token=token,
        json={"kind": "autopay", "account_number": customer["account"].account_number, "payment_method_id": used},
        headers=_key(),
    )
    assert enrolled.status == 201, enrolled.body

    # When the customer removes that card
    refused = gateway.request("DELETE", f"{PATH}/{used}", token=token)

    # Then it is refused with the schedule that needs it, until another card replaces it
    assert refused.status == 409 and refused.body["error"]["code"] == "method_in_use"
    assert refused.body["error"]["details"]["schedule_ids"] == [enrolled.body["schedule_id"]]
    assert "replacement" in refused.body["error"]["message"]
    other = _save(gateway, token, _card(last4="5556", token="tok_debit", type="debit")).body["payment_method_id"]
    replaced = gateway.request("DELETE", f"{PATH}/{used}?replacement={other}", token=token)
    assert replaced.status == 204
    schedule = gateway.request("DELETE", f"/v1/portal/schedules/{enrolled.body['schedule_id']}", token=token).body
    assert schedule["payment_method_id"] == other


def test_another_customers_method_is_not_found(gateway, customer, make_users):
    method = _save(gateway, customer["token"]).body["payment_method_id"]
    other = make_users()
    reply = gateway.request("DELETE", f"{PATH}/{method}", token=other.customer_token)
    assert reply.status == 404 and method not in str(reply.body)
    assert gateway.request("GET", PATH, token=other.customer_token).body["items"] == []
    assert gateway.request("GET", PATH, token=customer["staff_token"]).status == 403
    assert gateway.request("GET", PATH).status == 401
