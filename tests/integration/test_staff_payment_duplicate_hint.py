"""``likely_duplicate_of`` on GET /v1/staff/payments/{paymentId}: the same payer, amount and invoice within the
agency's duplicate window (``domain/duplicates.py``), read in bounded key ranges beside the payment's own reads."""

from __future__ import annotations

import pytest

from tests.integration.staff_actions_support import new_customer, pay


@pytest.fixture
def agent(make_users):
    return make_users(groups=("agent",)).staff_token


def _view(gateway, token: str, payment_id: str) -> dict:
    reply = gateway.request("GET", f"/v1/staff/payments/{payment_id}", token=token)
    assert reply.status == 200, reply.body
    return reply.body


def _paid(gateway, token: str, cid: str, invoice_id: str, amount: int) -> str:
    reply = pay(gateway, token, cid, [{"invoice_id": invoice_id, "amount": amount}])
    assert reply.status == 201, reply.body
    return str(reply.body["payment"]["payment_id"])


def test_a_second_payment_of_the_same_amount_toward_the_same_invoice_names_the_first(local_env, gateway, agent):
    # Given a customer who pays 30.00 toward an invoice, then the same again minutes later
    cid, _, (invoice, other) = new_customer(local_env, amounts=(10_000, 8_000))
    first = _paid(gateway, agent, cid, invoice.invoice_id, 3_000)
    second = _paid(gateway, agent, cid, invoice.invoice_id, 3_000)
    # And payments that differ in amount or invoice
    different_amount = _paid(gateway, agent, cid, invoice.invoice_id, 2_500)
    different_invoice = _paid(gateway, agent, cid, other.invoice_id, 3_000)

    # Then the repeat names the payment it likely duplicates, and nothing else is flagged
    assert _view(gateway, agent, second)["likely_duplicate_of"] == first
    assert _view(gateway, agent, first)["likely_duplicate_of"] is None
    assert _view(gateway, agent, different_amount)["likely_duplicate_of"] is None
    assert _view(gateway, agent, different_invoice)["likely_duplicate_of"] is None
