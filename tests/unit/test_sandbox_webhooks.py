"""Sandbox webhooks: HMAC-SHA256 over "<t>.<body>", verified in constant time within five minutes; the ACH
simulation moves a debit as its bank would and sends the event a real processor would send."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.adapters import sandbox_webhooks
from arportal.adapters.sandbox import SandboxProcessor
from arportal.domain.errors import ConflictError, DependencyError, NotFoundError
from arportal.ports import ChargeRequest, ProcessorEvent, WebhookSignatureError
from tests.webhook_receiver import running_receiver

SECRET = "whsec_unit_test_secret"
NOW = 1_790_000_000.0
BODY = (
    b'{"id":"sbxevt_1","type":"charge.succeeded","created":1790000000,"data":{"transaction_id":"sbx_1","amount":500}}'
)


def signed(body: bytes = BODY, *, at: float = NOW, secret: str = SECRET) -> dict[str, str]:
    return {"Sandbox-Signature": sandbox_webhooks.signature(body, secret, timestamp=int(at))}


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    # Given the scheme as documented, computed independently
    expected = hmac.new(SECRET.encode(), b"1790000000." + BODY, hashlib.sha256).hexdigest()
    # Then the header carries the timestamp and that digest
    assert signed()["Sandbox-Signature"] == f"t=1790000000,v1={expected}"


def test_a_signed_webhook_verifies_and_reads_as_an_event():
    sandbox = SandboxProcessor(webhook_secret=SECRET, clock=lambda: NOW + 60)
    event = sandbox.parse_webhook({"sandbox-signature": signed()["Sandbox-Signature"]}, BODY)
    assert event == ProcessorEvent(
        event_id="sbxevt_1",
        kind="charge.succeeded",
        transaction_id="sbx_1",
        occurred_at=datetime.fromtimestamp(1_790_000_000, UTC),
        code=None,
        amount=500,
    )


@pytest.mark.parametrize(
    ("headers", "body", "now"),
    [
        (signed(), BODY.replace(b"500", b"5000"), NOW),  # the body was changed
        (signed(secret="whsec_someone_else"), BODY, NOW),  # signed with another secret
        (signed(), BODY, NOW + 301),  # too old: a replay
        (signed(), BODY, NOW - 301),  # from the future
        ({}, BODY, NOW),  # unsigned
        ({"Sandbox-Signature": "v1=abc"}, BODY, NOW),  # no timestamp
        ({"Sandbox-Signature": "t=1790000000"}, BODY, NOW),  # no signature
        ({"Sandbox-Signature": "t=1790000000,v0=" + "0" * 64}, BODY, NOW),  # another scheme
    ],
)
def test_anything_else_is_refused(headers, body, now):
    with pytest.raises(WebhookSignatureError):
        SandboxProcessor(webhook_secret=SECRET, clock=lambda: now).parse_webhook(headers, body)


def test_the_edge_of_the_tolerance_is_accepted():
    SandboxProcessor(webhook_secret=SECRET, clock=lambda: NOW + 300).parse_webhook(signed(), BODY)


def test_several_signatures_verify_if_one_does_while_a_secret_rotates():
    old = signed(secret="whsec_old")["Sandbox-Signature"]
    new = signed()["Sandbox-Signature"].split(",")[1]
    SandboxProcessor(webhook_secret=SECRET, clock=lambda: NOW).parse_webhook(
        {"Sandbox-Signature": f"{old},{new}"}, BODY
    )


def test_without_a_secret_every_webhook_is_refused():
    with pytest.raises(WebhookSignatureError, match="no webhook secret"):
        SandboxProcessor(clock=lambda: NOW).parse_webhook(signed(), BODY)


def test_a_verified_body_that_is_not_an_event_is_refused():
    body = b'{"hello": "world"}'
    with pytest.raises(WebhookSignatureError):
        SandboxProcessor(webhook_secret=SECRET, clock=lambda: NOW).parse_webhook(signed(body), body)


@given(st.binary(min_size=1, max_size=200), st.integers(0, 199), st.integers(1, 255))
def test_any_change_to_a_signed_body_fails_verification(body, position, flip):
    headers = signed(body)
    index = position % len(body)
    changed = body[:index] + bytes([body[index] ^ flip]) + body[index + 1 :]
    with pytest.raises(WebhookSignatureError):
        sandbox_webhooks.verify(headers, changed, SECRET, now=NOW)


# --- the ACH simulation ---------------------------------------------------------------------------------------


def ach_debit(sandbox: SandboxProcessor, token: str = "tok_ach", amount: int = 12_500) -> str:
    result = sandbox.charge(ChargeRequest(f"ach-{uuid.uuid4().hex}", amount, "USD", token, "Property tax"))
    assert result.transaction_id is not None
    return result.transaction_id


@pytest.fixture
def sandbox() -> SandboxProcessor:
    return SandboxProcessor(webhook_secret=SECRET, clock=lambda: NOW)


def test_settling_a_debit_reports_charge_succeeded(sandbox):
    txn = ach_debit(sandbox)
    event, currency = sandbox.ach_event(txn, "settle")
    assert (event.kind, event.transaction_id, event.amount, event.code, currency) == (
        "charge.succeeded",
        txn,
        12_500,
        None,
        "USD",
    )


def test_a_failed_debit_carries_its_account_s_code(sandbox):
    assert sandbox.ach_event(ach_debit(sandbox), "fail")[0].code == "insufficient_funds"
    assert sandbox.ach_event(ach_debit(sandbox, "tok_ach_return"), "fail")[0].kind == "charge.failed"


def test_a_settled_debit_can_be_returned(sandbox):
    txn = ach_debit(sandbox, "tok_ach_return")
    sandbox.ach_event(txn, "settle")
    event, _ = sandbox.ach_event(txn, "return")
    assert (event.kind, event.code) == ("charge.returned", "debit_not_authorized")


def test_repeating_an_action_resends_the_same_event(sandbox):
    txn = ach_debit(sandbox)
    first, _ = sandbox.ach_event(txn, "settle")
    again, _ = sandbox.ach_event(txn, "settle")
    assert first.event_id == again.event_id


@pytest.mark.parametrize(("done", "then"), [([], "return"), (["settle"], "fail"), (["fail"], "settle")])
def test_a_debit_moves_only_as_a_bank_would(sandbox, done, then):
    txn = ach_debit(sandbox)
    for action in done:
        sandbox.ach_event(txn, action)
    with pytest.raises(ConflictError):
        sandbox.ach_event(txn, then)


def test_only_ach_debits_can_be_simulated(sandbox):
    card = sandbox.charge(ChargeRequest(f"card-{uuid.uuid4().hex}", 100, "USD", "tok_visa", "x")).transaction_id
    assert card is not None
    with pytest.raises(NotFoundError):
        sandbox.ach_event(card, "settle")
    with pytest.raises(NotFoundError):
        sandbox.ach_event("sbx_unknown", "settle")


receiver = pytest.fixture(running_receiver)


def test_the_simulation_sends_a_webhook_its_receiver_can_verify(sandbox, receiver):
    # Given a pending debit
    txn = ach_debit(sandbox)
    # When the bank settles it
    simulation = sandbox.simulate_ach(txn, "settle", webhook_url=receiver.url)
    # Then the receiver got one signed event, and verifying it yields the same event
    assert simulation.delivery.status == 200
    ((path, headers, body),) = receiver.received
    assert path == "/v1/processor/webhooks/sandbox"
    assert headers["Content-Type"] == "application/json"
    assert sandbox.parse_webhook(headers, body) == simulation.event
    assert json.loads(body)["data"] == {"transaction_id": txn, "amount": 12_500, "currency": "USD", "code": None}


def test_a_receiver_that_is_down_is_reported_and_the_state_stands(sandbox):
    txn = ach_debit(sandbox)
    down = sandbox.simulate_ach(txn, "settle", webhook_url="http://127.0.0.1:9/nowhere")
    assert down.delivery.status is None
    assert sandbox.refund(txn, 100, idempotency_key=f"r-{uuid.uuid4().hex}").succeeded  # settled all the same


def test_without_a_secret_nothing_is_sent(receiver):
    sandbox = SandboxProcessor(clock=lambda: NOW)
    with pytest.raises(DependencyError):
        sandbox.simulate_ach(ach_debit(sandbox), "settle", webhook_url=receiver.url)
    assert receiver.received == []
