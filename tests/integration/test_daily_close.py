"""The daily close through the local runtime (issue 14): a quiet banking day of a card payment over two departments
and a refund closes with its totals and no variance where the books agree; closing twice gives the first close and
one audit record; a department's close; the day the payout arrives closes with the deposit not yet confirmed as a
variance; a weekend day has no close; who may close and read; a department the chart does not map fails loudly."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from arportal import clock
from arportal.adapters.dynamodb import codec, payout_items
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.close_store import DynamoDailyCloses
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from arportal.domain.banking_days import add_banking_days, next_banking_day
from arportal.domain.daily_close_document import document_hash
from arportal.domain.models import InvoiceLine
from local.demo_chart_of_accounts import DEMO_CHART_OF_ACCOUNTS
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.staff_actions_support import key, pay
from tests.quiet_days import quiet_day, quiet_payout_day

ROUTE = "/v1/staff/finance/close"


def _at(day: date, hour: int) -> clock.ShiftedClock:
    return clock.ShiftedClock(datetime.combine(day, time(hour), UTC) - clock.now())


def _invoice(cid: str, account: str, department: str, lines: list[tuple[str, int]], due: date) -> Any:
    return b.invoice(cid, account, amount=sum(a for _, a in lines), department=department, due=due).model_copy(
        update={
            "invoice_id": f"inv_{uuid.uuid4().hex}",
            "lines": [InvoiceLine(description=c, fee_code=c, unit_amount=a, amount=a) for c, a in lines],
        }
    )


def _take_payment(local_env, gateway, make_users, day: date) -> dict[str, Any]:
    cid = new_customer_id()
    account = b.account(cid, number=f"UT-{uuid.uuid4().int % 10**8:08d}")
    water = _invoice(cid, account.account_number, "utilities", [("WATER_BASE", 2_000), ("WATER_USAGE", 3_000)], day)
    parking = _invoice(cid, account.account_number, "parking", [("PK_CITATION", 4_000)], day)
    customer = b.customer(cid, email=f"{cid.lower()}@example.org")
    DynamoCustomerRecords(settings().ledger_table).put_new([customer, account, water, parking])
    supervisor = make_users(groups=("supervisor",)).staff_token
    lines = [{"invoice_id": water.invoice_id, "amount": 5_000}, {"invoice_id": parking.invoice_id, "amount": 4_000}]
    with clock.using(_at(day, 15)):
        paid = pay(gateway, supervisor, cid, lines)
        assert paid.status == 201, paid.body
        payment = paid.body["payment"]
        refund = {"amount": 1_000, "reason_code": "customer_request", "note": "refund"}
        path = f"/v1/staff/payments/{payment['payment_id']}/refunds"
        refunded = gateway.request("POST", path, token=supervisor, json=refund, headers=key())
        assert refunded.status == 201, refunded.body
    local_env.aggregate_once()  # the outbox events -> the daily totals (the subledger the close reads)
    return {"customer_id": cid, "payment": payment}


@pytest.fixture
def closing_day(local_env, gateway, make_users) -> dict[str, Any]:
    day = quiet_payout_day()
    threshold = local_env.function_env["APPROVAL_THRESHOLD_MINOR"]
    local_env.configure(APPROVAL_THRESHOLD_MINOR="10000000")  # the refund is carried out at once
    try:
        taken = _take_payment(local_env, gateway, make_users, day)
    finally:
        local_env.configure(APPROVAL_THRESHOLD_MINOR=threshold)
    return {"day": day, **taken}


def _close(gateway, token: str, day: date, department: str | None = None) -> Any:
    body: dict[str, Any] = {"date": day.isoformat()}
    if department:
        body["department"] = department
    with clock.using(_at(next_banking_day(day), 12)):
        return gateway.request("POST", ROUTE, token=token, json=body)


def test_a_day_whose_books_agree_closes_once_with_its_totals_and_no_variance(gateway, make_users, closing_day):
    day, payment = closing_day["day"], closing_day["payment"]
    finance = make_users(groups=("finance",)).staff_token

    # When finance closes the day
    first = _close(gateway, finance, day)

    # Then its control totals are frozen: the subledger and the GL agree by department, the refund went back
    assert first.status == 201, first.body
    close = first.body
    assert (close["scope"], close["department"], close["covered_to"]) == ("all", None, day.isoformat())
    (usd,) = close["currencies"]
    assert usd["collected"] == {"subledger": 9_000, "gl": 9_000}
    assert {(d["department"], d["subledger"], d["gl"]) for d in usd["by_department"]} == {
        ("parking", 4_000, 4_000),
        ("utilities", 5_000, 5_000),
    }
    fee = payment["fee_amount"]
    assert usd["convenience_fees"] == {"subledger": fee, "gl": fee}
    assert usd["money_back"] == {"refund": 1_000, "void": 0, "reversal": 0}
    assert usd["given_back_of_collections"] == 1_000
    assert usd["gl"]["debits"] == usd["gl"]["credits"] > 0
    assert usd["gl"]["clearing"] == 9_000 + fee - 1_000
    assert usd["deposits"] == {
        "expected": 0,
        "confirmed": 0,
        "unconfirmed": 0,
        "by_processor": {},
        "drawers_over_short": 0,
    }
    assert close["variances"] == []
    # the journal was built for it (nobody had run the journal job) and is named with its hash
    (batch,) = close["journal_batches"]
    journals = gateway.request("GET", f"/v1/staff/finance/journals?date={day}", token=finance).body["batches"]
    assert [(j["batch_id"], j["json_sha256"]) for j in journals] == [(batch["batch_id"], batch["json_sha256"])]

    # And its hash and control totals are in the audit chain, once, however often it is closed
    again = _close(gateway, make_users(groups=("finance",)).staff_token, day)
    assert again.status == 200 and again.body == close
    trail = DynamoAuditTrail(settings().audit_table)
    (record,) = trail.history("daily_close", f"{day}#all")
    assert record["action"] == "day.closed" and record["after"]["sha256"] == close["sha256"]
    assert record["after"]["currencies"] == close["currencies"]
    stored = DynamoDailyCloses(settings().ledger_table, settings().audit_table).get(day, "all")
    assert stored is not None and document_hash(stored.document) == stored.sha256 == close["sha256"]
    assert trail.verify("daily_close", f"{day}#all").ok

    # And a department's close keeps its own collections; both are read back, the agency's first
    parking = _close(gateway, finance, day, "parking")
    assert parking.status == 201, parking.body
    (mine,) = parking.body["currencies"]
    assert mine["by_department"] == [{"department": "parking", "subledger": 4_000, "gl": 4_000}]
    # the refund went back from whichever invoice it reopened: parking's share is what the GL debited parking for it
    parking_back = sum(
        x["debit"] for j in journals for x in j["lines"] if (x["kind"], x["department"]) == ("refund", "parking")
    )
    assert mine["money_back"]["refund"] == parking_back and mine["deposits"] is None and parking.body["variances"] == []
    supervisor = make_users(groups=("supervisor",)).staff_token
    read = gateway.request("GET", f"{ROUTE}?date={day}", token=supervisor)
    assert read.status == 200, read.body
    assert [c["scope"] for c in read.body["closes"]] == ["all", "parking"]
    assert read.body["closes"][0] == close


def test_the_day_a_payout_arrives_closes_with_its_deposit_unconfirmed_as_a_variance(
    local_env, gateway, make_users, closing_day
):
    day, payment = closing_day["day"], closing_day["payment"]
    finance = make_users(groups=("finance",)).staff_token
    # Given settlement has recorded the payout (the deposit the agency expects), not yet confirmed
    local_env.client("dynamodb").delete_item(
        TableName=settings().ledger_table, Key=codec.serialize(payout_items.CURSOR_KEY)
    )
    with clock.using(_at(add_banking_days(day, 4), 11)):
        settled = gateway.request("POST", "/local/jobs/settlement")
    assert settled.status == 200 and settled.body["ok"], settled.body
    stored = local_env.client("dynamodb").get_item(
        TableName=settings().ledger_table,
        Key=codec.serialize({"PK": f"CUST#{closing_day['customer_id']}", "SK": f"PAY#{payment['payment_id']}"}),
        ConsistentRead=True,
    )
    paid_out = codec.deserialize(stored["Item"])
    arrival, payout_id = date.fromisoformat(paid_out["paid_out_on"]), paid_out["payout_id"]

    # When the close job runs the banking day after the payout arrived
    with clock.using(_at(next_banking_day(arrival), 12)):
        ran = gateway.request("POST", "/local/jobs/close")
    assert ran.status == 200 and ran.body["ok"], ran.body
    assert ran.body["result"]["business_date"] == arrival.isoformat() and ran.body["result"]["created"] is True

    # Then the close shows the deposit expected and the fees the payout kept, and the deposit not confirmed
    (close,) = gateway.request("GET", f"{ROUTE}?date={arrival}", token=finance).body["closes"]
    (usd,) = close["currencies"]
    payout = gateway.request("GET", f"/v1/staff/finance/payouts?from={arrival}&to={arrival}", token=finance).body
    (recorded,) = payout["payouts"]
    assert recorded["payout_id"] == payout_id
    assert usd["deposits"]["expected"] == recorded["amount"] and usd["deposits"]["confirmed"] == 0
    assert usd["processor_fees"] == paid_out["processor_fee"] > 0
    assert usd["collected"] == {"subledger": 0, "gl": 0}  # the payment was collected (and closed) on its own day
    assert [(v["reason"], v["amount"], v["refs"]) for v in close["variances"]] == [
        ("deposit_unconfirmed", recorded["amount"], [payout_id])
    ]
    assert ran.body["result"]["variances"] == [
        {"reason": "deposit_unconfirmed", "currency": "USD", "department": None, "amount": recorded["amount"]}
    ]

    # And the job again changes nothing: the first close stands
    with clock.using(_at(next_banking_day(arrival), 13)):
        rerun = gateway.request("POST", "/local/jobs/close")
    assert rerun.body["ok"] and rerun.body["result"]["created"] is False
    assert rerun.body["result"]["sha256"] == close["sha256"]


def test_a_weekend_day_has_no_close_a_day_not_over_is_refused_and_one_not_closed_is_not_found(gateway, make_users):
    finance = make_users(groups=("finance",)).staff_token
    day = quiet_day()
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    refused = gateway.request("POST", ROUTE, token=finance, json={"date": saturday.isoformat()})
    assert refused.status == 422 and "not a banking day" in refused.body["error"]["message"], refused.body
    assert gateway.request("GET", f"{ROUTE}?date={saturday}", token=finance).status == 422
    weekday = next_banking_day(saturday + timedelta(days=2))  # Tuesday, or later when Tuesday is a holiday
    missing = gateway.request("GET", f"{ROUTE}?date={weekday}", token=finance)
    assert missing.status == 404, missing.body
    with clock.using(_at(weekday, 23)):  # the day is not over: its totals are not frozen half-way
        early = gateway.request("POST", ROUTE, token=finance, json={"date": weekday.isoformat()})
    assert early.status == 422 and "not over" in early.body["error"]["message"], early.body


def test_only_finance_closes_and_supervisors_read(gateway, make_users):
    day = quiet_payout_day()
    agent, supervisor = make_users(groups=("agent",)).staff_token, make_users(groups=("supervisor",)).staff_token
    assert gateway.request("POST", ROUTE, token=agent, json={"date": day.isoformat()}).status == 403
    assert gateway.request("GET", f"{ROUTE}?date={day}", token=agent).status == 403
    assert gateway.request("POST", ROUTE, token=supervisor, json={"date": day.isoformat()}).status == 403
    assert gateway.request("GET", f"{ROUTE}?date={day}", token=supervisor).status == 404  # may read; nothing yet


def test_a_department_the_chart_does_not_map_fails_the_close_loudly(local_env, gateway, make_users):
    day = quiet_payout_day()
    finance = make_users(groups=("finance",)).staff_token
    chart = copy.deepcopy(DEMO_CHART_OF_ACCOUNTS)
    del chart["departments"]["parking"]
    before = local_env.function_env.get("CHART_OF_ACCOUNTS")
    threshold = local_env.function_env["APPROVAL_THRESHOLD_MINOR"]
    local_env.configure(CHART_OF_ACCOUNTS=json.dumps(chart), APPROVAL_THRESHOLD_MINOR="10000000")
    try:
        # Given a day with a parking payment, and a chart that has no parking department
        _take_payment(local_env, gateway, make_users, day)

        # Then closing it fails, naming the department; the job fails too; nothing is closed or chained
        refused = _close(gateway, finance, day)
        assert refused.status == 422, refused.body
        assert refused.body["error"]["code"] == "unmapped_gl_code" and "parking" in refused.body["error"]["message"]
        with clock.using(_at(next_banking_day(day), 12)):
            ran = gateway.request("POST", "/local/jobs/close")
        assert ran.status == 500 and ran.body["error"]["code"] == "job_failed", ran.body
        assert "parking" in ran.body["error"]["details"]["error"]
        department = _close(gateway, finance, day, "parking")
        assert department.status == 422 and department.body["error"]["code"] == "unmapped_gl_code"
    finally:
        local_env.configure(CHART_OF_ACCOUNTS=before or "", APPROVAL_THRESHOLD_MINOR=threshold)
    assert gateway.request("GET", f"{ROUTE}?date={day}", token=finance).status == 404
    assert DynamoAuditTrail(settings().audit_table).history("daily_close", f"{day}#all") == []


def test_a_drawer_counted_short_is_a_variance_of_the_day_its_deposit_is_made(local_env, gateway, make_users):
    from tests.integration.test_drawer_close import close as close_drawer
    from tests.integration.test_drawer_close import count, take

    day = quiet_payout_day()
    agent, finance = make_users(groups=("agent",)).staff_token, make_users(groups=("finance",)).staff_token
    terminal = f"T1-{uuid.uuid4().hex[:8]}"
    cid = new_customer_id()
    account = b.account(cid, number=f"UT-{uuid.uuid4().int % 10**8:08d}")
    water = _invoice(cid, account.account_number, "utilities", [("WATER_BASE", 20_000)], day)
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), account, water])
    # Given cash taken at a counter and the drawer counted 5.00 short, that day
    with clock.using(_at(day, 15)):
        take(gateway, agent, cid, water.invoice_id, "cash", 6_500, terminal)
        closed = close_drawer(gateway, agent, terminal, count(6_000, 0, note="a 5.00 note missing"))
    assert closed.status == 201, closed.body
    local_env.aggregate_once()

    # When the day is closed
    done = _close(gateway, finance, day)

    # Then the cash is collected on both sides, the deposit is the count, and the shortfall is a variance
    assert done.status == 201, done.body
    (usd,) = done.body["currencies"]
    assert usd["collected"] == {"subledger": 6_500, "gl": 6_500}
    assert usd["deposits"]["by_processor"] == {"counter": 6_000} and usd["deposits"]["drawers_over_short"] == -500
    deposit_id = closed.body["deposit_id"]
    found = {(v["reason"], v["amount"], tuple(v["refs"])) for v in done.body["variances"]}
    assert found == {("drawer_over_short", -500, (deposit_id, terminal)), ("deposit_unconfirmed", 6_000, (deposit_id,))}


def test_two_closes_racing_store_one_and_chain_one(local_env, monkeypatch):
    from arportal.domain.ids import new_id
    from arportal.domain.models import AuditEvent
    from arportal.ports import StoredClose

    day = quiet_payout_day()
    store = DynamoDailyCloses(settings().ledger_table, settings().audit_table)
    document = {"business_date": day.isoformat(), "scope": "all", "closed_at": "2030-01-01T12:00:00+00:00"}
    first, second = (
        StoredClose(day, "all", {**document, "closed_by": who}, document_hash({**document, "closed_by": who}))
        for who in ("first", "second")
    )

    def audit(close: StoredClose) -> AuditEvent:
        return AuditEvent(
            event_id=new_id("aud"), entity_type="daily_close", entity_id=f"{day}#all", action="day.closed",
            actor=close.document["closed_by"], at=clock.now(), after={"sha256": close.sha256},
        )  # fmt: skip

    assert store.create(first, audit(first)) is True
    # the second read no close before the first was stored: its transaction is refused whole
    monkeypatch.setattr(store, "get", lambda *_: None)
    assert store.create(second, audit(second)) is False
    monkeypatch.undo()
    assert store.get(day, "all") == first
    (record,) = DynamoAuditTrail(settings().audit_table).history("daily_close", f"{day}#all")
    assert record["actor"] == "first"
