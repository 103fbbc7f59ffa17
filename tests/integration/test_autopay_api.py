"""Autopay enrolment and payment plans through the gateway: enrol, quote, accept exactly the quote, pay early,
cancel; and no customer reaches another's schedules."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from arportal.adapters.dynamodb import codec, table_layout
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
from arportal.adapters.dynamodb.schedules import DynamoSchedules
from arportal.adapters.dynamodb.tables import BY_DUE_DATE
from arportal.adapters.processors import processor_for
from arportal.config import settings
from arportal.domain.fees import FeeSchedule
from arportal.domain.models import Channel, InstalmentStatus, PaymentMethodType, Schedule, ScheduleKind
from arportal.services.autopay import execution_name
from arportal.services.payments import PayCommand, PaymentsConfig, pay
from tests import builders as b
from tests.integration.conftest import new_customer_id

SCHEDULES = "/v1/portal/schedules"


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture
def world(local_env, make_users, gateway):
    """A customer with an account, two open invoices on it (90.00 and 30.01) and a saved card."""
    cid = new_customer_id()
    account = b.account(cid, number=f"UT-{b.n() + 810000}")
    today = datetime.now(UTC).date()
    invoices = [
        b.invoice(cid, account.account_number, amount=9_000, due=today - timedelta(days=20)),
        b.invoice(cid, account.account_number, amount=3_001, due=today + timedelta(days=40)),
    ]
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), account, *invoices])
    users = make_users(customer_id=cid)
    card = {
        "type": "card",
        "token": "tok_visa",
        "last4": "4242",
        "brand": "visa",
        "exp_month": 12,
        "exp_year": b.VALID_EXP_YEAR,
    }
    method = gateway.request(
        "POST", "/v1/portal/payment-methods", token=users.customer_token, json=card, headers=_key()
    )
    assert method.status == 201, method.body
    return {
        "customer_id": cid,
        "account": account.account_number,
        "invoices": invoices,
        "token": users.customer_token,
        "method": method.body["payment_method_id"],
        "today": today,
    }


def _choice(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    first = world["today"] + timedelta(days=random.randint(2, 31))
    return {
        "account_number": world["account"],
        "invoice_ids": [i.invoice_id for i in world["invoices"]],
        "instalment_count": 3,
        "frequency": "monthly",
        "first_due_date": first.isoformat(),
    } | overrides


def _accept(gateway, world: dict[str, Any], choice: dict[str, Any], quote: dict[str, Any], **extra: Any):
    body = {"kind": "plan", **choice, "accept": True, "instalments": quote["instalments"], **extra}
    return gateway.request("POST", SCHEDULES, token=world["token"], json=body, headers=_key())


# --- autopay --------------------------------------------------------------------------------------------------


def test_autopay_enrolment_replays_and_allows_one_per_account(gateway, world):
    body = {"kind": "autopay", "account_number": world["account"], "payment_method_id": world["method"]}
    headers = _key()
    created = gateway.request(
        "POST", SCHEDULES, token=world["token"], json=body | {"days_before_due": 3}, headers=headers
    )
    assert created.status == 201, created.body
    schedule = created.body
    assert (schedule["kind"], schedule["days_before_due"], schedule["active"]) == ("autopay", 3, True)
    replay = gateway.request(
        "POST", SCHEDULES, token=world["token"], json=body | {"days_before_due": 3}, headers=headers
    )
    assert replay.status == 201 and replay.body == schedule
    second = gateway.request("POST", SCHEDULES, token=world["token"], json=body, headers=_key())
    assert second.status == 409 and second.body["error"]["code"] == "schedule_conflict"

    cancelled = gateway.request("DELETE", f"{SCHEDULES}/{schedule['schedule_id']}", token=world["token"])
    assert cancelled.status == 200 and cancelled.body["active"] is False and cancelled.body["closed_at"]
    again = gateway.request("POST", SCHEDULES, token=world["token"], json=body, headers=_key())
    assert again.status == 201  # the account may enrol again once cancelled


def test_autopay_needs_the_customers_own_account_and_method(gateway, world, make_users):
    other = make_users()
    body = {"kind": "autopay", "account_number": world["account"], "payment_method_id": world["method"]}
    reply = gateway.request("POST", SCHEDULES, token=other.customer_token, json=body, headers=_key())
    assert reply.status == 404
    unknown = body | {"payment_method_id": "pm_01NOTAMETHODXXXXXXXXXXXXX"}
    assert gateway.request("POST", SCHEDULES, token=world["token"], json=unknown, headers=_key()).status == 404
    late = body | {"days_before_due": 31}
    reply = gateway.request("POST", SCHEDULES, token=world["token"], json=late, headers=_key())
    assert reply.status == 422 and reply.body["error"]["details"][0]["field"].endswith("days_before_due")
    assert gateway.request("POST", SCHEDULES, token=world["token"], json=body).status == 400  # no Idempotency-Key


def test_another_customers_schedule_is_not_found(gateway, world, make_users):
    body = {"kind": "autopay", "account_number": world["account"], "payment_method_id": world["method"]}
    schedule_id = gateway.request("POST", SCHEDULES, token=world["token"], json=body, headers=_key()).body[
        "schedule_id"
    ]
    other = make_users()
    reply = gateway.request("DELETE", f"{SCHEDULES}/{schedule_id}", token=other.customer_token)
    assert reply.status == 404 and schedule_id not in json.dumps(reply.body)
    stored = DynamoSchedules(settings().ledger_table).schedule(world["customer_id"], schedule_id)
    assert stored is not None and stored.active


# --- plans ----------------------------------------------------------------------------------------------------


def test_a_plan_is_quoted_then_accepted_exactly_as_quoted(gateway, world, local_env):
    # Given a quote for both invoices in three monthly instalments
    choice = _choice(world)
    quote = gateway.request("POST", f"{SCHEDULES}:quote", token=world["token"], json=choice)
    assert quote.status == 200, quote.body
    assert quote.body["total"] == {"amount": 12_001, "currency": "USD"}
    assert [i["amount"] for i in quote.body["instalments"]] == [4_001, 4_000, 4_000]
    assert quote.body["instalments"][0]["due_date"] == choice["first_due_date"]

    # When the customer accepts exactly that schedule, to be paid with the saved card
    created = _accept(gateway, world, choice, quote.body, payment_method_id=world["method"])

    # Then the plan exists, and each instalment has a due-date entry the autopay run will find
    assert created.status == 201, created.body
    plan = created.body
    assert plan["kind"] == "plan" and plan["total"]["amount"] == 12_001
    assert [i["status"] for i in plan["instalments"]] == ["scheduled"] * 3
    first_due = date.fromisoformat(plan["instalments"][0]["due_date"])
    due_items = local_env.client("dynamodb").query(
        TableName=settings().ledger_table,
        IndexName=BY_DUE_DATE,
        KeyConditionExpression="DUEPK = :d",
        ExpressionAttributeValues={":d": {"S": table_layout.due_pk(first_due)}},
    )["Items"]
    mine = [codec.deserialize(i) for i in due_items if plan["schedule_id"] in i["SK"]["S"]]
    assert [(m["type"], m["number"], m["amount"]) for m in mine] == [("instalment_due", 1, 4_001)]

    # And the same invoices cannot go into a second plan
    again = _accept(gateway, world, choice, quote.body)
    assert again.status == 409


def test_a_schedule_that_differs_from_the_quote_is_refused_with_the_fresh_quote(gateway, world):
    choice = _choice(world)
    quote = gateway.request("POST", f"{SCHEDULES}:quote", token=world["token"], json=choice).body
    tampered = {**quote, "instalments": [{**quote["instalments"][0], "amount": 1}, *quote["instalments"][1:]]}
    reply = _accept(gateway, world, choice, tampered)
    assert reply.status == 409 and reply.body["error"]["code"] == "quote_mismatch"
    assert reply.body["error"]["details"]["quote"][0]["amount"] == 4_001
    not_accepted = {"kind": "plan", **choice, "accept": False, "instalments": quote["instalments"]}
    reply = gateway.request("POST", SCHEDULES, token=world["token"], json=not_accepted, headers=_key())
    assert reply.status == 422


def test_quotes_follow_the_rules_and_only_for_the_customers_invoices(gateway, world, make_users):
    too_many = gateway.request(
        "POST", f"{SCHEDULES}:quote", token=world["token"], json=_choice(world, instalment_count=30)
    )
    assert too_many.status == 422
    too_late = _choice(world, first_due_date=(world["today"] + timedelta(days=60)).isoformat())
    reply = gateway.request("POST", f"{SCHEDULES}:quote", token=world["token"], json=too_late)
    assert reply.status == 422 and reply.body["error"]["details"][0]["field"] == "first_due_date"
    other = make_users()
    stolen = gateway.request("POST", f"{SCHEDULES}:quote", token=other.customer_token, json=_choice(world))
    assert stolen.status == 404 and world["invoices"][0].invoice_number not in json.dumps(stolen.body)


def test_paying_early_marks_the_next_instalment_paid_and_the_run_charges_nothing(gateway, world, local_env):
    # Given an accepted plan paid by autopay (3 x ~40.00)
    choice = _choice(world)
    quote = gateway.request("POST", f"{SCHEDULES}:quote", token=world["token"], json=choice).body
    plan = _accept(gateway, world, choice, quote, payment_method_id=world["method"]).body

    # When the customer pays 40.01 by hand before the first date (any channel counts)
    s = settings()
    pay(
        PayCommand(
            idempotency_key=uuid.uuid4().hex,
            scope=world["customer_id"],
            customer_id=world["customer_id"],
            amount=4_001,
            currency="USD",
            method=PaymentMethodType.CARD,
            channel=Channel.PORTAL,
            actor="customer",
            token="tok_visa",
            account_number=world["account"],
        ),
        ledger=DynamoPaymentPosting(s.ledger_table, s.audit_table),
        processor=processor_for(s),
        config=PaymentsConfig(currency="USD", fees=FeeSchedule(), processor_name=s.processor),
        now=datetime.now(UTC),
    )
    # And the autopay run comes on the first instalment's date
    first_due = plan["instalments"][0]["due_date"]
    result = _run_job(local_env, "autopay", first_due)

    # Then nothing was charged for it, and the instalment shows paid
    assert result["nothing_to_charge"] >= 1
    assert not _executions_for(local_env, plan["schedule_id"], first_due)
    stored = DynamoSchedules(s.ledger_table).schedule(world["customer_id"], plan["schedule_id"])
    assert stored is not None
    assert [i.status for i in stored.instalments] == [
        InstalmentStatus.PAID,
        InstalmentStatus.SCHEDULED,
        InstalmentStatus.SCHEDULED,
    ]


def test_cancelling_a_plan_frees_its_invoices_and_removes_its_due_entries(gateway, world):
    choice = _choice(world)
    quote = gateway.request("POST", f"{SCHEDULES}:quote", token=world["token"], json=choice).body
    plan = _accept(gateway, world, choice, quote).body
    cancelled = gateway.request("DELETE", f"{SCHEDULES}/{plan['schedule_id']}", token=world["token"])
    assert cancelled.status == 200 and cancelled.body["active"] is False
    store = DynamoSchedules(settings().ledger_table)
    first_due = date.fromisoformat(plan["instalments"][0]["due_date"])
    assert plan["schedule_id"] not in {i.schedule_id for i in store.due_on(first_due).instalments}
    assert _accept(gateway, world, choice, quote).status == 201  # the invoices may be planned again


# --- helpers ----------------------------------------------------------------------------------------------------


def _run_job(local_env, job: str, day: str) -> dict[str, Any]:
    response = local_env.client("lambda").invoke(
        FunctionName=local_env.resources.functions["scheduled_jobs"],
        Payload=json.dumps({"job": job, "day": day}).encode(),
    )
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return dict(body)


def _executions_for(local_env, schedule_id: str, due: str) -> list[str]:
    sfn = local_env.client("stepfunctions")
    names = {
        execution_name(schedule_id, f"inst{n:02d}", date.fromisoformat(due), ScheduleKind.PLAN) for n in range(1, 25)
    }
    listed = sfn.list_executions(stateMachineArn=local_env.resources.state_machines["payment_retry"], maxResults=1000)
    return [e["name"] for e in listed["executions"] if e["name"] in names]


def test_the_routes_are_described_in_openapi(gateway):
    paths = gateway.request("GET", "/openapi.json").body["paths"]
    assert {"post"} <= set(paths["/v1/portal/schedules:quote"])
    assert {"post"} <= set(paths["/v1/portal/schedules"])
    assert {"delete"} <= set(paths["/v1/portal/schedules/{schedule_id}"])
    assert {"get", "post"} <= set(paths["/v1/portal/payment-methods"])
    assert {"delete"} <= set(paths["/v1/portal/payment-methods/{payment_method_id}"])


def test_cancelling_an_old_autopay_without_a_guard_keeps_the_accounts_new_enrolment(gateway, world):
    # Given an autopay written before issue 4 (like the seed's: no enrolment guard) and a new enrolment since
    old = Schedule(
        schedule_id=f"sch_{uuid.uuid4().hex[:26].upper()}",
        customer_id=world["customer_id"],
        kind=ScheduleKind.AUTOPAY,
        account_number=world["account"],
        payment_method_id="pm_sbx_seeded",
        currency="USD",
        created_at=datetime.now(UTC),
    )
    DynamoCustomerRecords(settings().ledger_table).put_new([old])
    body = {"kind": "autopay", "account_number": world["account"], "payment_method_id": world["method"]}
    new = gateway.request("POST", SCHEDULES, token=world["token"], json=body, headers=_key()).body

    # When the old one is cancelled
    assert gateway.request("DELETE", f"{SCHEDULES}/{old.schedule_id}", token=world["token"]).status == 200

    # Then the new one is still what the autopay run finds for the account
    enrolled = DynamoSchedules(settings().ledger_table).autopay_enrolments()
    assert [e.schedule_id for e in enrolled if e.account_number == world["account"]] == [new["schedule_id"]]
