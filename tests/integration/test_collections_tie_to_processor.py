"""The collections report ties to the processor: for a day of card payments refunded in full and in part, voided,
and reversed after settling, its gross, refunds and kept fees each reconcile with what the sandbox processor
itself recorded (its persisted transactions: what each charge took and what was refunded of it)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from arportal import clock
from arportal.adapters.dynamodb.settlement_store import DynamoSettlementStore
from arportal.adapters.sandbox_store import DynamoSandboxStore
from arportal.config import settings
from arportal.domain.models import StatusChange
from arportal.domain.status import PaymentStatus
from arportal.ports import SettlementCandidate
from tests.integration.conftest import new_customer_id
from tests.quiet_days import quiet_day
from tests.reliability.worlds import pay_world


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def test_gross_refunds_and_kept_fees_each_reconcile_with_the_processors_record_of_the_day(
    local_env, gateway, make_users
):
    day = quiet_day()
    cid = new_customer_id()
    pay_world((500_000,), customer_id=cid, email=f"{cid.lower()}@example.org")
    users = make_users(customer_id=cid, groups=("supervisor",))
    finance = make_users(groups=("finance",)).staff_token
    threshold = local_env.function_env["APPROVAL_THRESHOLD_MINOR"]
    local_env.configure(APPROVAL_THRESHOLD_MINOR="10000000")  # every action here is carried out at once
    try:
        with clock.using(clock.ShiftedClock.starting(day)):

            def pay(amount: int) -> str:
                body = {"amount": amount, "currency": "USD", "method": "card", "token": "tok_visa"}
                reply = gateway.request(
                    "POST", "/v1/portal/payments", token=users.customer_token, json=body, headers=_key()
                )
                assert reply.status == 201, reply.body
                return str(reply.body["payment"]["payment_id"])

            def act(payment_id: str, action: str, **body: object) -> None:
                body = {"reason_code": "customer_request", "note": action, **body}
                path = f"/v1/staff/payments/{payment_id}/{action}"
                reply = gateway.request("POST", path, token=users.staff_token, json=body, headers=_key())
                assert reply.status == 201, reply.body

            # Given a day of card payments (2.5 % convenience fee each): one refunded in full, one of which 10.00
            # is refunded, one voided (fee and all), one reversed by the bank after it settled, one that stands
            act(pay(109_500), "refunds")
            act(pay(20_000), "refunds", amount=1_000)
            act(pay(5_000), "voids")
            settled = pay(8_000)
            change = StatusChange(status=PaymentStatus.SETTLED, at=clock.now(), by="system:settlement")
            assert DynamoSettlementStore(settings().ledger_table).append_status(
                SettlementCandidate(settled, cid, 8_000, "USD"), change, expected=PaymentStatus.POSTED
            )
            act(settled, "reversals", reason_code="nsf")
            pay(3_000)

            # When finance reads the day's collections
            local_env.aggregate_once()  # the outbox events -> the daily totals the report reads
            reply = gateway.request("GET", f"/v1/staff/reports/collections?from={day}&to={day}", token=finance)
            activity = gateway.request("GET", f"/v1/staff/activity?from={day}&to={day}&limit=100", token=finance)
    finally:
        local_env.configure(APPROVAL_THRESHOLD_MINOR=threshold)
    assert reply.status == 200, reply.body
    assert activity.status == 200, activity.body
    report = {name: reply.body[name]["amount"] for name in ("fees", "refunded", "fees_returned", "fees_kept", "net")}
    gross = reply.body["total"]["amount"]["amount"]

    # And the processor's own record of the day: each charge (amount + fee) and what it refunded of it
    store = DynamoSandboxStore(settings().ledger_table)
    transactions = [store.transaction(p["transaction_id"]) for p in activity.body["payments"]]
    assert len(transactions) == 5 and all(t is not None for t in transactions)
    charged = sum(t.amount for t in transactions if t is not None)
    refunded = sum(t.amount - t.refundable for t in transactions if t is not None)

    # Then every payment taken counts at its gross amount, the fully refunded and the voided one too
    assert (reply.body["total"]["count"], gross) == (5, 109_500 + 20_000 + 5_000 + 8_000 + 3_000)
    # and the figures reconcile with the processor's, one by one:
    assert gross + report["fees"] == charged  # gross: what it charged
    assert report["refunded"] + report["fees_returned"] == refunded  # refunds: what it gave back
    assert report["fees_kept"] == (charged - refunded) - (gross - report["refunded"])  # the fees it kept
    # the refunds of the day are 1,105.00 (the full one and the 10.00), plus the void's 50.00 and its fee
    assert report["refunded"] == 109_500 + 1_000 + 5_000
    assert report["fees_returned"] == 125  # the voided payment's fee; refunds keep theirs
    # the bank's reversal is not a processor refund: it is reported apart, and the net is what the agency keeps
    assert reply.body["reversed"]["amount"] == 8_000
    assert report["net"] == charged - refunded - 8_000
    assert datetime.now(UTC).date() != day  # the day is the test's own: no other payment counts in it
