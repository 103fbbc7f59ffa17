"""A payer is emailed when a refund or a void gives money back, and when a reversal takes a payment back, at once or
once an approval is carried out, as their notification preferences say (the local mailbox is SES's)."""

from __future__ import annotations

import uuid
from typing import Any

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.settlement_store import DynamoSettlementStore
from arportal.config import settings
from arportal.domain.models import NotificationPreferences, StatusChange
from arportal.domain.status import PaymentStatus
from arportal.ports import SettlementCandidate
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.staff_actions_support import key, pay, wait_for


def _customer(local_env, amounts: tuple[int, ...], *, receipts: bool = True) -> tuple[str, str, list[Any]]:
    cid = new_customer_id()
    account = b.account(cid, number=f"UT-{uuid.uuid4().int % 10**8:08d}")
    invoices = [
        b.invoice(cid, account.account_number, amount=a).model_copy(update={"invoice_id": f"inv_{uuid.uuid4().hex}"})
        for a in amounts
    ]
    email = f"{cid.lower()}@example.org"
    customer = b.customer(cid, email=email, name="Morgan Lee").model_copy(
        update={"preferences": NotificationPreferences(email_receipts=receipts)}
    )
    DynamoCustomerRecords(local_env.resources.ledger_table).put_new([customer, account, *invoices])
    return cid, email, invoices


def _mail(gateway, to: str, subject_has: str) -> list[dict[str, Any]]:
    messages = gateway.request("GET", "/local/mailbox").body["messages"]
    return [m for m in messages if to in m["to"] and subject_has in m["subject"]]


def _act(gateway, token: str, payment_id: str, action: str, **body: Any):
    body = {"reason_code": "customer_request", "note": "as asked", **body}
    return gateway.request("POST", f"/v1/staff/payments/{payment_id}/{action}", token=token, json=body, headers=key())


def _settle(cid: str, payment_id: str, amount: int) -> None:
    change = StatusChange(status=PaymentStatus.SETTLED, at=b.NOW, by="system:settlement")
    candidate = SettlementCandidate(payment_id, cid, amount, "USD")
    assert DynamoSettlementStore(settings().ledger_table).append_status(
        candidate, change, expected=PaymentStatus.POSTED
    )


def test_refunds_voids_and_reversals_each_email_the_payer(local_env, gateway, make_users):
    # Given a payer who wants receipts, with three invoices paid by card on the phone (2.5 % fee)
    agency = settings().agency_name
    cid, email, (first, second, third) = _customer(local_env, (4_000, 6_000, 2_000))
    staff = make_users(groups=("supervisor",)).staff_token
    paid = [
        pay(gateway, staff, cid, [{"invoice_id": i.invoice_id, "amount": i.amount}]).body["payment"]
        for i in (first, second, third)
    ]

    # When 15.00 of the first is refunded
    assert _act(gateway, staff, paid[0]["payment_id"], "refunds", amount=1_500).status == 201
    # Then the payer is told how much comes back, where to, that the fee stays, and what is owed again
    (refund,) = _mail(gateway, email, "refunded to you")
    assert refund["subject"] == f"{agency}: 15.00 USD refunded to you"
    body = refund["body"]
    assert "Dear Morgan Lee" in body and "15.00 USD of your payment" in body
    assert "Visa card ending 4242" in body and "convenience fee of 1.00 USD" in body
    assert f"Invoice {first.invoice_number}: 15.00 USD to pay" in body
    assert "25.00 USD of the payment still stands" in body

    # When the second is voided before it settles
    assert _act(gateway, staff, paid[1]["payment_id"], "voids").status == 201
    # Then the payer is told nothing was collected and all of it, fee included, goes back
    (void,) = _mail(gateway, email, "your payment was cancelled")
    assert "nothing was collected" in void["body"] and "61.50 USD (the convenience fee included)" in void["body"]
    assert f"Invoice {second.invoice_number}: 60.00 USD to pay" in void["body"]

    # When the third settles and the bank takes it back
    _settle(cid, paid[2]["payment_id"], 2_000)
    assert _act(gateway, staff, paid[2]["payment_id"], "reversals", reason_code="nsf").status == 201
    # Then the payer is told it was reversed and must pay again
    (reversal,) = _mail(gateway, email, "your payment was reversed")
    assert "taken back by your bank (20.00 USD)" in reversal["body"] and "Please pay again" in reversal["body"]
    assert f"Invoice {third.invoice_number}: 20.00 USD to pay" in reversal["body"]

    # And a replay of the same request tells no one twice
    headers = key()
    body = {"amount": 500, "reason_code": "customer_request", "note": "again"}
    path = f"/v1/staff/payments/{paid[0]['payment_id']}/refunds"
    assert gateway.request("POST", path, token=staff, json=body, headers=headers).status == 201
    assert gateway.request("POST", path, token=staff, json=body, headers=headers).status == 201
    assert len(_mail(gateway, email, f"{agency}: 5.00 USD refunded to you")) == 1


def test_a_payer_who_wants_no_receipts_hears_of_a_reversal_but_not_of_a_refund(local_env, gateway, make_users):
    cid, email, (first, second) = _customer(local_env, (3_000, 5_000), receipts=False)
    staff = make_users(groups=("supervisor",)).staff_token
    one, two = (
        pay(gateway, staff, cid, [{"invoice_id": i.invoice_id, "amount": i.amount}]).body["payment"]
        for i in (first, second)
    )
    assert _act(gateway, staff, one["payment_id"], "refunds").status == 201
    _settle(cid, two["payment_id"], 5_000)
    assert _act(gateway, staff, two["payment_id"], "reversals", reason_code="nsf").status == 201

    messages = [m for m in gateway.request("GET", "/local/mailbox").body["messages"] if email in m["to"]]
    # a refund is a receipt of money going back: not wanted; a reversal needs the payer to act: always sent
    assert [m["subject"] for m in messages] == [f"{settings().agency_name}: your payment was reversed"]


def test_a_refund_carried_out_once_approved_emails_the_payer_then(local_env, gateway, make_users):
    # Given a payment above the approval threshold (the local agency's is 500.00)
    cid, email, (invoice,) = _customer(local_env, (60_000,))
    agent = make_users(groups=("agent",))
    paid = pay(gateway, agent.staff_token, cid, [{"invoice_id": invoice.invoice_id, "amount": 60_000}]).body
    # When the agent asks for a refund of 550.00, which waits for a supervisor
    filed = _act(gateway, agent.staff_token, paid["payment"]["payment_id"], "refunds", amount=55_000)
    assert filed.status == 202, filed.body
    approval_id = filed.body["approval_id"]
    wait_for(local_env, approval_id, lambda item: item.get("task_token"))
    assert _mail(gateway, email, "refunded to you") == []  # nothing moved yet, nothing said
    supervisor = make_users(groups=("supervisor",)).staff_token
    decision = {"decision": "approve", "note": "checked"}
    path = f"/v1/staff/approvals/{approval_id}/decision"
    assert gateway.request("POST", path, token=supervisor, json=decision, headers=key()).status == 200
    assert wait_for(local_env, approval_id, lambda i: i["status"] in {"executed", "failed"})["status"] == "executed"
    # Then, once carried out, the payer is told
    (refund,) = _mail(gateway, email, "refunded to you")
    assert refund["subject"] == f"{settings().agency_name}: 550.00 USD refunded to you"
