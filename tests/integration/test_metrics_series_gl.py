"""The leadership metrics' retries and GL figures through the local runtime (issue 14 item 6): a declined payment
and the payer's successful retry of the same invoice are one series that succeeded, listed by the drill-down; a
scheduled charge's record stands for all the payment_retry machine's tries (and a given-up charge records its
failure); the subledger-to-GL variance is zero once the day's journal is built, differs by what the journal does
not hold, and names a banking day without a journal."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from arportal import clock
from arportal.adapters.dynamodb import codec, payout_items
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.daily_totals import DynamoDailyTotals
from arportal.adapters.dynamodb.journals import batch_key
from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
from arportal.config import settings
from arportal.domain.banking_days import add_banking_days, is_banking_day, next_banking_day
from arportal.domain.journals import batch_id_for
from arportal.domain.models import InvoiceLine
from arportal.ports import PayoutRecord
from arportal.services.scheduled_payments import SCOPE
from arportal.wiring import journals
from tests import builders as b
from tests.integration.conftest import Executions, new_customer_id
from tests.integration.staff_actions_support import key, pay
from tests.integration.test_payment_retry import Scheduled
from tests.quiet_days import quiet_day


def _banking_quiet_day() -> date:
    day = quiet_day()
    while not is_banking_day(day):
        day = quiet_day()
    return day


def _customer_with_invoice(amount: int) -> tuple[str, str]:
    cid = new_customer_id()
    account = b.account(cid, number=f"UT-{uuid.uuid4().int % 10**8:08d}")
    line = InvoiceLine(description="water", fee_code="WATER_BASE", unit_amount=amount, amount=amount)
    invoice = b.invoice(cid, account.account_number, amount=amount, department="utilities").model_copy(
        update={"invoice_id": f"inv_{uuid.uuid4().hex}", "lines": [line]}
    )
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), account, invoice])
    return cid, invoice.invoice_id


def _metrics(gateway, token: str, start: date, end: date) -> dict[str, Any]:
    reply = gateway.request("GET", f"/v1/staff/reports/metrics?from={start}&to={end}", token=token)
    assert reply.status == 200, reply.body
    return dict(reply.body)


def _listed(gateway, token: str, day: date, figure: str) -> list[str]:
    path = f"/v1/staff/reports/metrics/payments?from={day}&to={day}&figure={figure}&channel=phone&limit=100"
    reply = gateway.request("GET", path, token=token)
    assert reply.status == 200, reply.body
    return [p["payment_id"] for p in reply.body["payments"]]


def _journal(gateway, day: date) -> None:
    with clock.using(clock.ShiftedClock.starting(next_banking_day(day))):
        reply = gateway.request("POST", "/local/jobs/journal")
    assert reply.status == 200 and reply.body["ok"], reply.body


@pytest.fixture(scope="module")
def retried(local_env, make_users_module) -> dict[str, Any]:
    """A quiet banking day: a phone payment of an invoice declined, then the same invoice paid by the same payer."""
    return _declined_then_paid(local_env, make_users_module)


@pytest.fixture(scope="module")
def journaled(local_env, make_users_module) -> dict[str, Any]:
    """The same on a day of its own, for the test that adds to its day (so the series figures never see it)."""
    return _declined_then_paid(local_env, make_users_module)


def _declined_then_paid(local_env, make_users_module) -> dict[str, Any]:
    from local.gateway import Gateway
    from tests.integration.conftest import GatewayClient

    gateway = GatewayClient(Gateway(local_env))
    day = _banking_quiet_day()
    cid, invoice_id = _customer_with_invoice(9_000)
    staff = make_users_module(groups=("supervisor",)).staff_token
    finance = make_users_module(groups=("finance",)).staff_token
    lines = [{"invoice_id": invoice_id, "amount": 6_000}]
    with clock.using(clock.ShiftedClock.starting(day)):
        body = {"customer_id": cid, "amount": 6_000, "currency": "USD", "method": "card", "channel": "phone"}
        body |= {"token": "tok_declined", "lines": lines}
        declined = gateway.request("POST", "/v1/staff/payments", token=staff, json=body, headers=key())
        assert declined.status == 402, declined.body
        paid = pay(gateway, staff, cid, lines)
        assert paid.status == 201, paid.body
    local_env.aggregate_once()
    return {"day": day, "paid": paid.body["payment"], "finance": finance, "gateway": gateway, "cid": cid}


@pytest.fixture(scope="module")
def make_users_module(local_env):
    def make(groups: tuple[str, ...]):
        tag = uuid.uuid4().hex[:10]
        user = local_env.create_user(f"staff-{tag}@example.com", groups=groups)

        class Users:
            staff_token = local_env.login(user.username).id_token

        return Users

    return make


def test_a_decline_and_the_payers_retry_are_one_series_that_succeeded(retried):
    body = _metrics(retried["gateway"], retried["finance"], retried["day"], retried["day"])
    (rate,) = body["success_rate_by_channel_method"]
    assert rate["name"] == "phone/card"
    assert (rate["attempted"], rate["succeeded"], rate["failed"], rate["rate"]) == (2, 1, 1, 0.5)
    assert (rate["series"], rate["series_succeeded"], rate["rate_with_retries"]) == (1, 1, 1.0)
    assert body["success_rate_with_retries"] == 1.0
    assert retried["paid"]["payment_id"]


def test_the_series_figures_list_the_payments_that_counted(retried):
    gateway, token, day = retried["gateway"], retried["finance"], retried["day"]
    success = retried["paid"]["payment_id"]
    assert _listed(gateway, token, day, "series_succeeded") == [success]
    (first,) = _listed(gateway, token, day, "series")
    assert first != success and _listed(gateway, token, day, "failed") == [first]
    held = DynamoDailyTotals(settings().ledger_table).held_share(retried["cid"], success)
    assert held is not None and held.share.counters["m.phone.card.series_succeeded"] == 1
    assert "m.phone.card.series" not in held.share.counters  # the series is counted by its first attempt


def test_the_gl_variance_is_zero_with_the_days_journal_and_differs_by_what_it_lacks(local_env, journaled):
    gateway, token, day = journaled["gateway"], journaled["finance"], journaled["day"]
    before = _metrics(gateway, token, day, day)["recognition_accuracy"]
    assert before["gl_variance_available"] is False and before["gl"]["missing_days"] == [str(day)]
    assert before["gl_variance"] == 6_000  # the subledger applied it; no journal holds it yet
    _journal(gateway, day)
    after = _metrics(gateway, token, day, day)
    gl = after["recognition_accuracy"]["gl"]
    assert after["journal_days_read"] == 1 and after["recognition_accuracy"]["gl_variance_available"] is True
    assert (gl["subledger"], gl["gl"], gl["variance"], gl["missing_days"]) == (6_000, 6_000, 0, [])
    # A payment taken on the day after its journal was built: the journal is never changed, so the two differ.
    cid, invoice_id = _customer_with_invoice(2_500)
    staff = _supervisor(local_env)
    with clock.using(clock.ShiftedClock.starting(day)):
        late = pay(gateway, staff, cid, [{"invoice_id": invoice_id, "amount": 1_500}])
        assert late.status == 201, late.body
    local_env.aggregate_once()
    differs = _metrics(gateway, token, day, day)["recognition_accuracy"]
    assert (differs["gl_variance"], differs["gl_variance_available"]) == (1_500, True)

    # A batch stored before batches kept their receipts: its GL side is read from its JSON file. (This one is the
    # day's batch copied under another quiet day's id, without ``receipts``: no payment of that day, 6,000 in it.)
    table = settings().ledger_table
    agency = journals.agency_code()
    stored = local_env.client("dynamodb").get_item(
        TableName=table, Key=codec.serialize(batch_key(batch_id_for(agency, day, 1))), ConsistentRead=True
    )
    old = {k: v for k, v in codec.deserialize(stored["Item"]).items() if k != "receipts"}
    assert "receipts" in codec.deserialize(stored["Item"])  # kept when the batch was stored
    other = _banking_quiet_day()
    copied = {**old, **batch_key(batch_id_for(agency, other, 1)), "business_date": other.isoformat()}
    copied["batch_id"] = batch_id_for(agency, other, 1)
    local_env.client("dynamodb").put_item(TableName=table, Item=codec.serialize(copied))
    read = _metrics(gateway, token, other, other)["recognition_accuracy"]
    assert (read["gl"]["gl"], read["gl_variance"], read["gl_variance_available"]) == (6_000, -6_000, True)


def _supervisor(local_env) -> str:
    tag = uuid.uuid4().hex[:10]
    user = local_env.create_user(f"staff-{tag}@example.com", groups=("supervisor",))
    return str(local_env.login(user.username).id_token)


def test_a_scheduled_charge_retried_once_is_two_tries_and_one_series(local_env, executions: Executions):
    world = Scheduled(local_env, "tok_flaky_1")
    run = world.charged(executions)
    assert run.status == "SUCCEEDED", run.cause
    s = settings()
    payment = DynamoPaymentPosting(s.ledger_table, s.audit_table).posted_payment(
        SCOPE, run.output["charge"]["idempotency_key"]
    )
    assert payment is not None and payment.attempt == 2
    local_env.aggregate_once()
    held = DynamoDailyTotals(s.ledger_table).held_share(world.customer.customer_id, payment.payment_id)
    assert held is not None
    c = held.share.counters
    assert (c["m.autopay.card.attempted"], c["m.autopay.card.failed"], c["m.autopay.card.succeeded"]) == (2, 1, 1)
    assert (c["m.autopay.card.series"], c["m.autopay.card.series_succeeded"]) == (1, 1)


def test_a_given_up_scheduled_charge_records_its_tries_as_a_failed_series(local_env, executions: Executions):
    world = Scheduled(local_env, "tok_insufficient_funds")
    run = world.charged(executions)
    assert run.status == "FAILED" and run.states_entered().count("Charge") == 4
    s = settings()
    failed = _failed_payment_of(local_env, world.customer.customer_id)  # the customer's only payment
    assert failed.status.value == "failed" and failed.attempt == 4 and failed.channel.value == "autopay"
    assert world.ledger_invoice().balance == 6_400  # it moved no money
    local_env.aggregate_once()
    held = DynamoDailyTotals(s.ledger_table).held_share(world.customer.customer_id, failed.payment_id)
    assert held is not None
    c = held.share.counters
    assert (c["m.autopay.card.attempted"], c["m.autopay.card.failed"], c["m.autopay.card.series"]) == (4, 4, 1)
    assert "m.autopay.card.series_succeeded" not in c and "col.n" not in c


def _failed_payment_of(local_env, customer_id: str):
    from arportal.adapters.dynamodb import codec, customer_items, entity_items
    from arportal.domain.models import Payment

    response = local_env.client("dynamodb").query(
        TableName=settings().ledger_table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :pay)",
        ExpressionAttributeValues=codec.serialize({":pk": customer_items.customer_pk(customer_id), ":pay": "PAY#"}),
    )
    (found,) = [
        entity_items.from_item(codec.deserialize(i), Payment)
        for i in response["Items"]
        if codec.deserialize(i).get("type") == "payment"
    ]
    return found


def test_the_deposited_stage_measures_confirmed_deposits_and_lists_their_payments(local_env, retried):
    """A payout arriving on a quiet banking day carrying two payments, confirmed two banking days later."""
    gateway, finance = retried["gateway"], retried["finance"]
    arrival = _banking_quiet_day()
    cid = new_customer_id()
    payments = [b.payment(cid, amount=1_000 + i) for i in range(2)]
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), *payments])
    payout_id = f"po_{uuid.uuid4().hex[:20]}"
    record = PayoutRecord(
        payout_id=payout_id,
        processor="sandbox",
        amount=2_001,
        currency="USD",
        arrival_date=arrival,
        bank_trace_id=None,
        transactions=3,
        matched=2,
        unmatched=1,
        recorded_at=datetime.combine(arrival, time(6), tzinfo=UTC),
    )
    lines = [
        {**payout_items.line_key(payout_id, f"txn_{p.payment_id}"), "payment_id": p.payment_id, "customer_id": cid}
        for p in payments
    ]
    lines = [{**x, "type": "payout_line", "outcome": "settle"} for x in lines]
    unmatched = {**payout_items.line_key(payout_id, "txn_unknown"), "type": "payout_line", "outcome": "unmatched"}
    for item in (payout_items.payout_item(record), *lines, unmatched):
        local_env.client("dynamodb").put_item(TableName=settings().ledger_table, Item=codec.serialize(item))

    def stage() -> dict[str, Any]:
        body = _metrics(gateway, finance, arrival, arrival)
        return next(s for s in body["processing_time"] if s["stage"] == "paid_out_to_deposited")

    assert stage()["count"] == 0  # expected, not confirmed yet: not measured
    with clock.using(clock.ShiftedClock.starting(add_banking_days(arrival, 2))):
        confirmed = gateway.request("POST", f"/v1/staff/finance/deposits/{payout_id}/confirm", token=finance, json={})
    assert confirmed.status == 200, confirmed.body
    measured = stage()
    assert (measured["count"], measured["average_days"], measured["p90_days"]) == (1, 2.0, 2)
    listed: list[str] = []
    cursor = None
    for _ in range(4):  # one payment a page: the cursor goes on within the deposit, then past it
        path = f"/v1/staff/reports/metrics/payments?from={arrival}&to={arrival}&figure=paid_out_to_deposited&limit=1"
        reply = gateway.request("GET", path + (f"&cursor={cursor}" if cursor else ""), token=finance)
        assert reply.status == 200, reply.body
        listed += [p["payment_id"] for p in reply.body["payments"]]
        cursor = reply.body["next_cursor"]
        if cursor is None:
            break
    assert sorted(listed) == sorted(p.payment_id for p in payments)
    bad = gateway.request(
        "GET",
        f"/v1/staff/reports/metrics/payments?from={arrival}&to={arrival}&figure=paid_out_to_deposited&cursor=xyz",
        token=finance,
    )
    assert bad.status == 400, bad.body


def test_a_retry_after_midnight_counts_its_success_on_the_series_first_day(local_env, retried):
    """The share of the retry adds the series' success to the first attempt's day item (another day than its own),
    and the drill-down of that day finds the retry, taken the day after."""
    gateway, finance = retried["gateway"], retried["finance"]
    day = _banking_quiet_day()
    cid, invoice_id = _customer_with_invoice(4_000)
    staff = _supervisor(local_env)
    body = {"customer_id": cid, "amount": 4_000, "currency": "USD", "method": "card", "channel": "phone"}
    body |= {"token": "tok_declined", "lines": [{"invoice_id": invoice_id, "amount": 4_000}]}
    with clock.using(clock.FrozenClock(datetime.combine(day, time(23, 50), tzinfo=UTC))):
        declined = gateway.request("POST", "/v1/staff/payments", token=staff, json=body, headers=key())
        assert declined.status == 402, declined.body
    next_day = date.fromordinal(day.toordinal() + 1)
    with clock.using(clock.FrozenClock(datetime.combine(next_day, time(0, 10), tzinfo=UTC))):
        paid = pay(gateway, staff, cid, [{"invoice_id": invoice_id, "amount": 4_000}])
        assert paid.status == 201, paid.body
    local_env.aggregate_once()
    first = _metrics(gateway, finance, day, day)
    (rate,) = first["success_rate_by_channel_method"]
    assert (rate["attempted"], rate["series"], rate["series_succeeded"], rate["rate_with_retries"]) == (1, 1, 1, 1.0)
    second = _metrics(gateway, finance, next_day, next_day)
    (rate,) = second["success_rate_by_channel_method"]
    assert (rate["attempted"], rate["succeeded"], rate["series"], rate["series_succeeded"]) == (1, 1, 0, 0)
    assert _listed(gateway, finance, day, "series_succeeded") == [paid.body["payment"]["payment_id"]]
    assert _listed(gateway, finance, next_day, "series_succeeded") == []
