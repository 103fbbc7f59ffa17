"""The sandbox processor's API through the local gateway: hosted fields, tokens that any container can charge,
and the ACH simulation's signed webhook, verified by the processor our own API uses."""

from __future__ import annotations

import json
import logging
import urllib.request
import uuid
from typing import Any

import pytest

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.processors import processor_for
from arportal.adapters.sandbox import SandboxProcessor
from arportal.config import settings
from arportal.domain.processing import ChargeOutcome
from arportal.ports import ChargeRequest
from local.gateway import Gateway
from tests import builders as b
from tests.integration.conftest import GatewayClient, new_customer_id
from tests.webhook_receiver import running_receiver

CARD = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": b.VALID_EXP_YEAR, "cvc": "123"}


def token_for(gateway: GatewayClient, details: dict[str, Any]) -> dict[str, Any]:
    reply = gateway.request("POST", "/sandbox/v1/tokens", json=details)
    assert reply.status == 201, reply.body
    body: dict[str, Any] = reply.body
    return body


def charge(token: str, *, key: str | None = None, amount: int = 4_200) -> Any:
    request = ChargeRequest(key or f"it-{uuid.uuid4().hex}", amount, "USD", token, "Parking", new_customer_id())
    return processor_for(settings()).charge(request)


def test_a_card_typed_into_the_hosted_fields_becomes_a_token(gateway):
    # Given a test card number (which our own API would refuse with card_number_rejected)
    # When the hosted fields post it to the sandbox
    body = token_for(gateway, CARD)
    # Then a token comes back with the brand and last four only
    assert body["id"].startswith("tok_card_visa_4242_")
    assert (body["brand"], body["last4"], body["method"]) == ("visa", "4242", "card")
    assert "4242424242424242" not in json.dumps(body)


def test_the_token_charges_in_any_container(gateway, local_env):
    token = token_for(gateway, CARD)["id"]
    key = f"it-{uuid.uuid4().hex}"
    result = charge(token, key=key)
    assert (result.outcome, result.brand, result.last4) == (ChargeOutcome.SUCCEEDED, "visa", "4242")
    # The charge is in the ledger table, so another container's sandbox reconciles against it
    item = local_env.client("dynamodb").get_item(
        TableName=local_env.resources.ledger_table, Key={"PK": {"S": f"SANDBOX#CHARGE#{key}"}, "SK": {"S": "CHARGE"}}
    )
    assert item["Item"]["result"]["M"]["transaction_id"]["S"] == result.transaction_id
    assert SandboxProcessor(local_env.resources.ledger_table).find_charge(key) == result


@pytest.mark.parametrize(
    ("details", "fields"),
    [
        ({**CARD, "number": "4242 4242 4242 4241"}, {"number"}),
        ({**CARD, "exp_year": b.EXPIRED_EXP_YEAR}, {"exp_year"}),
        ({**CARD, "cvc": "12"}, {"cvc"}),
        ({"routing_number": "123456789", "account_number": "000123456789"}, {"routing_number"}),
        ({**CARD, "track2": "x"}, {"track2"}),
    ],
)
def test_invalid_details_are_a_400_naming_the_fields(gateway, details, fields):
    reply = gateway.request("POST", "/sandbox/v1/tokens", json=details)
    assert reply.status == 400
    assert reply.body["error"]["code"] == "invalid_request"
    assert {d["field"] for d in reply.body["error"]["details"]} == fields


def test_a_malformed_body_is_a_400(gateway):
    reply = gateway.request("POST", "/sandbox/v1/tokens", body=b'{"number": 4242', headers={"Content-Type": "json"})
    assert (reply.status, reply.body["error"]["code"]) == (400, "invalid_request")


def test_the_card_number_is_never_logged(gateway, caplog, capfd):
    # Given every kind of request that carries a number: good, bad, malformed
    caplog.set_level(logging.DEBUG)
    number = "4000056655665556"
    for body in (
        json.dumps({**CARD, "number": number}).encode(),
        json.dumps({**CARD, "number": number, "cvc": "1"}).encode(),
        json.dumps({**CARD, "number": number, "extra": number}).encode(),
        f'{{"number": "{number}", '.encode(),
    ):
        gateway.request("POST", "/sandbox/v1/tokens", body=body, headers={"Content-Type": "application/json"})
    # Then nothing written to the logs or the console mentions it
    out, err = capfd.readouterr()
    assert number not in out + err
    assert number not in caplog.text


def test_the_hosted_fields_page_and_script(gateway):
    page = gateway.request("GET", "/sandbox/v1/fields.html")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp and "connect-src 'self'" in csp
    assert b'src="hosted-fields.js"' in page.body and b"{{PARENT_ORIGIN}}" not in page.body
    assert b"<script>" not in page.body  # no inline script: the page's own CSP would refuse it
    script = gateway.request("GET", "/sandbox/v1/hosted-fields.js")
    assert script.status == 200 and script.headers["content-type"].startswith("text/javascript")
    assert b"postMessage" in script.body and b'fetch("tokens"' in script.body


def test_unknown_sandbox_routes_are_404(gateway):
    assert gateway.request("GET", "/sandbox/v1/nothing").status == 404
    txn = charge(token_for(gateway, {"routing_number": "110000000", "account_number": "000123456789"})["id"])
    assert gateway.request("POST", f"/sandbox/v1/ach/{txn.transaction_id}/explode").status == 404
    reply = gateway.request("POST", "/sandbox/v1/ach/sbx_000000000000000000000000/settle")
    assert (reply.status, reply.body["error"]["code"]) == (404, "not_found")


# --- the ACH simulation and its signed webhook ------------------------------------------------------------------


receiver = pytest.fixture(running_receiver)


def test_settling_an_ach_debit_sends_a_webhook_our_api_can_verify(gateway, receiver):
    # Given a pending ACH debit made with a token from the hosted fields
    token = token_for(gateway, {"routing_number": "110000000", "account_number": "000123456789"})["id"]
    debit = charge(token, amount=31_000)
    assert debit.outcome is ChargeOutcome.PENDING
    # When the bank settles it (the sandbox's API is reached at the receiver's host, so that is where it posts)
    reply = gateway.request("POST", f"/sandbox/v1/ach/{debit.transaction_id}/settle", headers={"Host": receiver.host})
    # Then one webhook went to the processor webhook route, and our API's processor verifies it
    assert reply.status == 200, reply.body
    ((path, headers, body),) = receiver.received
    assert path == "/v1/processor/webhooks/sandbox"
    event = processor_for(settings()).parse_webhook(headers, body)
    assert (event.kind, event.transaction_id, event.amount, event.event_id) == (
        "charge.succeeded",
        debit.transaction_id,
        31_000,
        reply.body["event"]["id"],
    )
    assert reply.body["delivery"] == {"url": f"http://{receiver.host}{path}", "status": 200, "body": "{}"}


def test_a_returned_debit_reports_charge_returned_and_cannot_be_returned_before_settling(gateway, receiver):
    token = token_for(gateway, {"routing_number": "110000000", "account_number": "000333333335"})["id"]
    txn = charge(token).transaction_id
    early = gateway.request("POST", f"/sandbox/v1/ach/{txn}/return", headers={"Host": receiver.host})
    assert (early.status, early.body["error"]["code"]) == (409, "conflict")
    gateway.request("POST", f"/sandbox/v1/ach/{txn}/settle", headers={"Host": receiver.host})
    returned = gateway.request("POST", f"/sandbox/v1/ach/{txn}/return", headers={"Host": receiver.host})
    assert returned.status == 200
    assert (returned.body["event"]["type"], returned.body["event"]["code"]) == (
        "charge.returned",
        "debit_not_authorized",
    )
    assert [json.loads(body)["type"] for _, _, body in receiver.received] == ["charge.succeeded", "charge.returned"]


def test_an_unreachable_api_is_a_502_and_the_debit_stays_settled(gateway):
    token = token_for(gateway, {"routing_number": "110000000", "account_number": "000123456789"})["id"]
    txn = charge(token).transaction_id
    reply = gateway.request("POST", f"/sandbox/v1/ach/{txn}/settle", headers={"Host": "127.0.0.1:9"})
    assert reply.status == 502 and reply.body["delivery"]["status"] is None
    refund = processor_for(settings()).refund(txn, 100, idempotency_key=f"refund-{uuid.uuid4().hex}")
    assert refund.succeeded


def test_an_ach_payment_posts_when_the_sandbox_settles_it_through_our_webhook_route(gateway, local_env, make_users):
    # Given a customer with an open invoice, paying it by ACH with a token from the hosted fields
    cid = new_customer_id()
    account = b.account(cid, number=f"UT-{b.n() + 900000}")
    invoice = b.invoice(cid, account.account_number, amount=6_400)
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), account, invoice])
    token = make_users(customer_id=cid).customer_token
    ach = token_for(gateway, {"routing_number": "110000000", "account_number": "000123456789"})
    paid = gateway.request(
        "POST",
        "/v1/portal/payments",
        token=token,
        json={"amount": 6_400, "currency": "USD", "method": ach["method"], "token": ach["id"]},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert paid.status == 201 and paid.body["payment"]["status"] == "pending", paid.body
    payment = paid.body["payment"]
    # When the bank settles the debit, through the real HTTP server (the sandbox posts back to the host it is on)
    server = Gateway(local_env).serve("127.0.0.1", 0).start()
    try:
        reply = http_post(f"{server.url}/sandbox/v1/ach/{payment['transaction_id']}/settle")
    finally:
        server.stop()
    # Then our webhook route verified the signed event and the payment posted
    assert reply["delivery"]["status"] == 200, reply
    assert json.loads(reply["delivery"]["body"])["status"] == "posted"
    stored = local_env.client("dynamodb").get_item(
        TableName=settings().ledger_table,
        Key={"PK": {"S": f"CUST#{cid}"}, "SK": {"S": f"PAY#{payment['payment_id']}"}},
        ConsistentRead=True,
    )["Item"]
    assert stored["status"]["S"] == "posted"


def http_post(url: str) -> dict[str, Any]:
    request = urllib.request.Request(url, data=b"", method="POST")  # noqa: S310 - a local test server
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body: dict[str, Any] = json.loads(response.read())
    return body
