"""POST /v1/public/lookup: a guest proves one invoice and gets a 15-minute token scoped to it; guesses are
rate-limited per invoice and per client, and a wrong guess never tells whether the invoice exists."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from arportal import wiring
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.api.errors import domain_error_response
from arportal.config import settings
from arportal.domain import guest_tokens
from arportal.services.guest import GuestGrant, GuestTokenRefusedError, verify_guest_token
from local.apigw import Request
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips

LOOKUP = "/v1/public/lookup"


def _ip() -> str:
    """A client address of its own per test: the per-client window must not leak between tests."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def lookup(gateway, body, *, ip: str):
    request = Request(
        "POST", LOOKUP, [("Content-Type", "application/json"), ("Host", "localhost")], json.dumps(body).encode(), ip
    )
    response = gateway.gateway.dispatch(request)
    return response.status, {k.lower(): v for k, v in response.headers}, response.json()


def _number() -> str:
    return f"GT-{uuid.uuid4().hex[:12].upper()}"


@pytest.fixture
def bill(local_env):
    """An open invoice of a customer whose billing postal code is 62701-1234."""
    cid = new_customer_id()
    customer = b.customer(cid, name="Jane Rosalind Doe")
    customer = customer.model_copy(
        update={"address": customer.address.model_copy(update={"postal_code": "62701-1234"})}  # type: ignore[union-attr]
    )
    account = b.account(cid, number=f"UT-{b.n() + 900000}")
    invoice = b.invoice(cid, account.account_number, amount=15_075, paid=75, number=_number())
    DynamoCustomerRecords(settings().ledger_table).put_new([customer, account, invoice])
    return invoice


def test_postal_code_proof_returns_a_token_for_that_invoice_only(gateway, bill):
    status, _, body = lookup(gateway, {"invoice_number": bill.invoice_number.lower(), "postal_code": "62701"}, ip=_ip())
    assert status == 200, body
    assert body["invoice"] == {
        "number": bill.invoice_number,
        "due_date": bill.due_date.isoformat(),
        "balance": {"amount": 15_000, "currency": "USD"},
        "department": "utilities",
        "payee": "J. R.",
    }
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    grant = verify_guest_token(body["guest_token"], key=wiring.guest_token_key(), now=datetime.now(UTC))
    assert grant == GuestGrant(bill.invoice_id, bill.invoice_number, bill.customer_id, expires)


def test_exact_amount_due_is_a_proof_too(gateway, bill):
    status, _, body = lookup(gateway, {"invoice_number": bill.invoice_number, "amount_due": 15_000}, ip=_ip())
    assert status == 200 and body["invoice"]["number"] == bill.invoice_number


def test_the_token_expires_and_cannot_be_altered(gateway, bill):
    _, _, body = lookup(gateway, {"invoice_number": bill.invoice_number, "postal_code": "62701-1234"}, ip=_ip())
    token = body["guest_token"]
    key = wiring.guest_token_key()
    with pytest.raises(GuestTokenRefusedError) as late:
        verify_guest_token(token, key=key, now=datetime.now(UTC) + timedelta(minutes=16))
    assert domain_error_response(late.value).status_code == 401 and late.value.code == "invalid_guest_token"
    header, _, signature = token.split(".")
    other = guest_tokens._json(
        {"aud": guest_tokens.AUDIENCE, "sub": "inv_other", "inv": "X", "cus": "CUS-X", "exp": 9**10}
    )
    for forged in (f"{header}.{other}.{signature}", token[:-2] + "AA", "a.b.c", ""):
        with pytest.raises(GuestTokenRefusedError) as refused:
            verify_guest_token(forged, key=key, now=datetime.now(UTC))
        assert domain_error_response(refused.value).status_code == 401


@pytest.mark.parametrize(
    "proof",
    [{"postal_code": "99999"}, {"amount_due": 15_001}, {"amount_due": 0}, {"postal_code": "6270"}],
)
def test_a_wrong_proof_and_an_unknown_invoice_answer_alike(gateway, bill, proof):
    wrong = lookup(gateway, {"invoice_number": bill.invoice_number, **proof}, ip=_ip())
    unknown = lookup(gateway, {"invoice_number": _number(), **proof}, ip=_ip())
    assert wrong[0] == unknown[0] == 404
    assert wrong[2] == unknown[2]
    assert wrong[2]["error"]["code"] == "not_found" and wrong[2]["error"]["details"] is None


def test_unknown_and_wrong_do_the_same_storage_work(gateway, bill):
    with dynamodb_round_trips() as wrong:
        lookup(gateway, {"invoice_number": bill.invoice_number, "postal_code": "99999"}, ip=_ip())
    with dynamodb_round_trips() as unknown:
        lookup(gateway, {"invoice_number": _number(), "postal_code": "99999"}, ip=_ip())
    assert [c.rsplit(".", 1)[-1] for c in wrong.calls] == [c.rsplit(".", 1)[-1] for c in unknown.calls]
    assert {c.rsplit(".", 1)[-1] for c in wrong.calls} <= {"Query", "GetItem", "BatchGetItem", "UpdateItem"}


def test_five_failures_lock_the_invoice_for_everyone_with_retry_after(gateway, bill):
    for _ in range(5):
        status, _, _ = lookup(gateway, {"invoice_number": bill.invoice_number, "postal_code": "11111"}, ip=_ip())
        assert status == 404
    # Now even the right proof, from a new client, waits: the invoice's window is full.
    status, headers, body = lookup(gateway, {"invoice_number": bill.invoice_number, "postal_code": "62701"}, ip=_ip())
    assert status == 429 and body["error"]["code"] == "rate_limited"
    assert 0 < int(headers["retry-after"]) <= 15 * 60
    assert body["error"]["details"]["retry_after"] == int(headers["retry-after"])


def test_twenty_failures_lock_the_client_out_of_every_invoice(gateway, bill):
    ip = _ip()
    for _ in range(20):
        status, _, _ = lookup(gateway, {"invoice_number": _number(), "postal_code": "11111"}, ip=ip)
        assert status == 404
    status, headers, _ = lookup(gateway, {"invoice_number": bill.invoice_number, "postal_code": "62701"}, ip=ip)
    assert status == 429 and 0 < int(headers["retry-after"]) <= 3600
    # Another client is not affected.
    assert lookup(gateway, {"invoice_number": bill.invoice_number, "postal_code": "62701"}, ip=_ip())[0] == 200


def test_voided_invoices_are_not_found(gateway, local_env):
    cid = new_customer_id()
    account = b.account(cid, number=f"UT-{b.n() + 900000}")
    voided = b.invoice(cid, account.account_number, number=_number()).model_copy(update={"voided": True})
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), account, voided])
    assert lookup(gateway, {"invoice_number": voided.invoice_number, "postal_code": "62701"}, ip=_ip())[0] == 404


@pytest.mark.parametrize(
    "body",
    [
        {"invoice_number": "UT-1"},
        {"invoice_number": "UT-1234", "postal_code": "62701", "amount_due": 100},
        {"invoice_number": "UT-1234", "postal_code": "62701", "extra": 1},
        {"invoice_number": "UT-1234", "amount_due": -5},
        {"invoice_number": "UT-1234", "amount_due": 1.5},
    ],
)
def test_malformed_lookups_are_422(gateway, body):
    status, _, reply = lookup(gateway, body, ip=_ip())
    assert status == 422 and reply["error"]["code"] == "validation_failed" and reply["error"]["details"]
