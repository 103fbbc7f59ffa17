"""The exceptions report reads the daily totals and the lists of payments standing pending or failed: its figures
answer what reading every payment of every day answers, in a handful of round trips however long the range, and
the lists and interaction counts follow the writes that move them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest

from arportal import clock
from arportal.adapters.aws import client
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.daily_totals import DynamoDailyTotals
from arportal.adapters.dynamodb.reports import DynamoActivity
from arportal.config import settings
from arportal.domain.ids import new_id
from arportal.domain.models import Interaction, InteractionKind
from arportal.domain.reports import EXCEPTIONS, exceptions_of_day, report_days
from arportal.domain.status import PaymentStatus
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.read_counts import dynamodb_reads
from tests.integration.test_ach_lifecycle import pay_ach, report
from tests.quiet_days import quiet_day
from tests.reliability.worlds import PayWorld, pay_world

S = PaymentStatus
DAYS = 92


@pytest.fixture
def debtor(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((3_000,), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


@pytest.fixture(scope="module")
def staff(local_env) -> dict[str, str]:
    tokens = {}
    for role in ("agent", "finance"):
        user = local_env.create_user(f"{role}-{uuid.uuid4().hex[:8]}@example.org", groups=(role,))
        tokens[role] = local_env.login(user.username).id_token
    return tokens


@pytest.fixture(scope="module")
def quarter(local_env):
    """A quarter of quiet days: every day three failed payments, every third day a pending one, every fourth day a
    posted one and two interactions; 276 failed in all, more than the report lists."""
    start = quiet_day()
    end = start + timedelta(days=DAYS - 1)
    cid = new_customer_id()
    records: list = [b.customer(cid)]
    for i, day in enumerate(report_days(start, end)):
        at = datetime.combine(day, time(9), tzinfo=UTC)
        records += [b.payment(cid, amount=100 + i, status=S.FAILED, at=at + timedelta(hours=h)) for h in (0, 1, 6)]
        if i % 3 == 0:
            records.append(b.payment(cid, amount=5_000 + i, status=S.PENDING, at=at + timedelta(hours=2)))
        if i % 4 == 0:
            records.append(b.payment(cid, amount=7_000, status=S.POSTED, at=at + timedelta(hours=3)))
            records += [
                Interaction(
                    interaction_id=new_id("int", now_ms=int((at + timedelta(hours=4 + k)).timestamp() * 1000)),
                    customer_id=cid,
                    kind=(InteractionKind.CALL, InteractionKind.NOTE)[k],
                    summary="handled",
                    at=at + timedelta(hours=4 + k),
                )
                for k in (0, 1)
            ]
    # Loaded in bulk, as the seed and an upgrade's old records are: the rebuild counts the interactions and
    # folds the payments (their list entries come with the item itself).
    DynamoCustomerRecords(settings().ledger_table).put_new(records)
    local_env.rebuild_daily_totals(start, end)
    return start, end


def test_a_quarters_exceptions_answer_the_per_payment_report_in_a_handful_of_round_trips(gateway, quarter, staff):
    start, end = quarter
    with dynamodb_reads() as reads:
        reply = gateway.request("GET", f"/v1/staff/reports/exceptions?from={start}&to={end}", token=staff["finance"])
    assert reply.status == 200, reply.body
    body = reply.body
    # The oracle: every payment and interaction of every day, read one day at a time.
    activity = DynamoActivity(settings().ledger_table)
    read = [activity.day_activity(d, payment_statuses=EXCEPTIONS, interactions=True) for d in report_days(start, end)]
    expected = [
        exceptions_of_day(d, a.payments, a.interactions, currency="USD")
        for d, a in zip(report_days(start, end), read, strict=True)
    ]
    assert [(d["pending"]["count"], d["failed"]["count"], d["interactions"]) for d in body["days"]] == [
        (d.pending.count, d.failed.count, d.interactions) for d in expected
    ]
    assert body["failed"]["count"] == 3 * DAYS and body["pending"]["count"] == -(-DAYS // 3)
    assert body["failed"]["amount"]["amount"] == sum(d.failed.amount for d in expected)
    assert body["interactions_handled"] == 2 * -(-DAYS // 4)
    # The newest 200 failed, newest first, and every pending one; the answer says more failed exist.
    failed = sorted((p for a in read for p in a.payments if p.status is S.FAILED), key=lambda p: p.created_at)
    assert [p["payment_id"] for p in body["failed_payments"]] == [p.payment_id for p in reversed(failed[-200:])]
    assert len(body["pending_payments"]) == -(-DAYS // 3) and body["listed_all"] is False
    # Day totals (1 page), interaction totals (1), each list (1), approvals waiting: never a Query per day.
    print(f"exceptions, a quarter: {reads.figures()}")
    assert reads.round_trips <= 6, reads.calls
    assert reads.items <= DAYS + -(-DAYS // 4) + 201 + 31 + 100, reads.figures()


def test_a_pending_debit_is_listed_until_it_posts_and_a_failed_one_from_when_it_fails(gateway, debtor):
    lists = DynamoActivity(settings().ledger_table)
    today = clock.today()

    def listed(status: PaymentStatus) -> set[str]:
        found, _ = lists.exception_payments("USD", status, start=today, end=today, limit=100)
        return {p.payment_id for p in found}

    posted = pay_ach(gateway, debtor, 1_000)
    assert posted["payment_id"] in listed(S.PENDING)
    assert report(gateway, posted["transaction_id"], "settle")[1].body["status"] == "posted"
    assert posted["payment_id"] not in listed(S.PENDING) | listed(S.FAILED)

    failed = pay_ach(gateway, debtor, 2_000)
    assert report(gateway, failed["transaction_id"], "fail")[1].body["status"] == "failed"
    assert failed["payment_id"] in listed(S.FAILED) and failed["payment_id"] not in listed(S.PENDING)


def test_an_interaction_is_counted_on_its_day_once_however_often_it_is_sent(gateway, staff):
    totals = DynamoDailyTotals(settings().ledger_table)
    today = clock.today()

    def calls() -> int:
        return sum(d.counters.get("int.call", 0) for d in totals.interaction_days(today, today))

    cid = new_customer_id()
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid)])
    before = calls()
    key = uuid.uuid4().hex
    for _ in range(3):
        reply = gateway.request(
            "POST",
            f"/v1/staff/customers/{cid}/interactions",
            token=staff["agent"],
            json={"kind": "call", "summary": "Asked about the late fee"},
            headers={"Idempotency-Key": key},
        )
        assert reply.status in (200, 201), reply.body
    assert calls() == before + 1


def test_a_job_reads_a_whole_day_past_the_cap_a_request_keeps(monkeypatch, quarter):
    from arportal.adapters.dynamodb import reports as activity_reads

    monkeypatch.setattr(activity_reads, "_MAX_DAY_PAGES", 0)
    activity = DynamoActivity(settings().ledger_table)
    capped = activity.day_activity(quarter[0], payment_statuses=EXCEPTIONS)
    whole = activity.day_activity(quarter[0], payment_statuses=EXCEPTIONS, whole=True)
    assert not capped.complete and capped.payments == []  # said, not silent
    assert whole.complete and len(whole.payments) == 4  # the first day's three failed and one pending


def test_the_rebuild_lists_a_failed_payment_written_before_the_lists_existed(local_env):
    day = quiet_day()
    cid = new_customer_id()
    failed = b.payment(cid, amount=4_200, status=S.FAILED, at=datetime.combine(day, time(8), tzinfo=UTC))
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), failed])
    client("dynamodb").update_item(
        TableName=settings().ledger_table,
        Key={"PK": {"S": f"CUST#{cid}"}, "SK": {"S": f"PAY#{failed.payment_id}"}},
        UpdateExpression="REMOVE PPK, PSK",  # as an earlier version wrote it
    )
    lists = DynamoActivity(settings().ledger_table)
    assert lists.exception_payments("USD", S.FAILED, start=day, end=day, limit=10) == ([], False)
    local_env.rebuild_daily_totals(day, day)
    found, more = lists.exception_payments("USD", S.FAILED, start=day, end=day, limit=10)
    assert [p.payment_id for p in found] == [failed.payment_id] and not more


def test_a_recount_raises_a_short_counter_and_never_lowers_one(local_env):
    totals = DynamoDailyTotals(settings().ledger_table)
    day = quiet_day()

    def held() -> dict[str, int]:
        return {k: v for d in totals.interaction_days(day, day) for k, v in d.counters.items()}

    assert totals.recount_interactions(day, {"call": 5, "note": 1})
    assert held() == {"int.call": 5, "int.note": 1}
    # An index that does not show the newest interactions yet counts fewer: what was counted stays.
    assert totals.recount_interactions(day, {"call": 3, "email": 2})
    assert held() == {"int.call": 5, "int.note": 1, "int.email": 2}
