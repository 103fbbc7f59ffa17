"""Failures in the middle of a payment, through the gateway against moto: a lost processor answer, a crash between
the charge and the posting, a crash after the posting. Nothing is lost and nothing is doubled."""

from __future__ import annotations

import uuid

import pytest

from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
from arportal.adapters.sandbox import SandboxProcessor
from tests.fakes import CountingProcessor
from tests.integration.conftest import new_customer_id
from tests.integration.pay_support import PAY, count_charges, pay
from tests.reliability.worlds import PayWorld, pay_world


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((3_000, 5_000), customer_id=cid)
    w.token = make_users(customer_id=cid).customer_token
    return w


class Processor(CountingProcessor):
    """The deployment's sandbox, counting charge requests and the look-ups that reconcile a lost answer."""

    def __init__(self, inner) -> None:
        super().__init__(inner)
        self.lookups: list[str] = []

    def find_charge(self, idempotency_key: str):
        self.lookups.append(idempotency_key)
        return self.inner.find_charge(idempotency_key)


@pytest.fixture
def processor(monkeypatch) -> Processor:
    return count_charges(monkeypatch, Processor)


def crash_once(monkeypatch, *, after_commit: bool) -> list[str]:
    """Make the next posting die like a killed container: before its transaction, or right after it committed."""
    real_post = DynamoPaymentPosting.post
    crashes: list[str] = []

    def post(self, posting, **kwargs):
        if not crashes:
            crashes.append(posting.payment.payment_id)
            if after_commit:
                real_post(self, posting, **kwargs)
            raise RuntimeError("the container died (injected)")
        return real_post(self, posting, **kwargs)

    monkeypatch.setattr(DynamoPaymentPosting, "post", post)
    return crashes


def test_a_lost_answer_after_the_charge_is_reconciled_by_key_never_charged_again(gateway, world, processor):
    # Given a processor that charges and then times out before answering
    reply = pay(gateway, world, uuid.uuid4().hex, token="tok_unavailable_after_charge")
    # Then the charge is found by its key and posted: one charge request, one look-up, one payment
    assert reply.status == 201 and reply.body["payment"]["status"] == "posted", reply.body
    assert len(processor.charges) == 1 and processor.lookups == [processor.charges[0].idempotency_key]
    [payment] = world.payments()
    assert payment.transaction_id == reply.body["payment"]["transaction_id"]
    assert world.invoice(world.invoices[0].invoice_id).balance == 0


def test_a_crash_between_charge_and_posting_is_completed_once_by_the_retry(gateway, world, processor, monkeypatch):
    crashes = crash_once(monkeypatch, after_commit=False)
    key = uuid.uuid4().hex
    # When the container dies after charging, before posting
    first = pay(gateway, world, key)
    assert first.status == 500 and crashes and world.payments() == []
    # Then the client's retry with the same key posts it: the processor answers from the same charge
    retry = pay(gateway, world, key)
    assert retry.status == 201, retry.body
    [request1, request2] = processor.charges
    assert request1.idempotency_key == request2.idempotency_key
    assert isinstance(processor.inner, SandboxProcessor)
    assert (
        processor.inner.find_charge(request1.idempotency_key).transaction_id == retry.body["payment"]["transaction_id"]
    )
    # Nothing lost, nothing doubled: one payment, invoices moved once, one posting guard
    [payment] = world.payments()
    assert payment.payment_id == retry.body["payment"]["payment_id"]
    assert world.invoice(world.invoices[0].invoice_id).balance == 0
    assert world.invoice(world.invoices[1].invoice_id).balance == 4_000
    assert len(world.partition("ALLOC#")) == 2


def test_a_crash_after_the_posting_is_answered_from_the_ledger(gateway, world, processor, monkeypatch):
    crashes = crash_once(monkeypatch, after_commit=True)
    key = uuid.uuid4().hex
    # When the container dies right after the posting committed (its answer was never recorded)
    assert pay(gateway, world, key).status == 500
    # Then the retry finds the posted payment by its key: no second charge request, no second posting
    retry = pay(gateway, world, key)
    assert retry.status == 201, retry.body
    assert retry.body["payment"]["payment_id"] == crashes[0] and len(processor.charges) == 1
    assert [a["amount"]["amount"] for a in retry.body["payment"]["allocations"]] == [3_000, 1_000]
    # And the receipt the crash cut off is issued now, once
    assert retry.body["receipt"]["status"] == "issued" and retry.body["receipt"]["document_id"]
    assert [d["reference"] for d in world.partition("DOC#")] == [retry.body["payment"]["receipt_number"]]
    third = pay(gateway, world, key)
    assert third.body == retry.body and len(world.partition("DOC#")) == 1
    assert len(world.payments()) == 1 and world.invoice(world.invoices[1].invoice_id).balance == 4_000


def test_a_retry_after_a_crash_posts_even_if_its_invoice_was_paid_meanwhile(gateway, world, processor, monkeypatch):
    crash_once(monkeypatch, after_commit=False)
    invoice = world.invoices[0]
    body = {
        "amount": 3_000,
        "currency": "USD",
        "method": "card",
        "token": "tok_visa",
        "invoices": [{"invoice_id": invoice.invoice_id, "amount": 3_000}],
    }
    key = uuid.uuid4().hex
    headers = {"Idempotency-Key": key}
    # Given a payment charged and then cut off before its posting
    assert gateway.request("POST", PAY, token=world.token, json=body, headers=headers).status == 500
    # And the same invoice paid by another payment before the client retries
    other = gateway.request("POST", PAY, token=world.token, json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert other.status == 201
    # When the client retries: the charge that was made is posted, held as credit, not refused and not lost
    retry = gateway.request("POST", PAY, token=world.token, json=body, headers=headers)
    assert retry.status == 201, retry.body
    assert retry.body["payment"]["allocations"] == [] and retry.body["payment"]["credit_held"]["amount"] == 3_000
    assert len({c.idempotency_key for c in processor.charges}) == 2 and len(world.payments()) == 2
    assert world.invoice(invoice.invoice_id).paid == 3_000
    [credit] = world.partition("CN#")
    assert credit["remaining"] == 3_000 and credit["account_number"] == world.account.account_number
