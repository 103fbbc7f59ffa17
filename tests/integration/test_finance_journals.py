"""GL journals through the local runtime (issue 14): a quiet banking day of a card payment over two departments, a
refund, an adjustment, a write-off and credit applied; the daily job builds its journal once; the files download
byte for byte, their hash is in the audit chain; a correction needs a second finance user; a batch is marked
imported once."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from arportal import clock
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from arportal.domain.banking_days import add_banking_days, is_banking_day, next_banking_day
from arportal.domain.journals import imbalances
from arportal.domain.models import InvoiceLine
from arportal.services import journal_batches
from arportal.services.journal_batches import journal_from_json
from arportal.wiring import journals
from local.apigw import Request
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.staff_actions_support import key, pay
from tests.quiet_days import quiet_day, quiet_payout_day

ROUTE = "/v1/staff/finance/journals"


def _banking_quiet_day() -> date:
    day = quiet_day()
    while not is_banking_day(day):
        day = quiet_day()  # a stretch of its own each time, so nothing else writes around it
    return day


def _invoice(cid: str, account: str, department: str, lines: list[tuple[str, int]], due: date) -> Any:
    amount = sum(a for _, a in lines)
    return b.invoice(cid, account, amount=amount, department=department, due=due).model_copy(
        update={
            "invoice_id": f"inv_{uuid.uuid4().hex}",
            "lines": [InvoiceLine(description=c, fee_code=c, unit_amount=a, amount=a) for c, a in lines],
        }
    )


@pytest.fixture
def finance_day(local_env, gateway, make_users) -> dict[str, Any]:
    day = quiet_payout_day()
    cid = new_customer_id()
    account = b.account(cid, number=f"UT-{uuid.uuid4().int % 10**8:08d}")
    water = _invoice(cid, account.account_number, "utilities", [("WATER_BASE", 2_000), ("WATER_USAGE", 3_000)], day)
    parking = _invoice(cid, account.account_number, "parking", [("PK_CITATION", 4_000)], day + timedelta(days=1))
    sewer = _invoice(cid, account.account_number, "utilities", [("SEWER_USAGE", 1_500)], day + timedelta(days=2))
    note = b.credit_note(cid, account.account_number, amount=700).model_copy(
        update={"credit_note_id": f"cn_{uuid.uuid4().hex[:26]}", "issued_on": day - timedelta(days=3)}
    )
    customer = b.customer(cid, email=f"{cid.lower()}@example.org")
    DynamoCustomerRecords(settings().ledger_table).put_new([customer, account, water, parking, sewer, note])
    supervisor = make_users(groups=("supervisor",)).staff_token
    threshold = local_env.function_env["APPROVAL_THRESHOLD_MINOR"]
    local_env.configure(APPROVAL_THRESHOLD_MINOR="10000000")  # every action here is carried out at once
    try:
        with clock.using(clock.ShiftedClock.starting(day)):
            # a card payment over two departments (water and parking)
            paid = pay(
                gateway,
                supervisor,
                cid,
                [
                    {"invoice_id": water.invoice_id, "amount": 5_000},
                    {"invoice_id": parking.invoice_id, "amount": 4_000},
                ],
            )
            assert paid.status == 201, paid.body
            payment_id = paid.body["payment"]["payment_id"]
            refund = {"amount": 1_000, "reason_code": "customer_request", "note": "refund"}
            path = f"/v1/staff/payments/{payment_id}/refunds"
            assert gateway.request("POST", path, token=supervisor, json=refund, headers=key()).status == 201
            adjust = {"customer_id": cid, "invoice_id": sewer.invoice_id, "reason_code": "billing_error", "note": "x"}
            lowered = {**adjust, "kind": "adjustment", "amount": -250}
            written_off = {**adjust, "kind": "write_off", "amount": 500, "reason_code": "uncollectible"}
            for body in (lowered, written_off):
                reply = gateway.request("POST", "/v1/staff/adjustments", token=supervisor, json=body, headers=key())
                assert reply.status == 201, reply.body
            applied = gateway.request(
                "POST", f"/v1/staff/customers/{cid}/credit-applications", token=supervisor, json={}, headers=key()
            )
            assert applied.status == 201, applied.body
    finally:
        local_env.configure(APPROVAL_THRESHOLD_MINOR=threshold)
    return {"day": day, "payment_id": payment_id, "water": water, "parking": parking, "sewer": sewer}


def _job(gateway, day: date) -> dict[str, Any]:
    with clock.using(clock.ShiftedClock.starting(next_banking_day(day))):
        reply = gateway.request("POST", "/local/jobs/journal")
    assert reply.status == 200 and reply.body["ok"], reply.body
    return dict(reply.body["result"])


def _day(gateway, token: str, day: date) -> list[dict[str, Any]]:
    reply = gateway.request("GET", f"{ROUTE}?date={day}", token=token)
    assert reply.status == 200, reply.body
    return list(reply.body["batches"])


def _file(gateway, token: str, batch_id: str, file_format: str) -> tuple[bytes, dict[str, str]]:
    """The download's bytes as sent (the test client would parse a JSON body)."""
    headers = [("Authorization", f"Bearer {token}"), ("Host", "localhost")]
    path = f"{ROUTE}/{batch_id}?format={file_format}"
    response = gateway.gateway.dispatch(Request("GET", path, headers, b""))
    assert response.status == 200, response.body
    return bytes(response.body), {k.lower(): v for k, v in response.headers}


def test_a_day_s_journal_is_built_once_balances_and_is_stored_and_chained(gateway, make_users, finance_day):
    day = finance_day["day"]
    finance = make_users(groups=("finance",)).staff_token

    # When the daily job runs on the next banking day
    result = _job(gateway, day)
    assert result["business_date"] == day.isoformat() and result["created"] is True

    # Then the day has one batch whose lines balance per fund, each line naming its source records
    (batch,) = _day(gateway, finance, day)
    lines = batch["lines"]
    net: dict[str, int] = {}
    for line in lines:
        net[line["fund"]] = net.get(line["fund"], 0) + line["debit"] - line["credit"]
    assert set(net.values()) == {0} and len(net) >= 3  # the clearing fund, utilities' and parking's
    assert {x["kind"] for x in lines} >= {"payment", "refund", "adjustment", "write_off", "credit_applied"}
    paid = {(x["account"], x["credit"]) for x in lines if x["kind"] == "payment" and x["credit"]}
    assert {("4410", 2_000), ("4411", 3_000), ("4510", 4_000)} <= paid  # fee codes from the invoice lines
    assert all(x["source"] for x in lines)
    assert {x["source"].get("payment_id") for x in lines if x["kind"] == "payment"} == {finance_day["payment_id"]}
    write_off = {(x["account"], x["debit"], x["credit"]) for x in lines if x["kind"] == "write_off"}
    assert write_off == {("5810", 500, 0), ("1210", 0, 500)}

    # And its files download byte for byte, twice alike, hashing to what the batch and the audit chain say
    csv_bytes, headers = _file(gateway, finance, batch["batch_id"], "csv")
    assert _file(gateway, finance, batch["batch_id"], "csv")[0] == csv_bytes
    assert headers["content-disposition"] == f'attachment; filename="{batch["batch_id"]}.csv"'
    json_bytes, _ = _file(gateway, finance, batch["batch_id"], "json")
    assert hashlib.sha256(csv_bytes).hexdigest() == batch["csv_sha256"]
    assert hashlib.sha256(json_bytes).hexdigest() == batch["json_sha256"]
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8"))))
    assert rows[0][:3] == ["H", batch["batch_id"], day.isoformat()] and rows[-1][0] == "T"
    assert int(rows[-1][1]) == len(lines) == len([r for r in rows if r[0] == "D"])
    assert imbalances(journal_from_json(json_bytes).lines) == {}
    trail = DynamoAuditTrail(settings().audit_table)
    (record,) = trail.history("journal", batch["batch_id"])
    assert (
        record["after"]["csv_sha256"] == batch["csv_sha256"] and record["after"]["json_sha256"] == batch["json_sha256"]
    )
    assert trail.verify("journal", batch["batch_id"]).ok
    supervisor = make_users(groups=("supervisor",)).staff_token  # audit.read: the console's audit view shows it
    shown = gateway.request("GET", f"/v1/staff/audit?entity=journal:{batch['batch_id']}", token=supervisor)
    assert shown.status == 200 and shown.body["verification"]["ok"], shown.body
    assert [r["after"]["json_sha256"] for r in shown.body["records"]] == [batch["json_sha256"]]

    # And building the day again returns the first batch, the same bytes
    again = _job(gateway, day)
    assert (again["batch_id"], again["created"], again["csv_sha256"]) == (batch["batch_id"], False, batch["csv_sha256"])
    assert _file(gateway, finance, batch["batch_id"], "csv")[0] == csv_bytes
    assert [b["batch_id"] for b in _day(gateway, finance, day)] == [batch["batch_id"]]

    # Built again from the ledger (not read back), the journal is the stored batch byte for byte
    assert journal_batches.regenerates_identically(
        journals.books(), journals.sources(), journals.chart(), batch["batch_id"]
    )


def test_a_correction_needs_a_second_finance_user_and_a_batch_is_marked_imported_once(gateway, make_users, finance_day):
    day = finance_day["day"]
    maker, checker = make_users(groups=("finance",)), make_users(groups=("finance",))
    supervisor = make_users(groups=("supervisor",)).staff_token
    original = _job(gateway, day)["batch_id"]

    # A supervisor reads journals but neither corrects nor marks them
    assert gateway.request("GET", f"{ROUTE}?date={day}", token=supervisor).status == 200
    assert gateway.request("POST", f"{ROUTE}/{original}/imported", token=supervisor).status == 403

    # When one finance user asks for a correction, they cannot decide it themselves
    filed = gateway.request(
        "POST", f"{ROUTE}/{original}/corrections", token=maker.staff_token, json={"reason": "wrong revenue account"}
    )
    assert filed.status == 201, filed.body
    decision = f"{ROUTE}/corrections/{filed.body['correction_id']}/decision"
    own = gateway.request("POST", decision, token=maker.staff_token, json={"decision": "approve"})
    assert own.status == 403 and own.body["error"]["code"] == "self_approval", own.body
    assert len(_day(gateway, maker.staff_token, day)) == 1

    # Then another approves: a reversal batch and a new batch are stored, each hashed in the audit chain
    approved = gateway.request("POST", decision, token=checker.staff_token, json={"decision": "approve"})
    assert approved.status == 200, approved.body
    first, reversal, replacement = _day(gateway, checker.staff_token, day)
    assert first["batch_id"] == original
    assert (reversal["reverses"], replacement["replaces"]) == (original, original)
    assert (approved.body["reversal_batch_id"], approved.body["new_batch_id"]) == (
        reversal["batch_id"],
        replacement["batch_id"],
    )
    assert [(x["debit"], x["credit"]) for x in reversal["lines"]] == [(x["credit"], x["debit"]) for x in first["lines"]]
    trail = DynamoAuditTrail(settings().audit_table)
    for batch in (reversal, replacement):
        (record,) = trail.history("journal", batch["batch_id"])
        assert record["after"]["csv_sha256"] == batch["csv_sha256"] and record["actor"].endswith(checker.staff.username)
    # the original's files are untouched
    assert hashlib.sha256(_file(gateway, checker.staff_token, original, "csv")[0]).hexdigest() == first["csv_sha256"]

    # And marking imported records who and when once; asked again, the first mark stands
    marked = gateway.request("POST", f"{ROUTE}/{replacement['batch_id']}/imported", token=maker.staff_token)
    assert marked.status == 200, marked.body
    again = gateway.request("POST", f"{ROUTE}/{replacement['batch_id']}/imported", token=checker.staff_token)
    assert again.status == 200
    assert (
        again.body["imported_by"] == marked.body["imported_by"] and maker.staff.username in marked.body["imported_by"]
    )
    assert again.body["imported_at"] == marked.body["imported_at"]


def test_the_fees_a_payout_kept_are_in_the_journal_of_the_day_it_arrives(gateway, make_users, finance_day):
    from arportal.wiring import stores

    # Given the day's card charge, paid out T+2 banking days later net of the processor's fee
    day = finance_day["day"]
    arrival = add_banking_days(day, 2)
    finance = make_users(groups=("finance",)).staff_token

    # When the journal job builds the arrival day
    with clock.using(clock.ShiftedClock.starting(add_banking_days(day, 3))):
        reply = gateway.request("POST", "/local/jobs/journal")
        processor = stores.processor()
        payouts = processor.payouts(arrived_since=arrival, arrived_until=arrival)
        kept = {p.payout_id: sum(t.fee for t in processor.payout_transactions(p.payout_id)) for p in payouts}
    assert reply.status == 200 and reply.body["ok"], reply.body
    assert reply.body["result"]["business_date"] == arrival.isoformat()

    # Then its journal holds the fees each payout kept: an expense, netted from card clearing, naming the payout
    (batch,) = _day(gateway, finance, arrival)
    fees = [x for x in batch["lines"] if x["kind"] == "processor_fee"]
    assert kept and sum(kept.values()) > 0
    expense = {x["source"]["payout_id"]: x["debit"] for x in fees if x["account"] == "5310"}
    assert expense == {payout: fee for payout, fee in kept.items() if fee}
    assert sum(x["credit"] for x in fees if x["account"] == "1013") == sum(kept.values())
    # and only the fees: the payments were journaled on the day they were taken
    assert {x["kind"] for x in batch["lines"]} == {"processor_fee"}


def test_a_day_without_movements_still_has_its_batch_header_and_trailer(gateway, make_users):
    day = _banking_quiet_day()
    finance = make_users(groups=("finance",)).staff_token
    result = _job(gateway, day)
    (batch,) = _day(gateway, finance, day)
    assert (batch["batch_id"], batch["lines"], batch["totals"]) == (result["batch_id"], [], [])
    data, _ = _file(gateway, finance, batch["batch_id"], "csv")
    assert data == f"H,{batch['batch_id']},{day.isoformat()},{batch['batch_id'][3:-12]},,\r\nT,0,0,0\r\n".encode()
