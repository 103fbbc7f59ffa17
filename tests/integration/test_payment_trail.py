"""The trail of a payment through the local runtime (issue 14): a card payment taken on a quiet banking day, the
settlement machine run after its payout arrived (T+2), the day's journal built by the daily job, the deposit
confirmed by finance; ``GET /v1/staff/payments/{id}/trail`` shows every stage with who and when, the GL lines
balance the payment, and the reads stay a handful of key lookups. And a cash payment closed out of its drawer."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from arportal import clock
from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, payout_items
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.payment_trail import deposited_key
from arportal.config import settings
from arportal.domain.banking_days import add_banking_days, is_banking_day, next_banking_day
from arportal.domain.models import InvoiceLine
from arportal.ports import PayoutRecord
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips
from tests.integration.staff_actions_support import key, pay
from tests.quiet_days import quiet_day


def _trail_day() -> date:
    """A quiet banking day followed by four banking days (settlement runs on the fourth)."""
    day = quiet_day()
    while not is_banking_day(day):
        day = quiet_day()
    return day


def _at(day: date, hour: int) -> clock.ShiftedClock:
    real = clock.now()
    return clock.ShiftedClock(datetime.combine(day, time(hour), UTC) - real)


def _trail(gateway: Any, token: str, payment_id: str) -> dict[str, Any]:
    reply = gateway.request("GET", f"/v1/staff/payments/{payment_id}/trail", token=token)
    assert reply.status == 200, reply.body
    return dict(reply.body)


def _stages(trail: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["stage"]: s for s in trail["stages"]}


def _put(item: dict[str, Any]) -> None:
    client("dynamodb").put_item(TableName=settings().ledger_table, Item=codec.serialize(item))


@pytest.fixture
def card_payment(local_env, gateway, make_users) -> dict[str, Any]:
    day = _trail_day()
    cid = new_customer_id()
    account = b.account(cid, number=f"UT-{uuid.uuid4().int % 10**8:08d}")
    water = b.invoice(cid, account.account_number, amount=5_000, department="utilities", due=day).model_copy(
        update={
            "invoice_id": f"inv_{uuid.uuid4().hex}",
            "lines": [
                InvoiceLine(description="base", fee_code="WATER_BASE", unit_amount=2_000, amount=2_000),
                InvoiceLine(description="usage", fee_code="WATER_USAGE", unit_amount=3_000, amount=3_000),
            ],
        }
    )
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), account, water])
    supervisor = make_users(groups=("supervisor",)).staff_token
    with clock.using(_at(day, 15)):
        paid = pay(gateway, supervisor, cid, [{"invoice_id": water.invoice_id, "amount": 5_000}])
    assert paid.status == 201, paid.body
    return {"day": day, "payment": paid.body["payment"], "token": supervisor, "invoice_id": water.invoice_id}


def test_a_card_payment_s_trail_from_the_charge_to_the_gl(gateway, make_users, card_payment):
    day, payment, token = card_payment["day"], card_payment["payment"], card_payment["token"]
    payment_id = payment["payment_id"]

    # Just taken: authorized and posted by the supervisor, the rest to come
    with clock.using(_at(day, 16)):
        fresh = _stages(_trail(gateway, token, payment_id))
    assert [fresh[s]["status"] for s in ("authorized", "posted", "settled", "paid_out", "deposited", "in_gl")] == [
        "done",
        "done",
        "pending",
        "pending",
        "pending",
        "pending",
    ]
    assert fresh["posted"]["by"] and fresh["posted"]["at"].startswith(day.isoformat())
    assert {"kind": "invoice", "id": card_payment["invoice_id"]} in fresh["posted"]["references"]
    assert {"kind": "transaction", "id": payment["transaction_id"]} in fresh["authorized"]["references"]

    # When settlement runs four banking days later (the payout arrived T+2), from no cursor (the last ten days)
    client("dynamodb").delete_item(TableName=settings().ledger_table, Key=codec.serialize(payout_items.CURSOR_KEY))
    with clock.using(_at(add_banking_days(day, 4), 12)):
        settled = gateway.request("POST", "/local/jobs/settlement")
    assert settled.status == 200 and settled.body["ok"], settled.body
    # and the daily job builds the day's journal
    with clock.using(_at(next_banking_day(day), 11)):
        journal = gateway.request("POST", "/local/jobs/journal")
    assert journal.status == 200 and journal.body["ok"], journal.body
    # and finance confirms the deposit once the bank statement shows it
    finance = make_users(groups=("finance",)).staff_token
    with clock.using(_at(add_banking_days(day, 4), 14)):
        middle = _stages(_trail(gateway, token, payment_id))
        assert middle["settled"]["status"] == "done" and middle["deposited"]["status"] == "pending"
        payout_id = next(r["id"] for r in middle["paid_out"]["references"] if r["kind"] == "payout")
        confirmed = gateway.request("POST", f"/v1/staff/finance/deposits/{payout_id}/confirm", token=finance)
    assert confirmed.status == 200, confirmed.body

    # Then the trail has every stage done, each with who and when, in a handful of key reads
    with clock.using(_at(add_banking_days(day, 4), 15)), dynamodb_round_trips() as trips:
        trail = _trail(gateway, token, payment_id)
    # the payment as the status view reads it (index query, batch get, allocations, audit), the payout and its
    # line in one batch, the journal day's batches in one more
    assert sorted(c.rsplit(".", 1)[-1] for c in trips.calls) == ["BatchGetItem"] * 3 + ["Query"] * 3
    stages = _stages(trail)
    assert [s["stage"] for s in trail["stages"]] == [
        "authorized",
        "posted",
        "settled",
        "paid_out",
        "deposited",
        "in_gl",
        "bank_line",
    ]
    assert {k: s["status"] for k, s in stages.items()} == {
        **dict.fromkeys(stages, "done"),
        "bank_line": "not_applicable",
    }
    charged = 5_000 + trail["fee"]["amount"]
    assert stages["settled"]["by"] == "system:settlement"
    assert stages["settled"]["amounts"]["net"] == charged - stages["settled"]["amounts"]["processor_fee"]
    assert any(r["kind"] == "audit" for r in stages["settled"]["references"])  # payment.settled, hash-chained
    arrival = date.fromisoformat(stages["paid_out"]["on"])
    assert arrival in {add_banking_days(day, 2), add_banking_days(day, 3)}
    assert stages["paid_out"]["references"][0] == {"kind": "payout", "id": payout_id}
    assert stages["deposited"]["by"] == confirmed.body["deposited_by"] and stages["deposited"]["at"]
    assert stages["in_gl"]["by"] == "system:journal" and stages["in_gl"]["on"] == day.isoformat()
    assert trail["bank_line"] is None

    # And its GL lines are this payment's only, and balance: card clearing takes what was charged, revenue the rest
    (batch,) = trail["gl_batches"]
    assert batch["batch_id"] == journal.body["result"]["batch_id"] and batch["imported_at"] is None
    lines = batch["lines"]
    assert {x["source"]["payment_id"] for x in lines} == {payment_id}
    assert sum(x["debit"] for x in lines) == sum(x["credit"] for x in lines) == stages["in_gl"]["amounts"]["debits"]
    assert [x["debit"] for x in lines if x["account"] == "1013"] == [charged]
    revenue = {x["account"]: x["credit"] for x in lines if x["account"] in {"4410", "4411"}}
    assert revenue == {"4410": 2_000, "4411": 3_000}

    # When part is refunded on a later banking day and that day's journal is built
    refund_day = add_banking_days(day, 5)
    with clock.using(_at(refund_day, 10)):
        refund = {"amount": 1_500, "reason_code": "customer_request", "note": "trail test"}
        path = f"/v1/staff/payments/{payment_id}/refunds"
        refunded = gateway.request("POST", path, token=token, json=refund, headers=key())
    assert refunded.status == 201, refunded.body
    with clock.using(_at(next_banking_day(refund_day), 11)):
        assert gateway.request("POST", "/local/jobs/journal").body["ok"]
        after = _trail(gateway, token, payment_id)

    # Then the refund is in the trail, who and how much, and its lines are in the refund day's batch, balanced
    assert [(m["status"], m["amount"]["amount"]) for m in after["money_back"]] == [("partially_refunded", 1_500)]
    assert after["money_back"][0]["by"].startswith("staff:")  # the supervisor who gave it back
    first, second = after["gl_batches"]
    assert first == batch and second["business_date"] == refund_day.isoformat()
    back = second["lines"]
    assert {x["kind"] for x in back} == {"refund"} and {x["source"]["payment_id"] for x in back} == {payment_id}
    assert sum(x["debit"] for x in back) == sum(x["credit"] for x in back)
    assert [x["credit"] for x in back if x["account"] == "1013"] == [1_500]  # out of card clearing
    gl = _stages(after)["in_gl"]
    assert gl["status"] == "done" and [r["id"] for r in gl["references"]] == [batch["batch_id"], second["batch_id"]]


def test_a_cash_payment_closed_into_a_deposit(gateway, make_users, local_env):
    day = _trail_day()
    cid = new_customer_id()
    account = b.account(cid)
    invoice = b.invoice(cid, account.account_number, amount=2_000)
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), account, invoice])
    clerk = make_users(groups=("supervisor",)).staff_token
    with clock.using(_at(day, 10)):
        cash = {
            "customer_id": cid,
            "amount": 2_000,
            "currency": "USD",
            "method": "cash",
            "channel": "counter",
            "terminal_id": "T-1",
            "drawer_id": "drawer-1",
            "lines": [{"invoice_id": invoice.invoice_id, "amount": 2_000}],
        }
        paid = gateway.request("POST", "/v1/staff/payments", token=clerk, json=cash, headers=key())
    assert paid.status == 201, paid.body
    payment_id = paid.body["payment"]["payment_id"]
    in_drawer = _stages(_trail(gateway, clerk, payment_id))
    assert (in_drawer["settled"]["status"], in_drawer["paid_out"]["status"]) == ("not_applicable", "pending")

    # Given the drawer closed out into a deposit (as the drawer close-out records it) that finance confirmed
    deposit_id = f"dep_{uuid.uuid4().hex[:20]}"
    closed_at = datetime.combine(day, time(18), UTC)
    _put(
        {
            **deposited_key(payment_id),
            "deposit_id": deposit_id,
            "closed_at": closed_at.isoformat(),
            "closed_by": "sup_1",
        }
    )
    record = PayoutRecord(
        deposit_id,
        "counter",
        2_000,
        "USD",
        day,
        None,
        1,
        1,
        0,
        closed_at,
        "deposited",
        "fin_1",
        closed_at + timedelta(days=1),
    )
    _put(payout_items.payout_item(record) | {"deposited_by": "fin_1", "deposited_at": record.deposited_at.isoformat()})

    with dynamodb_round_trips() as trips:
        stages = _stages(_trail(gateway, clerk, payment_id))
    # a read more than a card payment's: the deposit's id is on the close-out item
    assert sorted(c.rsplit(".", 1)[-1] for c in trips.calls) == ["BatchGetItem"] * 3 + ["GetItem"] + ["Query"] * 3
    assert stages["authorized"]["references"] == [r for r in stages["authorized"]["references"] if r["kind"] == "audit"]
    assert (stages["paid_out"]["status"], stages["paid_out"]["by"]) == ("done", "sup_1")
    assert stages["paid_out"]["references"] == [{"kind": "deposit", "id": deposit_id}]
    assert (stages["deposited"]["status"], stages["deposited"]["by"]) == ("done", "fin_1")
    assert stages["in_gl"]["status"] == "pending"  # the day's journal is not built in this test


def test_unknown_payment_is_404_and_a_customer_may_not_look(gateway, make_users):
    agent = make_users(groups=("agent",))
    unknown = f"pay_{uuid.uuid4().hex[:26].upper()}"
    assert gateway.request("GET", f"/v1/staff/payments/{unknown}/trail", token=agent.staff_token).status == 404
    assert gateway.request("GET", f"/v1/staff/payments/{unknown}/trail", token=agent.customer_token).status == 403
