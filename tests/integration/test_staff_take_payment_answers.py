"""What POST /v1/staff/payments answers: ``StaffPaymentTakenOut``, field for field, when paid (201); when declined,
a 402 ``payment_declined`` whose details are the same fields and the decline code (``StaffPaymentDeclinedOut``).
The same Idempotency-Key answers a decline again as it was."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from staff_api.schemas_actions import StaffPaymentTakenOut
from tests.integration.staff_actions_support import new_customer

TAKEN = list(StaffPaymentTakenOut.model_fields)


@pytest.fixture
def agent(make_users: Any) -> str:
    return str(make_users(groups=("agent",)).staff_token)


def _take(gateway: Any, token: str, cid: str, invoice_id: str, *, card: str, key: str) -> Any:
    body = {
        "customer_id": cid,
        "amount": 2_000,
        "currency": "USD",
        "method": "card",
        "channel": "phone",
        "token": card,
        "lines": [{"invoice_id": invoice_id, "amount": 2_000}],
    }
    return gateway.request("POST", "/v1/staff/payments", token=token, json=body, headers={"Idempotency-Key": key})


def test_a_payment_taken_answers_its_model_field_for_field(local_env: Any, gateway: Any, agent: str) -> None:
    cid, _, (invoice,) = new_customer(local_env, amounts=(5_000,))
    reply = _take(gateway, agent, cid, invoice.invoice_id, card="tok_visa", key=uuid.uuid4().hex)
    assert reply.status == 201, reply.body
    assert list(reply.body) == TAKEN
    payment = reply.body["payment"]
    assert payment["customer_id"] == cid and payment["amount"] == 2_000 and "history" not in payment
    assert [h["status"] for h in reply.body["history"]][-1] == payment["status"]
    assert reply.body["balances"] == {invoice.invoice_id: 3_000}
    assert [a["invoice_id"] for a in reply.body["allocations"]] == [invoice.invoice_id]
    assert reply.body["new_invoices"] == [] and reply.body["replayed"] is False
    assert reply.headers["location"] == f"/v1/staff/payments/{payment['payment_id']}"


def test_a_declined_payment_is_a_402_with_the_payment_and_the_decline_code(
    local_env: Any, gateway: Any, agent: str
) -> None:
    cid, _, (invoice,) = new_customer(local_env, amounts=(5_000,))
    key = uuid.uuid4().hex
    reply = _take(gateway, agent, cid, invoice.invoice_id, card="tok_insufficient_funds", key=key)
    assert reply.status == 402, reply.body
    assert list(reply.body) == ["error"] and list(reply.body["error"]) == ["code", "message", "details"]
    error = reply.body["error"]
    assert error["code"] == "payment_declined" and error["message"]
    details = error["details"]
    assert sorted(details) == sorted([*TAKEN, "decline_code"])
    assert details["decline_code"] == "insufficient_funds"
    assert details["payment"]["status"] == "failed" and details["allocations"] == []
    again = _take(gateway, agent, cid, invoice.invoice_id, card="tok_insufficient_funds", key=key)
    assert (again.status, again.body) == (402, reply.body)
