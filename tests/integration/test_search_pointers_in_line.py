"""The staff search's email and phone pointers follow the customer's own changes in the portal: a new phone
(PATCH /v1/portal/me) and a confirmed new email (POST /v1/portal/me/email-confirmation)."""

from __future__ import annotations

import re
import secrets
from urllib.parse import quote

import pytest

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from tests import builders as b
from tests.integration.conftest import new_customer_id

ME = "/v1/portal/me"
CONFIRM = "/v1/portal/me/email-confirmation"


def _digits() -> str:
    return f"{secrets.choice('23456789')}{secrets.randbelow(10**9):09d}"


def _phone(digits: str) -> str:
    return f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}"


@pytest.fixture
def customer(local_env, make_users):
    cid = new_customer_id()
    digits = _digits()
    profile = b.customer(cid, name="Ottilie Brannagh", email=f"old-{cid.lower()}@example.org")
    DynamoCustomerRecords(settings().ledger_table).put_new([profile.model_copy(update={"phone": _phone(digits)})])
    return {"id": cid, "token": make_users(customer_id=cid).customer_token, "email": profile.email, "digits": digits}


@pytest.fixture
def agent(make_users):
    return make_users(groups=("agent",)).staff_token


def _found(gateway, agent: str, q: str, kind: str) -> list[str]:
    reply = gateway.request("GET", f"/v1/staff/search?q={quote(q)}&type={kind}", token=agent)
    assert reply.status == 200, reply.body
    return [m["customer"]["customer_id"] for m in reply.body["matches"]]


def test_a_new_phone_is_found_and_the_old_one_no_longer(gateway, customer, agent):
    # Given staff find the customer by the phone on file
    assert _found(gateway, agent, customer["digits"], "phone") == [customer["id"]]
    new_digits = _digits()

    # When the customer changes it in the portal
    reply = gateway.request("PATCH", ME, token=customer["token"], json={"phone": _phone(new_digits)})
    assert reply.status == 200, reply.body

    # Then the new number finds them, with the new number in the match, and the old one does not
    assert _found(gateway, agent, new_digits, "phone") == [customer["id"]]
    assert customer["id"] not in _found(gateway, agent, customer["digits"], "phone")
    by_email = gateway.request("GET", f"/v1/staff/search?q={quote(customer['email'])}&type=email", token=agent)
    assert by_email.body["matches"][0]["customer"]["phone"] == _phone(new_digits)


def test_a_removed_phone_is_no_longer_found(gateway, customer, agent):
    reply = gateway.request("PATCH", ME, token=customer["token"], json={"phone": None})
    assert reply.status == 200, reply.body
    assert customer["id"] not in _found(gateway, agent, customer["digits"], "phone")


def test_a_confirmed_new_email_is_found_and_the_old_one_no_longer(gateway, customer, agent):
    new = f"new-{customer['id'].lower()}@example.net"
    assert gateway.request("PATCH", ME, token=customer["token"], json={"email": new}).status == 200

    # While the change waits for its code, staff still find the address on file
    assert _found(gateway, agent, customer["email"], "email") == [customer["id"]]
    assert customer["id"] not in _found(gateway, agent, new, "email")

    # When the customer confirms it with the code sent to the new address
    mine = [m for m in gateway.request("GET", "/local/mailbox").body["messages"] if new in m["to"]]
    code = re.search(r"\b(\d{6})\b", mine[0]["body"])
    assert code is not None
    confirmed = gateway.request("POST", CONFIRM, token=customer["token"], json={"code": code.group(1)})
    assert confirmed.status == 200, confirmed.body

    # Then the new address finds them and the old one does not
    assert _found(gateway, agent, new, "email") == [customer["id"]]
    assert customer["id"] not in _found(gateway, agent, customer["email"], "email")
