"""Exceptions over the threshold, through the real approval.asl.json on moto: filed (202), decided by a second
staff member (never the requester), then carried out (or not): approve, reject, expire, processor failure."""

from __future__ import annotations

import pytest

from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.settlement_store import DynamoSettlementStore
from arportal.adapters.processors import processor_for
from arportal.config import settings
from arportal.domain.models import StatusChange
from arportal.domain.status import PaymentStatus
from arportal.ports import SettlementCandidate
from tests import builders as b
from tests.integration.staff_actions_support import execution_ended, invoice_of, key, new_customer, pay, wait_for

BIG = 60_000  # over the local agency's threshold (50,000)


@pytest.fixture
def big_payment(local_env, gateway, make_users):
    cid, _, (invoice,) = new_customer(local_env, amounts=(BIG,))
    agent = make_users(groups=("agent",))
    paid = pay(gateway, agent.staff_token, cid, [{"invoice_id": invoice.invoice_id, "amount": BIG}])
    assert paid.status == 201, paid.body
    return cid, invoice, paid.body["payment"], agent


def _file_refund(gateway, token, payment_id, amount=55_000):
    body = {"amount": amount, "reason_code": "duplicate", "note": "Paid twice at the counter"}
    return gateway.request("POST", f"/v1/staff/payments/{payment_id}/refunds", token=token, json=body, headers=key())


def _decide(gateway, token, approval_id, decision):
    return gateway.request(
        "POST",
        f"/v1/staff/approvals/{approval_id}/decision",
        token=token,
        json={"decision": decision, "note": "checked"},
        headers=key(),
    )


def test_an_agent_refund_above_the_threshold_waits_for_a_supervisor_then_is_carried_out(
    local_env, gateway, make_users, big_payment
):
    cid, invoice, payment, agent = big_payment
    # When the agent asks for a refund above the threshold
    filed = _file_refund(gateway, agent.staff_token, payment["payment_id"])
    # Then nothing moved yet: the request waits in the queue
    assert filed.status == 202, filed.body
    approval_id = filed.body["approval_id"]
    assert filed.body["status"] == "pending"
    wait_for(local_env, approval_id, lambda item: item.get("task_token"))
    assert invoice_of(local_env, cid, invoice.invoice_id)["balance"] == 0
    supervisor = make_users(groups=("supervisor",))
    queue = gateway.request("GET", "/v1/staff/approvals?status=pending&limit=100", token=supervisor.staff_token)
    assert approval_id in [a["approval_id"] for a in queue.body["approvals"]]
    mine = gateway.request("GET", "/v1/staff/approvals", token=agent.staff_token)
    assert {a["requested_by"] for a in mine.body["approvals"]} == {f"staff:{agent.staff.username}"}

    # And the agent cannot decide it (no approvals.decide)
    assert _decide(gateway, agent.staff_token, approval_id, "approve").status == 403

    # When a supervisor approves
    decided = _decide(gateway, supervisor.staff_token, approval_id, "approve")
    assert decided.status == 200, decided.body
    item = wait_for(local_env, approval_id, lambda i: i["status"] in {"executed", "failed"})

    # Then the refund was carried out through the processor and the ledger, and everything is audited
    assert item["status"] == "executed", item
    assert item["outcome"]["status"] == "partially_refunded"
    assert invoice_of(local_env, cid, invoice.invoice_id)["balance"] == 55_000
    trail = DynamoAuditTrail(settings().audit_table)
    assert [r["action"] for r in trail.history("approval", approval_id)] == [
        "approval.requested",
        "approval.approved",
        "approval.executed",
    ]
    assert trail.verify("approval", approval_id).ok
    assert trail.verify("payment", payment["payment_id"]).ok
    # And deciding again is a 409: it is no longer pending
    other = make_users(groups=("finance",))
    assert _decide(gateway, other.staff_token, approval_id, "reject").status == 409


def test_no_one_approves_their_own_request(local_env, gateway, big_payment, make_users):
    _, _, payment, _ = big_payment
    supervisor = make_users(groups=("supervisor",))
    filed = _file_refund(gateway, supervisor.staff_token, payment["payment_id"])
    assert filed.status == 202, filed.body
    wait_for(local_env, filed.body["approval_id"], lambda item: item.get("task_token"))

    reply = _decide(gateway, supervisor.staff_token, filed.body["approval_id"], "approve")

    assert reply.status == 403
    assert reply.body["error"]["code"] == "self_approval"


def test_a_rejected_request_does_nothing(local_env, gateway, make_users, big_payment):
    cid, invoice, payment, agent = big_payment
    filed = _file_refund(gateway, agent.staff_token, payment["payment_id"])
    approval_id = filed.body["approval_id"]
    wait_for(local_env, approval_id, lambda item: item.get("task_token"))

    finance = make_users(groups=("finance",))
    assert _decide(gateway, finance.staff_token, approval_id, "reject").status == 200

    item = wait_for(local_env, approval_id, lambda i: i["status"] != "pending")
    assert item["status"] == "rejected"
    assert invoice_of(local_env, cid, invoice.invoice_id)["balance"] == 0


def test_an_expired_approval_does_nothing(local_env, gateway, make_users, big_payment):
    cid, invoice, payment, agent = big_payment
    local_env.configure(APPROVAL_EXPIRY_SECONDS="1")
    try:
        filed = _file_refund(gateway, agent.staff_token, payment["payment_id"])
    finally:
        local_env.configure(APPROVAL_EXPIRY_SECONDS="86400")
    approval_id = filed.body["approval_id"]

    item = wait_for(local_env, approval_id, lambda i: i["status"] != "pending")

    assert item["status"] == "expired"
    supervisor = make_users(groups=("supervisor",))
    late = _decide(gateway, supervisor.staff_token, approval_id, "approve")
    assert late.status == 409
    assert invoice_of(local_env, cid, invoice.invoice_id)["balance"] == 0


def test_a_processor_failure_while_carrying_it_out_marks_the_approval_failed(
    local_env, gateway, make_users, big_payment
):
    cid, invoice, payment, agent = big_payment
    filed = _file_refund(gateway, agent.staff_token, payment["payment_id"])
    approval_id = filed.body["approval_id"]
    wait_for(local_env, approval_id, lambda item: item.get("task_token"))
    # Meanwhile the charge was refunded in full at the processor, outside this ledger
    assert (
        processor_for(settings())
        .refund(payment["transaction_id"], BIG, idempotency_key=key()["Idempotency-Key"])
        .succeeded
    )

    supervisor = make_users(groups=("supervisor",))
    assert _decide(gateway, supervisor.staff_token, approval_id, "approve").status == 200
    item = wait_for(local_env, approval_id, lambda i: i["status"] in {"executed", "failed"})

    assert item["status"] == "failed"
    assert item["outcome"]["code"] == "processor_refused"
    assert invoice_of(local_env, cid, invoice.invoice_id)["balance"] == 0
    assert execution_ended(local_env, "approval", approval_id, "FAILED")


def test_an_agent_may_ask_for_a_reversal_it_may_not_make_and_a_supervisor_approves_it(local_env, gateway, make_users):
    # Given a small settled payment (well under the threshold) taken by an agent
    cid, _, (invoice,) = new_customer(local_env, amounts=(2_000,))
    agent = make_users(groups=("agent",))
    paid = pay(gateway, agent.staff_token, cid, [{"invoice_id": invoice.invoice_id, "amount": 2_000}])
    assert paid.status == 201, paid.body
    pid = paid.body["payment"]["payment_id"]
    settled = StatusChange(status=PaymentStatus.SETTLED, at=b.NOW, by="system:settlement")
    candidate = SettlementCandidate(pid, cid, 2_000, "USD")
    assert DynamoSettlementStore(settings().ledger_table).append_status(
        candidate, settled, expected=PaymentStatus.POSTED
    )

    # When the agent, who may not reverse payments, asks for a reversal (the cheque bounced)
    body = {"reason_code": "nsf", "note": "Cheque returned by the bank"}
    filed = gateway.request(
        "POST", f"/v1/staff/payments/{pid}/reversals", token=agent.staff_token, json=body, headers=key()
    )

    # Then it is filed for approval rather than refused or done
    assert filed.status == 202, filed.body
    approval_id = filed.body["approval_id"]
    wait_for(local_env, approval_id, lambda item: item.get("task_token"))
    assert invoice_of(local_env, cid, invoice.invoice_id)["balance"] == 0

    # And once a supervisor approves, the payment is reversed and the invoice owes again
    supervisor = make_users(groups=("supervisor",))
    assert _decide(gateway, supervisor.staff_token, approval_id, "approve").status == 200
    item = wait_for(local_env, approval_id, lambda i: i["status"] in {"executed", "failed"})
    assert item["status"] == "executed", item
    assert invoice_of(local_env, cid, invoice.invoice_id)["balance"] == 2_000
