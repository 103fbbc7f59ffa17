"""POST /v1/public/payments: a guest pays the one invoice their lookup token names, and nothing more."""

from __future__ import annotations

import uuid

import pytest

from arportal.config import settings
from tests.integration.conftest import new_customer_id
from tests.reliability.worlds import PayWorld, pay_world

GUEST_PAY = "/v1/public/payments"


@pytest.fixture
def world(local_env) -> PayWorld:
    return pay_world((3_000, 5_000), customer_id=new_customer_id())


def guest_token(gateway, world: PayWorld, invoice_index: int = 0) -> str:
    invoice = world.invoices[invoice_index]
    reply = gateway.request(
        "POST",
        "/v1/public/lookup",
        json={"invoice_number": invoice.invoice_number, "postal_code": world.customer.address.postal_code},
    )
    assert reply.status == 200, reply.body
    return str(reply.body["guest_token"])


def guest_pay(gateway, token: str | None, body: dict, key: str | None = None):
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    if token is not None:
        headers["Authorization"] = f"Guest {token}"
    return gateway.request("POST", GUEST_PAY, json=body, headers=headers)


def card(amount: int, **extra: object) -> dict:
    return {"amount": amount, "currency": "USD", "method": "card", "token": "tok_visa", **extra}


def test_a_guest_pays_the_named_invoice_and_gets_the_receipt_by_email(gateway, world):
    token = guest_token(gateway, world, invoice_index=1)  # the later invoice, not the oldest
    email = f"payer-{uuid.uuid4().hex[:8]}@example.net"
    reply = guest_pay(gateway, token, card(2_000, receipt_email=email))
    assert reply.status == 201, reply.body
    payment = reply.body["payment"]
    assert payment["channel"] == "guest" and payment["status"] == "posted"
    assert [a["invoice_id"] for a in payment["allocations"]] == [world.invoices[1].invoice_id]
    assert world.invoice(world.invoices[1].invoice_id).balance == 3_000
    assert world.invoice(world.invoices[0].invoice_id).balance == 3_000  # untouched
    # Recorded on the invoice's owner; the receipt goes only to the address the guest gave
    [recorded] = world.payments()
    assert recorded.customer_id == world.customer_id and recorded.channel.value == "guest"
    assert reply.body["receipt"]["emailed_to"] == [email] and reply.body["receipt"]["url"]
    messages = gateway.request("GET", "/local/mailbox").body["messages"]
    assert any(email in m["to"] and payment["receipt_number"] in m["subject"] for m in messages)
    assert not any(world.customer.email in m["to"] for m in messages)


def test_a_guest_cannot_pay_more_than_the_balance(gateway, world):
    token = guest_token(gateway, world)
    reply = guest_pay(gateway, token, card(3_001))
    assert reply.status == 422, reply.body
    assert reply.body["error"]["details"] == [{"field": "amount", "reason": "at most 3000"}]
    assert world.payments() == []


def test_a_guest_pays_by_card_debit_or_wallet_only(gateway, world):
    token = guest_token(gateway, world)
    reply = guest_pay(gateway, token, {**card(1_000), "method": "ach", "token": "tok_ach"})
    assert reply.status == 422 and "method" in {d["field"] for d in reply.body["error"]["details"]}


@pytest.mark.parametrize("authorization", [None, "Bearer abc", "Guest ", "Guest not-a-token"])
def test_without_a_valid_guest_token_it_is_401(gateway, world, authorization):
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    if authorization is not None:
        headers["Authorization"] = authorization
    reply = gateway.request("POST", GUEST_PAY, json=card(1_000), headers=headers)
    assert reply.status == 401 and reply.body["error"]["code"] == "invalid_guest_token"
    assert world.payments() == []


def test_a_tampered_token_is_401(gateway, world):
    token = guest_token(gateway, world)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert guest_pay(gateway, tampered, card(1_000)).status == 401


def test_the_same_key_replays_and_a_decline_is_402(gateway, world):
    token = guest_token(gateway, world)
    key = uuid.uuid4().hex
    first = guest_pay(gateway, token, card(1_000), key)
    again = guest_pay(gateway, token, card(1_000), key)
    assert first.status == 201 and (again.status, again.body) == (first.status, first.body)
    declined = guest_pay(gateway, token, card(1_000, token="tok_declined"))
    assert declined.status == 402 and declined.body["error"]["details"]["decline_code"] == "card_declined"
    assert sorted(p.status.value for p in world.payments()) == ["failed", "posted"]


def test_the_guest_quote_shows_the_fee(gateway):
    reply = gateway.request("GET", f"{GUEST_PAY}:quote?amount=2000&method=card")
    assert reply.status == 200 and reply.body["fee"] == {"amount": 50, "currency": settings().currency}
