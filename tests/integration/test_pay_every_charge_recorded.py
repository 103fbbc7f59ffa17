"""Every charge ends up recorded (issue 10), through the gateway against moto: 20 payers racing for one invoice with
different keys are all answered with their payment (never a 409 after the charge), the processor's charges match
the recorded payments one to one, money is conserved (charged == applied + held as credit), and no balance goes
below zero."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from arportal.domain.processing import ChargeOutcome
from tests.integration.conftest import new_customer_id
from tests.integration.intents_support import intents_of
from tests.reliability.worlds import PayWorld, pay_world

PAYERS = 20
INVOICE = 10_000
EACH = 700  # 20 x 700 = 14,000 on a 10,000 invoice: the first payments apply, one splits, the rest are credit


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((INVOICE,), customer_id=cid)
    w.token = make_users(customer_id=cid).customer_token
    return w


def test_twenty_racing_payments_on_one_invoice_are_all_recorded(gateway, world, counting, containers):
    invoice = world.invoices[0]
    start = threading.Barrier(PAYERS)
    body = {
        "amount": EACH,
        "currency": "USD",
        "method": "card",
        "token": "tok_visa",
        "invoices": [{"invoice_id": invoice.invoice_id, "amount": EACH}],
    }

    def submit(_: int):
        key = uuid.uuid4().hex
        start.wait()
        return gateway.request(
            "POST", "/v1/portal/payments", token=world.token, json=body, headers={"Idempotency-Key": key}
        )

    with ThreadPoolExecutor(PAYERS) as pool:
        replies = list(pool.map(submit, range(PAYERS)))

    # What the processor charged (each key at most once), and what the ledger recorded
    found = {c.idempotency_key: (c.amount, counting.find_charge(c.idempotency_key)) for c in counting.charges}
    charged = {
        key: (amount, charge.transaction_id)
        for key, (amount, charge) in found.items()
        if charge is not None and charge.outcome is ChargeOutcome.SUCCEEDED
    }
    payments = world.payments()
    applied = sum(int(a["amount"]) for a in world.partition("ALLOC#"))
    credit = sum(int(n["amount"]) for n in world.partition("CN#"))
    after = world.invoice(invoice.invoice_id)
    statuses = Counter(r.status for r in replies)
    total = sum(amount for amount, _ in charged.values())
    print(
        f"\n{PAYERS} racing payments: replies {dict(statuses)}; charges {len(charged)}, payments {len(payments)}; "
        f"charged {total}, applied {applied} + credit {credit}; invoice balance {after.balance}"
    )

    # Then no payer who was charged is told 409: every answer is the payment (201) or a refusal before any charge
    assert set(statuses) <= {201, 422}, [r.body for r in replies if r.status not in {201, 422}]
    for refused in (r for r in replies if r.status == 422):
        assert refused.body["error"]["code"] == "rule_violation"
    # And every charge is a recorded payment, one to one (a refused payment never reached the processor)
    assert len(counting.charges) == len(charged) == len(payments) == statuses[201]
    assert sorted(str(p.transaction_id) for p in payments) == sorted(str(tx) for _, tx in charged.values())
    # And money is conserved: everything charged is applied or held as the payer's credit
    assert total == sum(p.amount + p.fee_amount for p in payments)
    assert sum(p.amount for p in payments) == applied + credit
    # And the invoice was paid exactly as far as it was owed, never below zero
    assert after.balance >= 0 and after.paid == applied and after.paid + after.balance == INVOICE
    # And no payment is left for the reconciler: each charged payment's intent was closed by its posting
    intents = intents_of(world.customer_id)
    assert sorted(str(i["payment_id"]) for i in intents) == sorted(p.payment_id for p in payments)
    assert {i["status"] for i in intents} == {"posted"}, intents
