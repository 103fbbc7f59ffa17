"""Staff actions through the staff API on moto: a cart paid as one payment, refunds, voids, reversals,
adjustments, duplicates and receipts, each audited in a verifiable hash chain written with the change."""

from __future__ import annotations

from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.settlement_store import DynamoSettlementStore
from arportal.config import settings
from arportal.domain.models import StatusChange
from arportal.domain.status import PaymentStatus
from arportal.ports import SettlementCandidate
from tests import builders as b
from tests.integration.staff_actions_support import invoice_of, key, new_customer, pay


def test_a_cart_of_an_invoice_and_a_new_fee_is_one_payment_with_one_receipt(local_env, gateway, make_users):
    # Given a customer with an open invoice, and an agent on the phone
    cid, account, (first, _) = new_customer(local_env)
    agent = make_users(groups=("agent",))
    fee = {
        "department": "utilities",
        "fee_code": "RECONNECT",
        "description": "Reconnection fee",
        "amount": 2_500,
        "account_number": account,
    }

    # When the agent takes one payment for part of the invoice and a fee not invoiced yet
    reply = pay(gateway, agent.staff_token, cid, [{"invoice_id": first.invoice_id, "amount": 1_500}, fee])

    # Then one payment paid both, the fee became a paid invoice, and one receipt covers them
    assert reply.status == 201, reply.body
    body = reply.body
    assert body["payment"]["amount"] == 4_000 and body["payment"]["channel"] == "phone"
    assert body["receipt_number"]
    assert {a["amount"] for a in body["allocations"]} == {1_500, 2_500}
    (new_invoice,) = body["new_invoices"]
    assert body["balances"] == {first.invoice_id: 2_500, new_invoice: 0}
    created = invoice_of(local_env, cid, new_invoice)
    assert created["status"] == "paid" and created["lines"][0]["fee_code"] == "RECONNECT"
    assert body["likely_duplicate_of"] is None
    # And the payment's audit chain starts, verifiable
    assert DynamoAuditTrail(settings().audit_table).verify("payment", body["payment"]["payment_id"]).ok


def test_the_same_cart_again_minutes_later_is_hinted_as_a_duplicate_and_listed(local_env, gateway, make_users):
    cid, _, (first, _) = new_customer(local_env)
    agent = make_users(groups=("agent",))
    line = [{"invoice_id": first.invoice_id, "amount": 1_000}]
    one = pay(gateway, agent.staff_token, cid, line)
    two = pay(gateway, agent.staff_token, cid, line)

    assert two.status == 201, two.body
    assert two.body["likely_duplicate_of"] == one.body["payment"]["payment_id"]
    listed = gateway.request("GET", f"/v1/staff/customers/{cid}/duplicates", token=agent.staff_token)
    assert listed.status == 200
    (pair,) = listed.body["duplicates"]
    assert pair["payment_id"] == two.body["payment"]["payment_id"]
    assert pair["likely_duplicate_of"] == one.body["payment"]["payment_id"]
    assert pair["why"].startswith("Same amount, same card (") and ", same invoice, within " in pair["why"]
    assert pair["receipt_number"] == two.body["payment"]["receipt_number"]


def test_an_agent_refunds_below_the_threshold_at_once_and_the_audit_chain_verifies(local_env, gateway, make_users):
    # Given a card payment of two invoices
    cid, _, (first, second) = new_customer(local_env)
    agent = make_users(groups=("agent",))
    paid = pay(
        gateway, agent.staff_token, cid, [{"invoice_id": i.invoice_id, "amount": i.amount} for i in (first, second)]
    )
    pid = paid.body["payment"]["payment_id"]

    # When the agent refunds part of it
    refund = {"amount": 2_500, "reason_code": "customer_request", "note": "Moved out early"}
    reply = gateway.request(
        "POST", f"/v1/staff/payments/{pid}/refunds", token=agent.staff_token, json=refund, headers=key()
    )

    # Then it is done at once: partially refunded, an invoice reopened by exactly that much
    assert reply.status == 201, reply.body
    assert reply.body["entity_status"] == "partially_refunded"
    assert sum(reply.body["balances"].values()) == 2_500
    assert reply.body["refund_id"].startswith("sbxre_")
    # And the payment's chain holds the posting and the refund, and verifies
    trail = DynamoAuditTrail(settings().audit_table)
    assert [r["action"] for r in trail.history("payment", pid)] == ["payment.posted", "payment.refund"]
    assert trail.verify("payment", pid).ok

    # And a refund larger than what remains refundable is refused with a clear code
    too_much = {"amount": 7_501, "reason_code": "duplicate", "note": "Paid twice"}
    refused = gateway.request(
        "POST", f"/v1/staff/payments/{pid}/refunds", token=agent.staff_token, json=too_much, headers=key()
    )
    assert refused.status == 422
    assert refused.body["error"]["code"] == "refund_exceeds_refundable"
    assert refused.body["error"]["details"]["refundable"] == 7_500


def test_a_void_after_settlement_is_refused_and_points_to_refund_or_reversal(local_env, gateway, make_users):
    cid, _, (first, _) = new_customer(local_env)
    staff = make_users(groups=("supervisor",))
    paid = pay(gateway, staff.staff_token, cid, [{"invoice_id": first.invoice_id, "amount": 1_000}])
    pid = paid.body["payment"]["payment_id"]
    settle = SettlementCandidate(pid, cid, 1_000, "USD")
    change = StatusChange(status=PaymentStatus.SETTLED, at=b.NOW, by="system:settlement")
    assert DynamoSettlementStore(settings().ledger_table).append_status(settle, change, expected=PaymentStatus.POSTED)

    reply = gateway.request(
        "POST",
        f"/v1/staff/payments/{pid}/voids",
        token=staff.staff_token,
        json={"reason_code": "processing_error", "note": "Wrong amount keyed"},
        headers=key(),
    )

    assert reply.status == 422
    assert reply.body["error"]["code"] == "void_after_settlement"
    assert set(reply.body["error"]["details"]["use"]) == {"refund", "reversal"}

    # And a supervisor reverses it instead (NSF): every invoice it paid is open again
    reversed_ = gateway.request(
        "POST",
        f"/v1/staff/payments/{pid}/reversals",
        token=staff.staff_token,
        json={"reason_code": "nsf", "note": "Cheque returned"},
        headers=key(),
    )
    assert reversed_.status == 201, reversed_.body
    assert reversed_.body["entity_status"] == "reversed"
    assert invoice_of(local_env, cid, first.invoice_id)["balance"] == first.amount
    assert DynamoAuditTrail(settings().audit_table).verify("payment", pid).ok


def test_a_void_before_settlement_takes_everything_back(local_env, gateway, make_users):
    cid, _, (first, _) = new_customer(local_env)
    agent = make_users(groups=("agent",))
    pid = pay(gateway, agent.staff_token, cid, [{"invoice_id": first.invoice_id, "amount": 3_000}]).body["payment"][
        "payment_id"
    ]
    headers = key()
    body = {"reason_code": "processing_error", "note": "Charged the wrong card"}
    reply = gateway.request(
        "POST", f"/v1/staff/payments/{pid}/voids", token=agent.staff_token, json=body, headers=headers
    )
    again = gateway.request(
        "POST", f"/v1/staff/payments/{pid}/voids", token=agent.staff_token, json=body, headers=headers
    )

    assert reply.status == 201 and reply.body["entity_status"] == "voided"
    assert again.status == 201 and again.headers.get("idempotent-replayed") == "true"
    assert invoice_of(local_env, cid, first.invoice_id)["balance"] == first.amount


def test_a_supervisor_adjusts_and_writes_off_an_invoice(local_env, gateway, make_users):
    cid, _, (first, _) = new_customer(local_env)
    supervisor = make_users(groups=("supervisor",))
    adjust = {
        "customer_id": cid,
        "invoice_id": first.invoice_id,
        "kind": "adjustment",
        "amount": -1_000,
        "reason_code": "billing_error",
        "note": "Meter misread",
    }
    credit = gateway.request("POST", "/v1/staff/adjustments", token=supervisor.staff_token, json=adjust, headers=key())
    write_off = gateway.request(
        "POST",
        "/v1/staff/adjustments",
        token=supervisor.staff_token,
        headers=key(),
        json={**adjust, "kind": "write_off", "amount": 3_000, "reason_code": "uncollectible"},
    )

    assert credit.status == 201, credit.body
    assert write_off.status == 201, write_off.body
    stored = invoice_of(local_env, cid, first.invoice_id)
    assert (stored["credited"], stored["balance"], stored["status"]) == (4_000, 0, "paid")
    trail = DynamoAuditTrail(settings().audit_table)
    assert [r["action"] for r in trail.history("invoice", first.invoice_id)] == [
        "invoice.adjustment",
        "invoice.write_off",
    ]
    assert trail.verify("invoice", first.invoice_id).ok


def test_a_receipt_is_emailed_again_and_the_interaction_logged(local_env, gateway, make_users):
    cid, _, (first, _) = new_customer(local_env)
    agent = make_users(groups=("agent",))
    receipt = pay(gateway, agent.staff_token, cid, [{"invoice_id": first.invoice_id, "amount": 500}]).body[
        "receipt_number"
    ]

    reply = gateway.request(
        "POST",
        f"/v1/staff/receipts/{receipt}/email",
        token=agent.staff_token,
        json={"to": "someone.else@example.org"},
        headers=key(),
    )

    assert reply.status == 200, reply.body
    assert reply.body["emailed_to"] == ["someone.else@example.org"]
    logged = gateway.request("GET", f"/v1/staff/customers/{cid}/interactions", token=agent.staff_token)
    assert any(receipt in i["summary"] and i["kind"] == "email" for i in logged.body["interactions"])


def test_malformed_exception_requests_are_refused_with_the_field_and_change_nothing(local_env, gateway, make_users):
    cid, _, (invoice, _) = new_customer(local_env)
    staff = make_users(groups=("supervisor",))
    base = {"customer_id": cid, "invoice_id": invoice.invoice_id, "reason_code": "billing_error", "note": "x"}
    cases = [
        ("/v1/staff/adjustments", {**base, "kind": "adjustment", "amount": 0}, "amount"),
        ("/v1/staff/adjustments", {**base, "kind": "write_off", "amount": -100}, "amount"),
        ("/v1/staff/adjustments", {**base, "kind": "adjustment", "amount": "100"}, "amount"),
        ("/v1/staff/adjustments", {**base, "kind": "adjustment", "amount": 100.0}, "amount"),
        ("/v1/staff/adjustments", {**base, "kind": "adjustment", "amount": 100, "approved": True}, "approved"),
        (
            "/v1/staff/payments/pay_01ABCDEFGHJKMNPQRSTVWXYZ01/refunds",
            {"amount": "500", "reason_code": "other", "note": "x"},
            "amount",
        ),
    ]
    for path, body, field in cases:
        reply = gateway.request("POST", path, token=staff.staff_token, json=body, headers=key())
        assert reply.status == 422, (body, reply.body)
        assert reply.body["error"]["code"] == "validation_failed"
        assert [d["field"] for d in reply.body["error"]["details"]] == [field], reply.body
    assert invoice_of(local_env, cid, invoice.invoice_id)["amount"] == invoice.amount


def test_a_reversal_of_a_payment_that_has_not_settled_is_refused_and_points_to_a_void(local_env, gateway, make_users):
    # Given a card payment taken today, posted but not settled yet
    cid, _, (first, _) = new_customer(local_env)
    staff = make_users(groups=("supervisor",))
    pid = pay(gateway, staff.staff_token, cid, [{"invoice_id": first.invoice_id, "amount": 1_000}]).body["payment"][
        "payment_id"
    ]

    # When a supervisor tries to reverse it
    body = {"reason_code": "nsf", "note": "Bank says NSF"}
    reply = gateway.request(
        "POST", f"/v1/staff/payments/{pid}/reversals", token=staff.staff_token, json=body, headers=key()
    )

    # Then it is refused, nothing changed, and the answer says to void it instead
    assert reply.status == 422, reply.body
    assert reply.body["error"]["code"] == "action_not_allowed"
    assert reply.body["error"]["details"]["use"] == ["void"]
    assert invoice_of(local_env, cid, first.invoice_id)["balance"] == first.amount - 1_000
    voided = gateway.request(
        "POST", f"/v1/staff/payments/{pid}/voids", token=staff.staff_token, json=body, headers=key()
    )
    assert voided.status == 201 and voided.body["entity_status"] == "voided", voided.body
