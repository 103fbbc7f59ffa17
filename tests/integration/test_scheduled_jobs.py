"""The scheduled_jobs function on moto, invoked as the scheduler invokes it: the autopay run starts each charge once
however often it runs, and reminders and overdue notices respect preferences and go out once.

Each test works on a far-off day of its own, so the shared environment's other data is never due on it.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from arportal.adapters.dynamodb import tables
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
from arportal.adapters.dynamodb.schedules import DynamoSchedules
from arportal.config import settings
from arportal.domain.models import NotificationPreferences, ScheduleKind
from arportal.services import autopay
from arportal.services.autopay import execution_name
from local import mailbox
from local.resources import create_table
from tests import builders as b
from tests.integration.conftest import Executions, new_customer_id
from tests.quiet_days import quiet_day

WAIT_S = 120  # instant waits, but a busy machine can take a while to run a dozen Lambda tasks


def _far_day() -> date:
    return quiet_day()


def run_job(local_env, job: str, day: date) -> dict[str, Any]:
    response = local_env.client("lambda").invoke(
        FunctionName=local_env.resources.functions["scheduled_jobs"],
        Payload=json.dumps({"job": job, "day": day.isoformat()}).encode(),
    )
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return dict(body)


def emails_to(local_env, address: str) -> list[dict[str, Any]]:
    resources = local_env.resources
    return [m for m in mailbox.messages(resources.account_id, resources.region) if address in m["to"]]


def _customer(*, prefs: NotificationPreferences | None = None):
    cid = new_customer_id()
    customer = b.customer(cid).model_copy(update={"preferences": prefs or NotificationPreferences()})
    account = b.account(cid, number=f"UT-{b.n() + 820000}")
    return customer, account


@pytest.fixture
def autopay_customer(local_env, make_users, gateway):
    """A customer whose water account is on autopay (two days before due) with a saved visa card."""
    customer, account = _customer()
    day = _far_day()
    invoice = b.invoice(customer.customer_id, account.account_number, amount=8_765, due=day + timedelta(days=2))
    DynamoCustomerRecords(settings().ledger_table).put_new([customer, account, invoice])
    token = make_users(customer_id=customer.customer_id).customer_token
    card = {"type": "card", "token": "tok_visa", "last4": "4242", "brand": "visa"}
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    method = gateway.request("POST", "/v1/portal/payment-methods", token=token, json=card, headers=headers).body
    enrol = {
        "kind": "autopay",
        "account_number": account.account_number,
        "payment_method_id": method["payment_method_id"],
        "days_before_due": 2,
    }
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    schedule = gateway.request("POST", "/v1/portal/schedules", token=token, json=enrol, headers=headers)
    assert schedule.status == 201, schedule.body
    return {"day": day, "invoice": invoice, "schedule_id": schedule.body["schedule_id"], "customer": customer}


def _execution_arn(local_env, name: str) -> str:
    machine = local_env.resources.state_machines["payment_retry"]
    return machine.replace(":stateMachine:", ":execution:") + ":" + name


def test_the_autopay_run_twice_on_one_day_starts_each_charge_once_and_posts_it(
    local_env, executions: Executions, autopay_customer
):
    world = autopay_customer
    invoice = world["invoice"]
    name = execution_name(world["schedule_id"], invoice.invoice_id, invoice.due_date, ScheduleKind.AUTOPAY)

    # When the run happens twice on the day two days before the invoice is due
    first = run_job(local_env, "autopay", world["day"])
    second = run_job(local_env, "autopay", world["day"])

    # Then the charge was started by the first run only, and exactly one execution exists for it
    assert first["started"] >= 1 and second["already_started"] >= 1
    listed = local_env.client("stepfunctions").list_executions(
        stateMachineArn=local_env.resources.state_machines["payment_retry"], maxResults=1000
    )["executions"]
    assert [e["name"] for e in listed].count(name) == 1
    run = executions.wait(_execution_arn(local_env, name), timeout=WAIT_S)
    assert run.status == "SUCCEEDED", run.cause
    assert run.states_entered().count("Charge") == 1

    # And the charge was posted: the invoice is paid, by autopay, with a receipt
    assert run.output["posting"]["posted"] is True and run.output["posting"]["receipt_number"]
    s = settings()
    ledger = DynamoPaymentPosting(s.ledger_table, s.audit_table)
    (stored,) = ledger.invoices(invoice.customer_id, [invoice.invoice_id])
    assert stored.balance == 0
    payment = ledger.payment(invoice.customer_id, run.output["posting"]["payment_id"])
    assert payment is not None and payment.channel.value == "autopay" and payment.amount == 8_765

    # And a third run, after it was paid, finds nothing to charge
    assert run_job(local_env, "autopay", world["day"])["started"] == 0


def test_a_cancelled_autopay_is_not_charged(local_env, autopay_customer):
    # Given the customer cancelled autopay
    world = autopay_customer
    store = DynamoSchedules(settings().ledger_table)
    autopay.cancel(store, world["customer"].customer_id, world["schedule_id"], now=datetime.now(UTC))

    # When the run comes on the day it would have charged
    result = run_job(local_env, "autopay", world["day"])

    # Then nothing was started for it
    invoice = world["invoice"]
    name = execution_name(world["schedule_id"], invoice.invoice_id, invoice.due_date, ScheduleKind.AUTOPAY)
    listed = local_env.client("stepfunctions").list_executions(
        stateMachineArn=local_env.resources.state_machines["payment_retry"], maxResults=1000
    )["executions"]
    assert name not in {e["name"] for e in listed}
    assert result["started"] == 0


def test_reminders_respect_preferences_and_are_sent_once(local_env):
    # Given, on a day of its own, a customer reminded 3 days ahead and one who turned reminders off
    day = _far_day()
    keen, keen_account = _customer(prefs=NotificationPreferences(reminder_days_before=3))
    quiet, quiet_account = _customer(prefs=NotificationPreferences(due_date_reminders=False))
    soon = b.invoice(keen.customer_id, keen_account.account_number, amount=4_321, due=day + timedelta(days=2))
    later = b.invoice(keen.customer_id, keen_account.account_number, amount=1_000, due=day + timedelta(days=9))
    muted = b.invoice(quiet.customer_id, quiet_account.account_number, amount=2_000, due=day + timedelta(days=1))
    DynamoCustomerRecords(settings().ledger_table).put_new(
        [keen, keen_account, quiet, quiet_account, soon, later, muted]
    )

    # When the reminder job runs twice that day
    first = run_job(local_env, "reminders", day)
    second = run_job(local_env, "reminders", day)

    # Then the keen customer got one email about the invoice inside the window, and the other none
    assert first["emails"] == 1 and second["emails"] == 0 and second["already_sent"] >= 1
    (email,) = emails_to(local_env, keen.email or "")
    assert soon.invoice_number in email["body"] and "43.21 USD" in email["body"]
    assert later.invoice_number not in email["body"]
    assert emails_to(local_env, quiet.email or "") == []


def test_overdue_notices_respect_preferences_and_are_sent_once(local_env):
    day = _far_day()
    told, told_account = _customer()
    quiet, quiet_account = _customer(prefs=NotificationPreferences(overdue_notices=False))
    late = b.invoice(told.customer_id, told_account.account_number, amount=5_555, due=day - timedelta(days=2))
    not_yet = b.invoice(told.customer_id, told_account.account_number, amount=1_111, due=day)
    also_late = b.invoice(quiet.customer_id, quiet_account.account_number, amount=2_222, due=day - timedelta(days=1))
    DynamoCustomerRecords(settings().ledger_table).put_new(
        [told, told_account, quiet, quiet_account, late, not_yet, also_late]
    )

    first = run_job(local_env, "overdue", day)
    second = run_job(local_env, "overdue", day)

    assert first["emails"] == 1 and second["emails"] == 0
    (email,) = emails_to(local_env, told.email or "")
    assert late.invoice_number in email["body"] and not_yet.invoice_number not in email["body"]
    assert "overdue" in email["subject"]
    assert emails_to(local_env, quiet.email or "") == []


def test_an_unknown_job_is_refused(local_env):
    response = local_env.client("lambda").invoke(
        FunctionName=local_env.resources.functions["scheduled_jobs"], Payload=json.dumps({"job": "everything"}).encode()
    )
    assert response.get("FunctionError")


def _run_reindex(local_env, cursor: str | None = None) -> dict[str, Any]:
    response = local_env.client("lambda").invoke(
        FunctionName=local_env.resources.functions["scheduled_jobs"],
        Payload=json.dumps({"job": "reindex_customers", **({"cursor": cursor} if cursor else {})}).encode(),
    )
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return dict(body)


@pytest.fixture
def earlier_ledger(local_env):
    """A ledger of its own for the job to walk (the shared one holds every other test's customers), the functions
    pointed at it for the test."""
    name = f"ledger-reindex-{uuid.uuid4().hex[:8]}"
    create_table(local_env.client("dynamodb"), name, tables.LEDGER)
    shared = settings().ledger_table
    local_env.configure(LEDGER_TABLE=name)
    try:
        yield name
    finally:
        local_env.configure(LEDGER_TABLE=shared)
        local_env.client("dynamodb").delete_table(TableName=name)


def _partition(local_env, table: str, customer_id: str) -> dict[str, dict[str, Any]]:
    items = local_env.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CUST#{customer_id}"}},
        ConsistentRead=True,
    )["Items"]
    return {item["SK"]["S"]: item for item in items}


# What this version keeps beside a customer's records that an earlier one did not write
_NEW_ATTRIBUTES = ("PPK", "PSK", "NPK", "NSK")


def test_reindex_customers_brings_customers_an_earlier_version_wrote_up_to_date(local_env, earlier_ledger):
    customer = b.customer(new_customer_id()).model_copy(update={"name": "Marisol Quintanilla-Reyes"})
    account = b.account(customer.customer_id, number=f"UT-{b.n() + 830000}")
    invoice = b.invoice(customer.customer_id, account.account_number, amount=12_345, due=date(2026, 1, 31))
    DynamoCustomerRecords(earlier_ledger).put_new([customer, account, invoice])
    written = _partition(local_env, earlier_ledger, customer.customer_id)
    ddb = local_env.client("dynamodb")
    invoice_sk = next(sk for sk in written if sk.startswith("INV#"))
    assert set(_NEW_ATTRIBUTES) <= set(written[invoice_sk])
    # As the earlier version left it: no word pointers, no list or movement keys, no balance months
    for sk in [sk for sk in written if sk.startswith(("SRCH#WORD#", "BAL#"))]:
        ddb.delete_item(TableName=earlier_ledger, Key={"PK": {"S": f"CUST#{customer.customer_id}"}, "SK": {"S": sk}})
    ddb.update_item(
        TableName=earlier_ledger,
        Key={"PK": {"S": f"CUST#{customer.customer_id}"}, "SK": {"S": invoice_sk}},
        UpdateExpression="REMOVE " + ", ".join(_NEW_ATTRIBUTES),
    )

    first = _run_reindex(local_env)

    assert first["done"] is True and first["cursor"] is None and first["reindexed"] == 1, first
    now = _partition(local_env, earlier_ledger, customer.customer_id)
    assert {k: now[invoice_sk][k] for k in _NEW_ATTRIBUTES} == {k: written[invoice_sk][k] for k in _NEW_ATTRIBUTES}
    assert {sk for sk in now if sk.startswith("SRCH#WORD#")} == {sk for sk in written if sk.startswith("SRCH#WORD#")}
    months = {sk: item for sk, item in now.items() if sk.startswith("BAL#")}
    assert months.pop(f"BAL#{invoice.currency}#0000-00")["ready"] == {"BOOL": True}
    assert [int(item["net"]["N"]) for item in months.values()] == [12_345]
    # A second run finds every customer up to date and writes nothing
    assert _run_reindex(local_env)["reindexed"] == 0
    assert _partition(local_env, earlier_ledger, customer.customer_id) == now


def test_reindex_customers_refuses_a_cursor_it_never_returned(local_env):
    answer = _run_reindex(local_env, cursor="not-a-cursor")
    assert answer["job"] == "reindex_customers" and "cursor" in answer["error"]
