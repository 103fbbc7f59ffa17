"""A statement shows every movement of a real ledger: payment, partial refund, adjustment, write-off and a credit
application, each a dated line with its sign, and its closing balance is what the invoices still owe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.settlement_store import DynamoSettlementStore
from arportal.config import settings
from arportal.domain.models import StatusChange
from arportal.domain.status import PaymentStatus
from arportal.ports import SettlementCandidate
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.reliability.worlds import pay_world


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def test_every_movement_is_a_line_and_the_closing_balance_is_what_the_invoices_owe(gateway, local_env, make_users):
    # Given a customer with invoices of 6,000 (due first) and 5,000
    cid = new_customer_id()
    world = pay_world((6_000, 5_000), customer_id=cid, email=f"{cid.lower()}@example.org")
    users = make_users(customer_id=cid, groups=("supervisor", "finance"))
    first, second = world.invoices
    staff = users.staff_token

    # When the customer pays 7,000 (6,000 to the first invoice, 1,000 to the second)
    paid = gateway.request(
        "POST",
        "/v1/portal/payments",
        token=users.customer_token,
        json={"amount": 7_000, "currency": "USD", "method": "card", "token": "tok_visa"},
        headers=_key(),
    )
    assert paid.status == 201, paid.body
    payment_id = paid.body["payment"]["payment_id"]
    # and staff refund 500 of it, add a 300 charge to the first invoice and write 200 off the second
    refund = {"amount": 500, "reason_code": "customer_request", "note": "partial refund"}
    reply = gateway.request(
        "POST", f"/v1/staff/payments/{payment_id}/refunds", token=staff, json=refund, headers=_key()
    )
    assert reply.status == 201, reply.body
    for invoice, kind, amount in ((first, "adjustment", 300), (second, "write_off", 200)):
        body = {
            "customer_id": cid,
            "invoice_id": invoice.invoice_id,
            "kind": kind,
            "amount": amount,
            "reason_code": "billing_error" if kind == "adjustment" else "uncollectible",
            "note": f"{kind} for the statement",
        }
        reply = gateway.request("POST", "/v1/staff/adjustments", token=staff, json=body, headers=_key())
        assert reply.status == 201, reply.body
    # and a 1,000 credit note is issued and applied (300 to the first invoice, 700 to the second)
    note = b.credit_note(cid, world.account.account_number, amount=1_000).model_copy(
        update={"credit_note_id": f"cn_{uuid.uuid4().hex[:26]}", "issued_on": datetime.now(UTC).date()}
    )
    DynamoCustomerRecords(settings().ledger_table).put_new([note])
    applied = gateway.request(
        "POST", "/v1/portal/credit-applications", token=users.customer_token, json={}, headers=_key()
    )
    assert applied.status == 201, applied.body

    # Then the statement holds every movement as a dated line with its sign
    today = datetime.now(UTC).date()
    start = min(i.issue_date for i in world.invoices) - timedelta(days=1)
    reply = gateway.request("GET", f"/v1/portal/statements?from={start}&to={today}", token=users.customer_token)
    assert reply.status == 200, reply.body
    statement = reply.body
    lines = [(line["kind"], line["amount"]["amount"]) for line in statement["lines"]]
    assert sorted(lines) == sorted(
        [
            ("invoice", 6_000),  # as issued: the 300 charge is its own line
            ("invoice", 5_000),
            ("payment", -7_000),
            ("refund", 500),
            ("adjustment", 300),
            ("adjustment", -200),  # the write-off
            ("credit", -1_000),
            ("credit_applied", 0),  # applying credit moves nothing: the credit line already counted it
            ("credit_applied", 0),
        ]
    ), lines
    applied_lines = [line["description"] for line in statement["lines"] if line["kind"] == "credit_applied"]
    assert any(first.invoice_number in d and "3.00 USD" in d for d in applied_lines), applied_lines
    assert any(second.invoice_number in d and "7.00 USD" in d for d in applied_lines), applied_lines
    write_off = next(line for line in statement["lines"] if line["amount"]["amount"] == -200)
    assert write_off["description"].startswith("Write-off") and write_off["date"] == today.isoformat()
    # And the running balance lands on the closing balance, which is what the invoices owe (no credit is left)
    balance = statement["opening_balance"]["amount"]
    for line in statement["lines"]:
        balance += line["amount"]["amount"]
        assert line["balance"]["amount"] == balance
    owed = world.invoice(first.invoice_id).balance + world.invoice(second.invoice_id).balance
    assert (world.invoice(first.invoice_id).balance, world.invoice(second.invoice_id).balance) == (0, 3_600)
    assert statement["closing_balance"]["amount"] == balance == owed == 3_600
    assert statement["totals"]["applied_credit"]["amount"] == 1_000
    assert statement["aging"]["total_due"]["amount"] == owed and statement["aging"]["credit"]["amount"] == 0

    # And a statement that ends before today closes on what was owed then, before every movement
    before = gateway.request(
        "GET", f"/v1/portal/statements?from={start}&to={today - timedelta(days=1)}", token=users.customer_token
    )
    assert before.status == 200, before.body
    assert before.body["closing_balance"]["amount"] == 11_000 and before.body["line_count"] == 2


def test_a_statement_ending_before_later_refunds_voids_and_reversals_ages_what_was_owed_then(
    gateway, local_env, make_users
):
    # Given a new customer with one 95.00 invoice, open until today
    cid = new_customer_id()
    world = pay_world((9_500,), customer_id=cid, email=f"{cid.lower()}@example.org")
    users = make_users(customer_id=cid, groups=("supervisor",))
    (invoice,) = world.invoices
    staff = users.staff_token

    def pay(amount: int) -> str:
        body = {"amount": amount, "currency": "USD", "method": "card", "token": "tok_visa"}
        paid = gateway.request("POST", "/v1/portal/payments", token=users.customer_token, json=body, headers=_key())
        assert paid.status == 201, paid.body
        return str(paid.body["payment"]["payment_id"])

    def act(payment_id: str, action: str, **body: object) -> None:
        body = {"reason_code": "customer_request", "note": action, **body}
        reply = gateway.request(
            "POST", f"/v1/staff/payments/{payment_id}/{action}", token=staff, json=body, headers=_key()
        )
        assert reply.status == 201, reply.body

    # When today it is paid and refunded, paid and voided, paid, settled and reversed (NSF), and overpaid by
    # 25.00 (held as credit) and 30.00 of that payment refunded (the credit first, then 5.00 of the invoice)
    act(pay(9_500), "refunds")
    act(pay(9_500), "voids")
    settled = pay(9_500)
    change = StatusChange(status=PaymentStatus.SETTLED, at=datetime.now(UTC), by="system:settlement")
    assert DynamoSettlementStore(settings().ledger_table).append_status(
        SettlementCandidate(settled, cid, 9_500, "USD"), change, expected=PaymentStatus.POSTED
    )
    act(settled, "reversals", reason_code="nsf")
    act(pay(12_000), "refunds", amount=3_000)

    # Then a statement that ended yesterday ages the 95.00 that was owed then, and nothing else
    today = datetime.now(UTC).date()
    start = invoice.issue_date
    before = gateway.request(
        "GET", f"/v1/portal/statements?from={start}&to={today - timedelta(days=1)}", token=users.customer_token
    )
    assert before.status == 200, before.body
    aging = before.body["aging"]
    assert before.body["closing_balance"]["amount"] == 9_500
    assert (aging["total_due"]["amount"], aging["credit"]["amount"]) == (9_500, 0)

    # And today's statement shows every movement and ages what is owed now: the 5.00 the last refund reopened
    now = gateway.request("GET", f"/v1/portal/statements?from={start}&to={today}", token=users.customer_token)
    assert now.status == 200, now.body
    lines = sorted((line["kind"], line["amount"]["amount"]) for line in now.body["lines"])
    assert lines == sorted(
        [
            ("invoice", 9_500),
            ("payment", -9_500),  # refunded
            ("refund", 9_500),
            ("payment", -9_500),  # settled, then reversed (the voided one has no line: no money moved)
            ("reversal", 9_500),
            ("payment", -12_000),
            ("refund", 3_000),
        ]
    )
    assert world.invoice(invoice.invoice_id).balance == 500
    assert now.body["closing_balance"]["amount"] == 500
    assert (now.body["aging"]["total_due"]["amount"], now.body["aging"]["credit"]["amount"]) == (500, 0)
