"""ACH through its whole life: pending on payment, then posted, failed or returned when the processor reports,
by signed webhook (POST /v1/processor/webhooks/sandbox) against the real tables on moto."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from arportal.adapters import processors, sandbox_webhooks
from arportal.adapters.aws import client
from arportal.adapters.sandbox import transaction_id_for
from arportal.config import settings
from arportal.domain.cards import looks_like_card_number
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips
from tests.reliability.worlds import PayWorld, pay_world

HOOK = "/v1/processor/webhooks/sandbox"


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((3_000, 5_000), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


def ach_key(world: PayWorld) -> str:
    """A fresh Idempotency-Key whose sandbox transaction id has no card-number-like run of digits.

    Known issue (reported): the resolver refuses any body with a Luhn-valid run of 13-19 digits before a route
    runs, and that includes a processor's signed webhook naming such an id (~0.1 % of sandbox ids), which the
    processor would then resend forever. Until the guard exempts /v1/processor/webhooks, these tests steer clear.
    """
    while True:
        key = uuid.uuid4().hex
        if not looks_like_card_number(transaction_id_for(f"customer:{world.customer_id}:{key}")):
            return key


def pay_ach(gateway, world: PayWorld, amount: int, **extra: object) -> dict:
    body = {"amount": amount, "currency": "USD", "method": "ach", "token": "tok_ach", **extra}
    reply = gateway.request(
        "POST", "/v1/portal/payments", token=world.token, json=body, headers={"Idempotency-Key": ach_key(world)}
    )
    assert reply.status == 201 and reply.body["payment"]["status"] == "pending", reply.body
    return reply.body["payment"]


def report(gateway, transaction_id: str, action: str, *, secret: str | None = None):
    """What the sandbox's bank does to the debit, delivered as its signed webhook."""
    sandbox = processors.sandbox_for(settings())
    event, currency = sandbox.ach_event(transaction_id, action)
    body = sandbox_webhooks.event_body(event, currency=currency)
    key = secret or processors.credentials(settings().processor_secret_arn).webhook_secret
    assert key
    signature = sandbox_webhooks.signature(body, key, timestamp=int(time.time()))
    reply = gateway.request(
        "POST", HOOK, body=body, headers={"Content-Type": "application/json", "Sandbox-Signature": signature}
    )
    return event, reply


def item(world: PayWorld, sk: str) -> dict | None:
    found = [i for i in world.partition(sk) if i["SK"] == sk]
    return found[0] if found else None


def events_for(local_env, payment_id: str) -> list[str]:
    local_env.relay_once()
    return [e["detail-type"] for e in local_env.drain_events() if e["detail"].get("payment_id") == payment_id]


class TestSettled:
    def test_a_settled_debit_posts_with_a_receipt_once(self, gateway, world, local_env):
        payment = pay_ach(gateway, world, 3_000)
        pid = payment["payment_id"]
        # When the bank settles it
        with dynamodb_round_trips() as trips:
            _, reply = report(gateway, payment["transaction_id"], "settle")
        # Then the payment posts, with a receipt number, a receipt record and its PDF, and an email
        assert reply.status == 200, reply.body
        assert reply.body["outcome"] == "applied" and reply.body["status"] == "posted"
        [posted] = world.payments()
        assert [h.status.value for h in posted.history] == ["pending", "posted"]
        assert posted.history[-1].by == "processor:sandbox" and posted.receipt_number
        assert item(world, f"RCPT#{posted.receipt_number}") is not None
        assert [d["reference"] for d in world.partition("DOC#")] == [posted.receipt_number]
        mail = [m for m in gateway.request("GET", "/local/mailbox").body["messages"] if world.customer.email in m["to"]]
        assert posted.receipt_number in mail[0]["subject"]
        assert world.invoice(world.invoices[0].invoice_id).balance == 0  # applied since the payment was taken
        assert "payment.posted" in events_for(local_env, pid)
        calls = [c.rsplit(".", 1)[-1] for c in trips.calls if "Sandbox" not in c]
        assert calls.count("TransactWriteItems") >= 1 and "Scan" not in calls
        # And the same event delivered again changes nothing
        _, again = report(gateway, payment["transaction_id"], "settle")
        assert again.status == 200 and again.body["outcome"] == "duplicate" and again.body["duplicate"]
        assert len(world.partition("DOC#")) == 1 and world.payments()[0].version == posted.version


class TestFailedAndReturned:
    def test_a_failed_debit_reopens_the_invoices_and_removes_its_credit(self, gateway, world, local_env):
        first, second = world.invoices
        before = {i.invoice_id: world.invoice(i.invoice_id) for i in world.invoices}
        open_item = client("dynamodb").get_item(
            TableName=settings().ledger_table,
            Key={"PK": {"S": f"CUST#{world.customer_id}"}, "SK": {"S": f"INV#{first.invoice_id}"}},
        )["Item"]
        # Given an ACH payment that paid both invoices and left 500 as credit
        payment = pay_ach(gateway, world, 8_500, account_number=world.account.account_number)
        assert world.invoice(first.invoice_id).status.value == "paid" and len(world.partition("CN#")) == 1
        assert "OPK" not in item(world, f"INV#{first.invoice_id}")
        # When the bank fails it
        event, reply = report(gateway, payment["transaction_id"], "fail")
        assert reply.status == 200 and reply.body["status"] == "failed", reply.body
        # Then each invoice is back to its figures before, one version on, live again in the open/due indexes
        for invoice in (first, second):
            now = world.invoice(invoice.invoice_id)
            was = before[invoice.invoice_id]
            assert (now.paid, now.balance, now.status) == (was.paid, was.balance, was.status)
            assert now.version == was.version + 2  # paid, then reopened
        reopened = item(world, f"INV#{first.invoice_id}")
        for attribute in ("OPK", "OSK", "DUEPK", "DUESK"):
            assert reopened[attribute] == open_item[attribute]["S"]
        assert world.partition("CN#") == []
        [failed] = world.payments()
        assert failed.status.value == "failed" and failed.fee_amount == 0
        assert failed.history[-1].note == event.code
        # The payer is told; the change is audited and published
        subjects = [
            m["subject"]
            for m in gateway.request("GET", "/local/mailbox").body["messages"]
            if world.customer.email in m["to"]
        ]
        assert f"{settings().agency_name}: your bank payment was returned" in subjects
        audit = client("dynamodb").query(
            TableName=settings().audit_table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"PAYMENT#{failed.payment_id}"}},
        )["Items"]
        assert [a["action"]["S"] for a in audit] == ["payment.pending", "payment.failed"]
        assert events_for(local_env, failed.payment_id) == ["payment.pending", "payment.failed"]

    def test_a_return_after_posting_reverses_it(self, gateway, world):
        payment = pay_ach(gateway, world, 3_000)
        assert report(gateway, payment["transaction_id"], "settle")[1].body["status"] == "posted"
        _, reply = report(gateway, payment["transaction_id"], "return")
        assert reply.status == 200 and reply.body["status"] == "reversed", reply.body
        [reversed_] = world.payments()
        assert [h.status.value for h in reversed_.history] == ["pending", "posted", "reversed"]
        reopened = world.invoice(world.invoices[0].invoice_id)
        assert (reopened.balance, reopened.status.value) == (3_000, "open")


class TestWhatIsRefused:
    def test_an_unknown_transaction_is_acknowledged_and_ignored(self, gateway):
        secret = processors.credentials(settings().processor_secret_arn).webhook_secret
        assert secret
        body = json.dumps(
            {
                "id": f"evt_{uuid.uuid4().hex}",
                "type": "charge.succeeded",
                "created": int(time.time()),
                "data": {"transaction_id": "sbx_nothing_like_it", "amount": 100, "currency": "USD"},
            }
        ).encode()
        signature = sandbox_webhooks.signature(body, secret, timestamp=int(time.time()))
        reply = gateway.request("POST", HOOK, body=body, headers={"Sandbox-Signature": signature})
        assert reply.status == 200 and reply.body["ignored"] is True and reply.body["payment_id"] is None

    def test_a_bad_signature_is_400_and_nothing_is_applied(self, gateway, world):
        payment = pay_ach(gateway, world, 3_000)
        _, reply = report(gateway, payment["transaction_id"], "settle", secret="whsec_someone_else")
        assert reply.status == 400 and reply.body["error"]["code"] == "invalid_signature"
        assert world.payments()[0].status.value == "pending"

    def test_another_processors_path_is_404(self, gateway):
        reply = gateway.request("POST", "/v1/processor/webhooks/stripe", body=b"{}")
        assert reply.status == 404


def test_the_sandbox_delivers_its_own_signed_webhook_over_http(local_env, world, gateway):
    """End to end over a real socket: the sandbox's ACH simulation -> HTTP -> the gateway -> this route."""
    from local.gateway import Gateway

    payment = pay_ach(gateway, world, 3_000)
    server = Gateway(local_env).serve(port=0).start()
    try:
        for _attempt in range(3):  # a processor resends what was not answered 2xx (same event id)
            simulation = processors.sandbox_for(settings()).simulate_ach(
                payment["transaction_id"], "settle", webhook_url=f"{server.url}{HOOK}"
            )
            if simulation.delivery.status == 200:
                break
    finally:
        server.stop()
    assert simulation.delivery.status == 200, simulation.delivery.body
    assert json.loads(simulation.delivery.body)["status"] == "posted"
    assert world.payments()[0].status.value == "posted"
