"""Settlement from the sandbox's payouts, through the local runtime: a day of card and ACH payments, a refund, an
ACH return, a charge no payment has and a payment the processor never paid out; ``POST /local/jobs/settlement``
runs the machine (a Distributed Map over S3 chunks, on moto), and a second run changes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from arportal import clock
from arportal.adapters import processors, sandbox_webhooks
from arportal.adapters.dynamodb import codec, payout_items
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from arportal.domain.banking_days import add_banking_days, is_banking_day
from arportal.domain.event_feed import SETTLE_WINDOW
from arportal.domain.models import Channel, MethodDetail, Payment, PaymentMethodType, StatusChange
from arportal.domain.status import PaymentStatus
from arportal.ports import ChargeRequest
from tests.integration.conftest import GatewayClient, new_customer_id
from tests.integration.integration_support import machine_token
from tests.integration.pay_support import pay
from tests.integration.test_ach_lifecycle import HOOK, pay_ach
from tests.quiet_days import quiet_day
from tests.reliability.worlds import PayWorld, pay_world


def _banking_day_from(day: date) -> date:
    while not is_banking_day(day) or not all(is_banking_day(add_banking_days(day, k)) for k in range(1, 5)):
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int) -> clock.ShiftedClock:
    """A ticking clock at ``hour`` o'clock (UTC) of ``day``."""
    real = clock.now()
    return clock.ShiftedClock(datetime.combine(day, time(hour), UTC) - real)


def _get(key: dict[str, str]) -> dict[str, Any] | None:
    from arportal.adapters.aws import client

    item = client("dynamodb").get_item(TableName=settings().ledger_table, Key=codec.serialize(key), ConsistentRead=True)
    return codec.deserialize(item["Item"]) if "Item" in item else None


def _payment(customer_id: str, payment_id: str) -> Payment:
    item = _get({"PK": f"CUST#{customer_id}", "SK": f"PAY#{payment_id}"})
    assert item is not None
    from arportal.adapters.dynamodb import entity_items

    return entity_items.from_item(item, Payment)


def report(gateway: GatewayClient, transaction_id: str, action: str) -> tuple[Any, Any]:
    """The sandbox bank's news of the debit, signed at the product's time (the clock is moved in this test)."""
    event, currency = processors.sandbox_for(settings()).ach_event(transaction_id, action)  # type: ignore[arg-type]
    body = sandbox_webhooks.event_body(event, currency=currency)
    key = processors.credentials(settings().processor_secret_arn).webhook_secret
    assert key
    signature = sandbox_webhooks.signature(body, key, timestamp=int(clock.now().timestamp()))
    headers = {"Content-Type": "application/json", "Sandbox-Signature": signature}
    return event, gateway.request("POST", HOOK, body=body, headers=headers)


def _forget_cursor() -> None:
    from arportal.adapters.aws import client

    client("dynamodb").delete_item(TableName=settings().ledger_table, Key=codec.serialize(payout_items.CURSOR_KEY))


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((50_000, 50_000), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


def test_a_day_of_payments_settles_from_the_payouts_once(
    local_env, gateway: GatewayClient, world: PayWorld, make_users
):
    day = _banking_day_from(quiet_day())
    sandbox = processors.sandbox_for(settings())
    # Given, on a banking day: two card payments (one refunded in part at the processor), an ACH debit that
    # settles and is then returned, a charge no payment has, and a posted payment the processor never saw
    with clock.using(_at(day, 15)):
        card = pay(gateway, world, uuid.uuid4().hex, amount=4_000).body["payment"]
        refunded = pay(gateway, world, uuid.uuid4().hex, amount=2_500).body["payment"]
        assert sandbox.refund(refunded["transaction_id"], 1_000, idempotency_key=uuid.uuid4().hex).succeeded
        ach = pay_ach(gateway, world, 3_000)
        _, reply = report(gateway, ach["transaction_id"], "settle")
        assert reply.status == 200, reply.body
        stranger = sandbox.charge(ChargeRequest(uuid.uuid4().hex, 777, "USD", "tok_visa", "Permit")).transaction_id
        missing = Payment(
            payment_id=f"pay_{uuid.uuid4().hex[:26].upper()}",
            customer_id=world.customer_id,
            amount=1_234,
            currency="USD",
            method=MethodDetail(type=PaymentMethodType.CARD, brand="visa", last4="4242"),
            channel=Channel.PORTAL,
            status=PaymentStatus.POSTED,
            history=[StatusChange(status=PaymentStatus.POSTED, at=clock.now(), by="processor")],
            processor="sandbox",
            transaction_id=f"sbx_{uuid.uuid4().hex[:20]}",
            created_at=clock.now(),
        )
        DynamoCustomerRecords(settings().ledger_table).put_new([missing])
    with clock.using(_at(add_banking_days(day, 1), 10)):
        _, reply = report(gateway, ach["transaction_id"], "return")
        assert reply.status == 200, reply.body

    # When settlement runs four banking days later, with no cursor (the last ten banking days)
    _forget_cursor()
    run_day = add_banking_days(day, 4)
    with clock.using(_at(run_day, 12)):
        started = clock.now()
        first = gateway.request("POST", "/local/jobs/settlement")
    assert first.status == 200 and first.body["ok"], first.body

    # Then the card payments settled, with their payout, its arrival date (T+2) and the processor's fee
    for paid, amount in ((card, 4_000), (refunded, 2_500)):  # the charge is amount + the convenience fee
        settled = _payment(world.customer_id, paid["payment_id"])
        assert settled.status is PaymentStatus.SETTLED, first.body
        assert settled.payout_id and settled.payout_id.startswith("sbxpo_")
        # T+2, or T+3 for the line the sandbox holds back a day now and then
        assert settled.paid_out_on in {add_banking_days(day, 2), add_banking_days(day, 3)}
        (charge,) = [x for x in _lines(paid["transaction_id"]) if x["kind"] == "charge"]
        assert charge["amount"] == amount + settled.fee_amount and charge["outcome"] == "settle"
        assert settled.processor_fee == charge["fee"] == 30 + (charge["amount"] * 290 + 5_000) // 10_000
        assert settled.history[-1].by == "system:settlement"
        audit = DynamoAuditTrail(settings().audit_table).history("payment", paid["payment_id"])
        assert [r["action"] for r in audit if r["actor"] == "system:settlement"] == ["payment.settled"]
    # And the ACH debit, returned before its payout, stayed as the return left it; its lines are recorded
    returned = _payment(world.customer_id, ach["payment_id"])
    assert returned.status is not PaymentStatus.SETTLED and returned.payout_id is None
    assert {(x["kind"], x["outcome"]) for x in _lines(ach["transaction_id"])} == {
        ("charge", "record"),
        ("return", "record"),
    }
    # And the refund line was recorded against its payment without changing it
    lines = _lines(refunded["transaction_id"])
    assert {(line["kind"], line["outcome"]) for line in lines} >= {("charge", "settle"), ("refund", "record")}

    # And a reconciliation item for the unknown charge and one for the payment the processor never paid out
    items = {(i["reason"], i.get("payment_id") or i.get("transaction_id")) for i in _open_items()}
    assert ("missing_from_processor", missing.payment_id) in items
    unknown = [i for i in _open_items() if i["reason"] == "unknown_transaction" and stranger in i["note"]]
    assert len(unknown) == 1
    assert _payment(world.customer_id, missing.payment_id).status is PaymentStatus.POSTED

    # And payment.settled is in the event feed, about the payment at its version, with the payout
    token = machine_token(local_env, scope="integrations/events.read")
    with clock.using(clock.FrozenClock(started + SETTLE_WINDOW + timedelta(hours=2))):
        local_env.relay_once()
        events = _feed(gateway, token, since=started)
    settled_events = [e for e in events if e["type"] == "payment.settled"]
    by_payment = {e["detail"]["payment_id"]: e["detail"] for e in settled_events}
    event, card_now = by_payment[card["payment_id"]], _payment(world.customer_id, card["payment_id"])
    assert event["payout_id"] == card_now.payout_id and event["processor_fee"] == card_now.processor_fee
    assert event["entity"] == {"type": "payment", "id": card["payment_id"], "sequence": card_now.version}

    # When it runs again, and again from no cursor at all
    before = {p["payment_id"]: _payment(world.customer_id, p["payment_id"]).version for p in (card, refunded, ach)}
    opened = len(_open_items())
    with clock.using(_at(run_day, 13)):
        again = gateway.request("POST", "/local/jobs/settlement")
        _forget_cursor()
        fresh = gateway.request("POST", "/local/jobs/settlement")
    # Then nothing changes
    assert again.body["ok"] and fresh.body["ok"], (again.body, fresh.body)
    assert fresh.body["result"]["report"]["payouts_recorded"] == 0
    assert fresh.body["result"]["report"]["missing_opened"] == 0
    assert {pid: _payment(world.customer_id, pid).version for pid in before} == before
    assert len(_open_items()) == opened

    # And the finance console sees the payout as an expected deposit, and the items to work
    finance = make_users(groups=("finance",)).staff_token
    supervisor = make_users(groups=("supervisor",)).staff_token
    payout_id = card_now.payout_id
    assert payout_id
    with clock.using(_at(run_day, 14)):
        _finance_part(
            gateway, finance, supervisor, payout_id=payout_id, missing_id=missing.payment_id, day=day, run_day=run_day
        )


def _lines(transaction_id: str) -> list[dict[str, Any]]:
    """Every payout line that names the charge, whichever payout carried it."""
    from arportal.adapters.aws import client

    request: dict[str, Any] = {
        "TableName": settings().ledger_table,
        "FilterExpression": "#type = :line AND source_transaction_id = :txn",
        "ExpressionAttributeNames": {"#type": "type"},
        "ExpressionAttributeValues": {":line": {"S": "payout_line"}, ":txn": {"S": transaction_id}},
    }
    found: list[dict[str, Any]] = []
    while True:
        page = client("dynamodb").scan(**request)
        found += [codec.deserialize(i) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return found
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _open_items() -> list[dict[str, Any]]:
    from arportal.adapters.aws import client

    found = client("dynamodb").query(
        TableName=settings().ledger_table,
        IndexName="OpenItems",
        KeyConditionExpression="OPK = :opk",
        ExpressionAttributeValues={":opk": {"S": "RECON#open"}},
    )
    return [codec.deserialize(i) for i in found["Items"]]


def _feed(gateway: GatewayClient, token: str, *, since: datetime) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    query: dict[str, Any] = {"since": since.astimezone(UTC).isoformat(), "limit": 200}
    for _ in range(50):
        reply = gateway.request("GET", f"/v1/integrations/events?{urlencode(query)}", token=token)
        assert reply.status == 200, reply.body
        events += reply.body["events"]
        if not reply.body["events"]:
            return events
        query = {"after": reply.body["next_cursor"], "limit": 200}
    return events


def _finance_part(
    gateway: GatewayClient,
    finance: str,
    supervisor: str,
    *,
    payout_id: str,
    missing_id: str,
    day: date,
    run_day: date,
) -> None:
    span = urlencode({"from": day.isoformat(), "to": run_day.isoformat(), "limit": 200})
    listed = gateway.request("GET", f"/v1/staff/finance/payouts?{span}", token=supervisor)
    assert listed.status == 200, listed.body
    (payout,) = [p for p in listed.body["payouts"] if p["payout_id"] == payout_id]
    assert payout["matched"] >= 1 and payout["deposit_status"] == "expected" and payout["bank_trace_id"]
    expected = gateway.request("GET", f"/v1/staff/finance/deposits?{span}&status=expected", token=finance)
    assert payout_id in {d["payout_id"] for d in expected.body["deposits"]}

    # A supervisor reads but does not confirm; finance confirms, once
    path = f"/v1/staff/finance/deposits/{payout_id}/confirm"
    assert gateway.request("POST", path, token=supervisor, json={}).status == 403
    confirmed = gateway.request("POST", path, token=finance, json={})
    assert confirmed.status == 200 and confirmed.body["deposit_status"] == "deposited", confirmed.body
    again = gateway.request("POST", path, token=finance, json={})
    assert again.body["deposited_at"] == confirmed.body["deposited_at"] and again.body["deposited_by"]
    deposited = gateway.request("GET", f"/v1/staff/finance/deposits?{span}&status=deposited", token=finance)
    assert payout_id in {d["payout_id"] for d in deposited.body["deposits"]}
    audit = DynamoAuditTrail(settings().audit_table).history("payout", payout_id)
    assert [r["action"] for r in audit] == ["deposit.confirmed"]

    # The missing payment's item is resolved with a note, once
    items = gateway.request(
        "GET", "/v1/staff/finance/reconciliation-items?reason=missing_from_processor&limit=200", token=finance
    )
    assert items.status == 200, items.body
    (item,) = [i for i in items.body["items"] if i["payment_id"] == missing_id]
    resolve = f"/v1/staff/finance/reconciliation-items/{item['item_id']}/resolve"
    done = gateway.request("POST", resolve, token=finance, json={"note": "charged by hand at the counter"})
    assert done.status == 200 and done.body["status"] == "resolved", done.body
    twice = gateway.request("POST", resolve, token=finance, json={"note": "another note"})
    assert twice.body["resolution"] == "charged by hand at the counter"
    resolved = gateway.request("GET", "/v1/staff/finance/reconciliation-items?status=resolved&limit=200", token=finance)
    assert item["item_id"] in {i["item_id"] for i in resolved.body["items"]}
