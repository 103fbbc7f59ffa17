"""A payment's status as staff confirm it: milestones, history, allocations, receipt, audit trail."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.outbox import audit_item
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.config import settings
from arportal.domain.ids import new_id
from arportal.domain.models import (
    Allocation,
    AuditEvent,
    MethodDetail,
    PaymentMethodType,
    StatusChange,
)
from arportal.domain.status import PaymentStatus
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips

T0 = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)
S = PaymentStatus


@pytest.fixture(scope="module")
def ach_payment(local_env):
    """An ACH payment that went pending -> posted -> settled, applied to two invoices, with a receipt and audit."""
    cid = new_customer_id()
    account = b.account(cid)
    first, second = (b.invoice(cid, account.account_number, amount=a) for a in (3_000, 4_000))
    receipt_no = f"R-2610-{b.n():06d}"
    payment = b.payment(cid, amount=7_000, receipt_number=receipt_no, at=T0).model_copy(
        update={
            "method": MethodDetail(type=PaymentMethodType.ACH, last4="6789"),
            "status": S.SETTLED,
            "history": [
                StatusChange(status=S.PENDING, at=T0, by="customer"),
                StatusChange(status=S.POSTED, at=T0 + timedelta(days=3), by="processor", note="ach cleared"),
                StatusChange(status=S.SETTLED, at=T0 + timedelta(days=4), by="system:settlement"),
            ],
            "departments": ["utilities"],
        }
    )
    allocations = [
        Allocation(
            payment_id=payment.payment_id,
            invoice_id=inv.invoice_id,
            invoice_number=inv.invoice_number,
            customer_id=cid,
            account_number=account.account_number,
            department="utilities",
            amount=inv.amount,
            currency="USD",
            applied_at=T0,
        )
        for inv in (first, second)
    ]
    DynamoCustomerRecords(settings().ledger_table).put_new(
        [b.customer(cid), account, first, second, payment, *allocations, b.receipt(payment, receipt_no)]
    )

    def event(action: str, at: datetime, actor: str) -> AuditEvent:
        return AuditEvent(
            event_id=new_id("aud"),
            entity_type="payment",
            entity_id=payment.payment_id,
            action=action,
            actor=actor,
            at=at,
        )

    # an audit record in the earlier (unchained) shape, and one in the chained shape with its head
    client("dynamodb").put_item(
        TableName=settings().audit_table,
        Item=codec.serialize(audit_item(event("payment.pending", T0, "customer:pat@example.org"))),
    )
    uow = DynamoUnitOfWork(settings().ledger_table)
    DynamoAuditTrail(settings().audit_table).append(
        uow, event("payment.settled", T0 + timedelta(days=4), "system:settlement"), head=None
    )
    uow.commit("audit")
    return payment, allocations


@pytest.fixture
def agent(make_users):
    return make_users(groups=("agent",)).staff_token


def test_status_milestones_history_allocations_receipt_and_audit(gateway, ach_payment, agent):
    payment, allocations = ach_payment
    with dynamodb_round_trips() as trips:
        reply = gateway.request("GET", f"/v1/staff/payments/{payment.payment_id.lower()}", token=agent)
    assert reply.status == 200, reply.body
    # one index query names the partition; then the payment (with receipt), allocations, audit and the payments
    # (and their allocations) of the duplicate window before it, side by side
    assert sorted(c.rsplit(".", 1)[-1] for c in trips.calls) == ["BatchGetItem"] + ["Query"] * 5
    body = reply.body
    assert body["status"] == "settled" and body["final"] is False
    ms = body["milestones"]
    assert ms["posted_at"].startswith("2026-10-04") and ms["settled_at"].startswith("2026-10-05")
    assert ms["authorized_at"] == ms["posted_at"] and ms["failed_at"] is None and ms["refunded_at"] is None
    assert [(h["status"], h["by"]) for h in body["payment"]["history"]] == [
        ("pending", "customer"),
        ("posted", "processor"),
        ("settled", "system:settlement"),
    ]
    assert body["payment"]["method"] == "ach" and body["payment"]["last4"] == "6789"
    assert sorted((a["invoice_id"], a["amount"]["amount"]) for a in body["allocations"]) == sorted(
        (a.invoice_id, a.amount) for a in allocations
    )
    assert body["receipt"]["receipt_number"] == payment.receipt_number
    assert body["receipt"]["total"] == {"amount": 7_000, "currency": "USD"}
    assert [(a["action"], a["actor"]) for a in body["audit"]] == [
        ("payment.pending", "customer:pat@example.org"),
        ("payment.settled", "system:settlement"),
    ]


def test_unknown_and_malformed_payment_ids(gateway, agent):
    unknown = f"pay_{uuid.uuid4().hex[:26].upper()}"
    assert gateway.request("GET", f"/v1/staff/payments/{unknown}", token=agent).status == 404
    assert gateway.request("GET", "/v1/staff/payments/receipt-42", token=agent).status == 422
