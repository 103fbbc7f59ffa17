"""The daily totals through the local runtime: real payments (posted, declined, pending, refunded) reach the
totals through the outbox stream and the real aggregate builder; the metrics route reads them and drills down to
the payments; a repeated stream record is counted once; the totals answer the collections report exactly as the
per-payment report does; and a year is answered from one item per day."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from arportal import clock
from arportal.adapters.aws import client
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.daily_totals import DynamoDailyTotals
from arportal.adapters.dynamodb.reports import DynamoActivity
from arportal.config import settings
from arportal.domain.errors import ConflictError
from arportal.domain.status import PaymentStatus
from arportal.ports import HeldShare
from arportal.services import daily_totals, reports
from local import invoke
from tests import builders as b
from tests.clock import SESSION_TODAY
from tests.integration.conftest import new_customer_id
from tests.quiet_days import quiet_day
from tests.reliability.worlds import pay_world

S = PaymentStatus


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture(scope="module")
def day_of_payments(local_env, gateway_module, users_module):
    """One quiet day: three card payments (one refunded in part), a declined card, an ACH debit pending."""
    day, (users, cid) = quiet_day(), users_module
    ids: dict[str, str] = {}
    with clock.using(clock.ShiftedClock.starting(day)):

        def pay(name: str, amount: int, token: str, expect: int = 201) -> None:
            body = {"amount": amount, "currency": "USD", "method": "ach" if token == "tok_ach" else "card"}
            body["token"] = token
            reply = gateway_module.request(
                "POST", "/v1/portal/payments", token=users.customer_token, json=body, headers=_key()
            )
            assert reply.status == expect, reply.body
            ids[name] = str(reply.body["payment"]["payment_id"]) if expect == 201 else ""

        pay("first", 10_000, "tok_visa")
        pay("second", 20_000, "tok_visa")
        pay("refunded", 5_000, "tok_visa")
        pay("declined", 3_000, "tok_declined", expect=402)
        pay("ach", 7_000, "tok_ach")
        body = {"reason_code": "customer_request", "note": "part", "amount": 1_000}
        path = f"/v1/staff/payments/{ids['refunded']}/refunds"
        reply = gateway_module.request("POST", path, token=users.staff_token, json=body, headers=_key())
        assert reply.status == 201, reply.body
    local_env.aggregate_once()
    return day, ids, cid


@pytest.fixture(scope="module")
def gateway_module(local_env):
    from local.gateway import Gateway
    from tests.integration.conftest import GatewayClient

    return GatewayClient(Gateway(local_env))


@pytest.fixture(scope="module")
def users_module(local_env):
    cid = new_customer_id()
    pay_world((500_000,), customer_id=cid, email=f"{cid.lower()}@example.org")
    tag = uuid.uuid4().hex[:10]
    local_env.create_user(f"customer-{tag}@example.com", customer_id=cid)
    local_env.create_user(f"finance-{tag}@example.com", groups=("finance",))
    local_env.create_user(f"supervisor-{tag}@example.com", groups=("supervisor",))

    class Users:
        customer_token = local_env.login(f"customer-{tag}@example.com").id_token
        staff_token = local_env.login(f"supervisor-{tag}@example.com").id_token
        finance_token = local_env.login(f"finance-{tag}@example.com").id_token

    return Users, cid


def _metrics(gateway, token: str, start: date, end: date) -> dict:
    reply = gateway.request("GET", f"/v1/staff/reports/metrics?from={start}&to={end}", token=token)
    assert reply.status == 200, reply.body
    return reply.body


def test_the_metrics_count_attempts_successes_failures_and_corrections(day_of_payments, gateway_module, users_module):
    day, _, _ = day_of_payments
    body = _metrics(gateway_module, users_module[0].finance_token, day, day)
    rates = {r["name"]: (r["attempted"], r["succeeded"], r["failed"]) for r in body["success_rate_by_channel_method"]}
    assert rates == {"portal/card": (4, 3, 1), "portal/ach": (1, 1, 0)}
    # The decline's payer tried again by ACH, for the same invoice, the same day: one series, and it succeeded.
    series = {r["name"]: (r["series"], r["series_succeeded"]) for r in body["success_rate_by_channel_method"]}
    assert series == {"portal/card": (4, 4), "portal/ach": (0, 0)}
    assert body["success_rate"]["rate"] == 0.8 and body["success_rate_with_retries"] == 1.0
    accuracy = body["recognition_accuracy"]
    assert (accuracy["receipts"], accuracy["first_time"], accuracy["rate"]) == (3, 2, 0.6667)
    # No journal was built for the day: the variance is all the subledger applied (the pending ACH included),
    # and says which banking day lacks its journal.
    gl = accuracy["gl"]
    assert accuracy["gl_variance_available"] is False and gl["missing_days"]
    assert accuracy["gl_variance"] == gl["subledger"] == 10_000 + 20_000 + 5_000 + 7_000 and gl["gl"] == 0
    assert body["formulas"]["success_rate"].startswith("succeeded ÷ attempted") and body["days_read"] == 1
    posted = next(s for s in body["processing_time"] if s["stage"] == "authorized_to_posted")
    assert (posted["count"], posted["average_days"], posted["p90_days"]) == (3, 0.0, 0)


@pytest.mark.parametrize(("figure", "names"), [("failed", {"declined"}), ("corrected", {"refunded"})])
def test_each_figure_drills_down_to_its_payments(day_of_payments, gateway_module, users_module, figure, names):
    day, ids, _ = day_of_payments
    path = f"/v1/staff/reports/metrics/payments?from={day}&to={day}&figure={figure}&limit=100"
    reply = gateway_module.request("GET", path, token=users_module[0].finance_token)
    assert reply.status == 200, reply.body
    listed = [p["payment_id"] for p in reply.body["payments"]]
    if figure == "failed":
        assert len(listed) == 1 and listed[0] not in ids.values()  # the decline has its own failed record
    else:
        assert set(listed) == {ids[n] for n in names}


def test_the_totals_answer_what_the_per_payment_report_answers(day_of_payments, local_env):
    day, _, _ = day_of_payments
    ledger = settings().ledger_table
    old = reports.collections(DynamoActivity(ledger), start=day, end=day, currency="USD")
    new = daily_totals.collections(DynamoDailyTotals(ledger), start=day, end=day, currency="USD")
    assert new == old and new.total.count == 3 and new.refunded == 1_000


def test_a_repeated_or_late_stream_record_changes_nothing(day_of_payments, local_env):
    day, ids, cid = day_of_payments
    store = DynamoDailyTotals(settings().ledger_table)
    before = store.days("USD", day, day)
    detail = {"payment_id": ids["first"], "customer_id": cid, "entity": {"type": "payment", "id": ids["first"]}}
    record = {
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "SequenceNumber": "1",
            "NewImage": {"PK": {"S": "OUTBOX#evt_repeat"}, "detail": {"S": json.dumps(detail)}},
        },
    }
    handler = "aggregate_builder.handler.lambda_handler"
    for _ in range(2):
        answer = invoke.invoke("aggregate_builder", handler, local_env.function_env, {"Records": [record]})
        assert answer == {"batchItemFailures": []}
    assert local_env.aggregate_once() == 0  # and nothing new on the stream
    assert store.days("USD", day, day) == before


def test_a_fold_that_lost_a_race_writes_nothing(day_of_payments, local_env):
    """Two folds of one payment at once (events on different shards) both read the held share; the second
    must not add its difference on top of the first's: the share's condition refuses it."""
    day, ids, cid = day_of_payments
    store = DynamoDailyTotals(settings().ledger_table)
    held = store.held_share(cid, ids["second"])
    assert held is not None and held.share.counters["col.amt"] == 20_000
    before = store.days("USD", day, day)
    for stale in (None, HeldShare(held.version - 1, held.share)):
        with pytest.raises(ConflictError):
            store.replace_share(cid, ids["second"], held=stale, version=held.version + 1, share=held.share)
    assert store.days("USD", day, day) == before


def test_a_year_is_answered_from_one_item_a_day(local_env, gateway_module, users_module):
    # A stretch no other test uses: quiet_day() hands out days 25 years out; this year is 60 years out.
    start = SESSION_TODAY + timedelta(days=60 * 365)
    end = start + timedelta(days=364)
    cid = new_customer_id()
    payments = [
        b.payment(cid, amount=1_000 + i, at=datetime.combine(start + timedelta(days=i), time(12), tzinfo=UTC))
        for i in range(365)
        for _ in range(2)
    ]
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), *payments])
    assert local_env.rebuild_daily_totals(start, end) == {"moved": 730}

    reads = {"calls": 0, "items": 0}

    def counted(**kwargs):
        reads["calls"] += 1

    def items(parsed, **kwargs):
        reads["items"] += len(parsed.get("Items", [])) + (1 if "Item" in parsed else 0)

    def journal_reads(**kwargs):
        reads["batch_gets"] += 1

    reads["batch_gets"] = 0
    events = client("dynamodb").meta.events
    events.register("before-call.dynamodb.*", counted)
    events.register("after-call.dynamodb.*", items)
    events.register("before-call.dynamodb.BatchGetItem", journal_reads)
    try:
        metrics = _metrics(gateway_module, users_module[0].finance_token, start, end)
        path = f"/v1/staff/reports/collections?from={start}&to={end}"
        collections = gateway_module.request("GET", path, token=users_module[0].finance_token)
    finally:
        events.unregister("before-call.dynamodb.*", counted)
        events.unregister("after-call.dynamodb.*", items)
        events.unregister("before-call.dynamodb.BatchGetItem", journal_reads)
    assert collections.status == 200, collections.body
    assert metrics["days_read"] == 365 and metrics["success_rate"]["attempted"] == 730
    assert collections.body["total"]["count"] == 730 and len(collections.body["days"]) == 365
    # Both answers together: 2 x 365 day items (a Query page holds them all), never the 730 payments.
    assert reads["items"] == 2 * 365, reads
    # The GL variance asks for the journal batches of the year's ~250 banking days by id, three a day, 100 keys
    # a BatchGetItem (none exist that far out); the deposits arriving in the year are one more Query.
    banking = metrics["journal_days_read"]
    assert 245 <= banking <= 262 and reads["batch_gets"] == -(-banking * 3 // 100), reads
    assert reads["calls"] - reads["batch_gets"] <= 7, reads
    print(f"a year: {reads}")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_ends_of_the_calendar_are_answered_not_crashed_on(gateway_module, users_module, day):
    token = users_module[0].finance_token
    for path in ("metrics", "metrics/payments", "collections"):
        reply = gateway_module.request(
            "GET", f"/v1/staff/reports/{path}?from={day}&to={day}&figure=failed", token=token
        )
        assert reply.status == 200, (path, reply.body)


@pytest.mark.parametrize("path", ["metrics", "metrics/payments", "collections"])
def test_a_range_over_five_years_is_a_422_naming_the_maximum_and_a_year_is_answered(gateway_module, users_module, path):
    token = users_module[0].finance_token
    too_long = gateway_module.request(
        "GET", f"/v1/staff/reports/{path}?from=0600-01-01&to=1980-01-01&figure=failed", token=token
    )
    assert too_long.status == 422, too_long.body
    assert "at most 1831 days" in str(too_long.body), too_long.body
    year = gateway_module.request(
        "GET", f"/v1/staff/reports/{path}?from=2025-01-01&to=2025-12-31&figure=failed", token=token
    )
    assert year.status == 200, (path, year.body)
