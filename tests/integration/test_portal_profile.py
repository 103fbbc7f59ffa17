"""PATCH /v1/portal/me and the confirmed email change, through the gateway, SES (the local mailbox) and DynamoDB."""

from __future__ import annotations

import re

import pytest

from arportal.adapters.dynamodb import codec, customer_items
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips

ME = "/v1/portal/me"
CONFIRM = "/v1/portal/me/email-confirmation"


@pytest.fixture
def me(local_env, make_users):
    cid = new_customer_id()
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid, name="Tomasz Wilk")])
    return make_users(customer_id=cid).customer_token, cid


def _code_sent_to(gateway, address: str) -> str:
    messages = gateway.request("GET", "/local/mailbox").body["messages"]
    mine = [m for m in messages if address in m["to"]]
    assert mine, f"nothing was sent to {address}"
    found = re.search(r"\b(\d{6})\b", mine[0]["body"])
    assert found, mine[0]["body"]
    return found.group(1)


def _new_address() -> str:
    return f"new-{b.n()}-{new_customer_id().lower()}@example.net"


def test_contact_details_and_preferences_change_and_the_rest_stays(gateway, me):
    token, _ = me
    reply = gateway.request(
        "PATCH",
        ME,
        token=token,
        json={
            "phone": "+1 (217) 555-0199",
            "address": {"line1": "9 Elm St", "city": "Springfield", "region": "IL", "postal_code": "62704"},
            "preferences": {"sms": True, "reminder_days_before": 10},
        },
    )
    assert reply.status == 200, reply.body
    profile = reply.body["profile"]
    assert profile["phone"] == "+1 (217) 555-0199" and profile["address"]["line1"] == "9 Elm St"
    assert profile["preferences"]["sms"] is True and profile["preferences"]["reminder_days_before"] == 10
    assert profile["preferences"]["email_receipts"] is True  # not named: unchanged
    assert reply.body["email_change"] is None
    again = gateway.request("GET", ME, token=token).body
    assert again["address"]["postal_code"] == "62704" and again["name"] == "Tomasz Wilk"
    cleared = gateway.request("PATCH", ME, token=token, json={"phone": None}).body["profile"]
    assert cleared["phone"] is None and cleared["address"]["line1"] == "9 Elm St"


@pytest.mark.parametrize(
    "body",
    [
        {"phone": "call me"},
        {"address": {"line1": "x"}},
        {"preferences": {"reminder_days_before": 99}},
        {"email": "not-an-address"},
        {"name": "Someone Else"},  # the name is the agency's record, not the customer's to change
        {"customer_id": "CUS-OTHER0001"},
    ],
)
def test_invalid_or_unknown_fields_are_422(gateway, me, body):
    reply = gateway.request("PATCH", ME, token=me[0], json=body)
    assert reply.status == 422 and reply.body["error"]["code"] == "validation_failed"
    assert all({"field", "reason"} <= set(d) for d in reply.body["error"]["details"])


def test_an_email_change_waits_for_the_code_sent_to_the_new_address(gateway, me):
    token, cid = me
    old = gateway.request("GET", ME, token=token).body["email"]
    new = _new_address()
    reply = gateway.request("PATCH", ME, token=token, json={"email": new.upper()})
    assert reply.status == 200, reply.body
    assert reply.body["email_change"]["pending_email"] == new
    assert reply.body["profile"]["email"] == old  # not yet
    code = _code_sent_to(gateway, new)
    stored = _pending_item(cid)
    assert stored is not None and code not in str(stored)  # only its salted hash is kept
    wrong = "000000" if code != "000000" else "111111"
    refused = gateway.request("POST", CONFIRM, token=token, json={"code": wrong})
    assert refused.status == 422 and refused.body["error"]["code"] == "wrong_code"
    confirmed = gateway.request("POST", CONFIRM, token=token, json={"code": code})
    assert confirmed.status == 200, confirmed.body
    assert confirmed.body["email"] == new and gateway.request("GET", ME, token=token).body["email"] == new
    reused = gateway.request("POST", CONFIRM, token=token, json={"code": code})
    assert reused.status == 422 and reused.body["error"]["code"] == "no_pending_change"
    assert _pending_item(cid) is None


def test_five_wrong_codes_use_the_code_up(gateway, me):
    token, _ = me
    new = _new_address()
    gateway.request("PATCH", ME, token=token, json={"email": new})
    code = _code_sent_to(gateway, new)
    wrong = [c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c != code][:5]
    answers = [gateway.request("POST", CONFIRM, token=token, json={"code": c}).body["error"] for c in wrong]
    assert [a["code"] for a in answers] == ["wrong_code"] * 5
    assert answers[-1]["details"][0]["reason"].endswith("0 attempts left")
    spent = gateway.request("POST", CONFIRM, token=token, json={"code": code})
    assert spent.status == 422 and spent.body["error"]["code"] == "code_attempts_exhausted"


def test_an_expired_code_is_refused_with_its_own_code(gateway, me, local_env):
    token, cid = me
    new = _new_address()
    gateway.request("PATCH", ME, token=token, json={"email": new})
    code = _code_sent_to(gateway, new)
    local_env.client("dynamodb").update_item(
        TableName=settings().ledger_table,
        Key=codec.serialize(customer_items.email_change_key(cid)),
        UpdateExpression="SET valid_until = :past",
        ExpressionAttributeValues=codec.serialize({":past": "2020-01-01T00:00:00+00:00"}),
    )
    expired = gateway.request("POST", CONFIRM, token=token, json={"code": code})
    assert expired.status == 422 and expired.body["error"]["code"] == "code_expired"


def test_codes_sent_are_rate_limited(gateway, me):
    token, _ = me
    statuses = [gateway.request("PATCH", ME, token=token, json={"email": _new_address()}).status for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    limited = gateway.request("PATCH", ME, token=token, json={"email": _new_address()})
    assert limited.status == 429 and int(limited.headers["retry-after"]) > 0


def test_only_keyed_writes(gateway, me):
    token, _ = me
    with dynamodb_round_trips() as trips:
        gateway.request("PATCH", ME, token=token, json={"phone": "+1 555 010 2222", "email": _new_address()})
    # BatchWriteItem: the profile's search pointers follow the new phone (keyed puts and deletes, no Scan)
    keyed = {"GetItem", "UpdateItem", "PutItem", "BatchWriteItem"}
    assert {c.rsplit(".", 1)[-1] for c in trips.calls} <= keyed, trips.calls


def _pending_item(customer_id: str):
    from arportal.adapters.aws import client

    item = client("dynamodb").get_item(
        TableName=settings().ledger_table,
        Key=codec.serialize(customer_items.email_change_key(customer_id)),
        ConsistentRead=True,
    )
    return item.get("Item")
