"""No card number reaches the API: every API function refuses, with a 422 and before any route runs or any model
validates, a field that looks like one (Luhn-valid, 13-19 digits, however it is spelt: see arportal/domain/cards.py),
wherever it is nested, and the number is never echoed or logged. Only the processor's signed webhooks are exempt:
they carry the processor's own ids, which may happen to pass the Luhn check, and a refusal would be resent forever."""

from __future__ import annotations

import uuid

import pytest

from arportal.domain.cards import luhn_valid
from tests.integration.conftest import new_customer_id

VISA = "4242 4242 4242 4242"
AMEX = "378282246310005"
DISCOVER_DASHED = "6011-1111-1111-1117"

# (function, method, path, who): at least one mutating route of each API function that takes JSON
ROUTES = [
    ("portal_api", "POST", "/v1/portal/payments", "customer"),
    ("portal_api", "PATCH", "/v1/portal/me", "customer"),
    ("portal_api", "POST", "/v1/portal/payment-methods", "customer"),
    ("portal_api", "POST", "/v1/portal/support-requests", "customer"),
    ("portal_api", "POST", "/v1/portal/schedules", "customer"),
    ("public_api", "POST", "/v1/public/lookup", None),
    ("public_api", "POST", "/v1/public/payments", None),
    ("staff_api", "POST", "/v1/staff/customers/{cid}/interactions", "staff"),
    ("staff_api", "POST", "/v1/staff/payments", "staff"),
]


@pytest.fixture(scope="module")
def tokens(local_env):
    tag = uuid.uuid4().hex[:10]
    customer = local_env.create_user(f"guard-{tag}@example.com", customer_id=new_customer_id())
    staff = local_env.create_user(f"guard-staff-{tag}@example.com", groups=("supervisor",))
    return {
        "customer": local_env.login(customer.username).id_token,
        "staff": local_env.login(staff.username).id_token,
        None: None,
    }


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r[0]}:{r[1]} {r[2]}" for r in ROUTES])
@pytest.mark.parametrize(
    "body",
    [
        {"token": VISA},
        {"note": f"my card is {AMEX}, please charge it"},
        {"invoices": [{"invoice_id": "inv_1", "amount": 100, "memo": DISCOVER_DASHED}]},
        {"amount": 4242424242424242},
        {"note": "4954.6922.2738.2654"},
        {"note": "4954\u200b6922\u200b2738\u200b2654"},
        {"note": "".join(chr(0x0660 + int(d)) for d in "4954692227382654")},
    ],
    ids=["token", "free-text", "nested", "integer", "dots", "zero-width", "arabic-indic"],
)
def test_every_api_refuses_a_card_number_anywhere_in_the_body(gateway, tokens, capfd, route, body):
    function, method, path, who = route
    reply = gateway.request(
        method,
        path.format(cid=new_customer_id()),
        token=tokens[who],
        json=body,
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert reply.status == 422, (function, path, reply.body)
    # before the route's request model: the card check runs ahead of Powertools' validation
    assert reply.body["error"]["code"] == "card_number_rejected", reply.body
    assert {d["reason"] for d in reply.body["error"]["details"]} == {"looks like a card number"}
    out, err = capfd.readouterr()
    for number in (VISA, AMEX, DISCOVER_DASHED, "4242424242424242", "4954692227382654"):
        digits = number.replace(" ", "").replace("-", "")
        assert number not in str(reply.body) and digits not in str(reply.body)
        assert digits not in out + err and number not in out + err


@pytest.mark.parametrize(
    "target",
    [
        "/v1/staff/customers/CUS-4954692227382654",
        "/v1/staff/customers/4954%2E6922%2E2738%2E2654/interactions",
        "/v1/staff/search?q=4954%206922%202738%202654",
        "/v1/staff/search?q=x&4954692227382654=1",
    ],
)
def test_a_card_number_in_the_path_or_the_query_is_refused_and_not_echoed(gateway, tokens, target):
    reply = gateway.request("GET", target, token=tokens["staff"])
    assert reply.status == 422 and reply.body["error"]["code"] == "card_number_rejected", reply.body
    assert "4954" not in str(reply.body)


def test_numbers_that_fail_luhn_or_are_too_short_pass_the_guard(gateway, tokens):
    # A 16-digit reference that fails the Luhn check, and a 12-digit one, are not card numbers: the route reads them
    assert not luhn_valid("4242424242424241")
    reply = gateway.request(
        "POST", "/v1/public/lookup", json={"invoice_number": "4242424242424241", "postal_code": "424242424242"}
    )
    assert reply.status != 422 or reply.body["error"]["code"] != "card_number_rejected", reply.body


def test_a_processor_webhook_naming_a_luhn_valid_id_reaches_its_signature_check(gateway):
    # The sandbox's own webhook route, with a transaction id that passes Luhn and a signature that does not verify:
    # the answer is the route's (400 invalid_signature), not the guard's 422, so a signed one would be applied.
    body = b'{"id": "evt_1", "type": "charge.succeeded", "data": {"transaction_id": "4242424242424242"}}'
    reply = gateway.request(
        "POST",
        "/v1/processor/webhooks/sandbox",
        body=body,
        headers={"Content-Type": "application/json", "Sandbox-Signature": "t=1,v1=00"},
    )
    assert reply.status == 400 and reply.body["error"]["code"] == "invalid_signature", reply.body
