"""Statements from balance checkpoints: every balance-changing write keeps the customer's months right in its own
transaction, and a statement read from the checkpoint before its range is the one the whole history gives."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb.checkpoint_backfill import _months_held, backfill
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.history import DynamoStatementHistory
from arportal.adapters.dynamodb.settlement_store import DynamoSettlementStore
from arportal.config import settings
from arportal.domain.agency_time import AgencyTime
from arportal.domain.balance_checkpoints import by_month
from arportal.domain.models import StatusChange
from arportal.domain.statement import LedgerEntry
from arportal.domain.status import PaymentStatus
from arportal.ports import SettlementCandidate
from arportal.services import statements
from portal_api.schemas_statements import statement_json
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.read_counts import dynamodb_reads
from tests.reliability.worlds import pay_world

FAR = date(9000, 1, 1)


class _WholeHistory(DynamoStatementHistory):
    """The same reader with no checkpoints: every statement replays the whole history."""

    def since_checkpoint(self, *_: Any, **__: Any) -> None:
        return None


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _statement(history: DynamoStatementHistory, cid: str, start: date, end: date, today: date) -> str:
    query = statements.StatementQuery(cid, start, end)
    customers = DynamoCustomerRecords(settings().ledger_table)
    return statement_json(
        statements.statement(query, history=history, customers=customers, currency="USD", today=today)
    )


def _unstamp(table: str, cid: str, invoice_id: str) -> None:
    client("dynamodb").update_item(
        TableName=table,
        Key={"PK": {"S": f"CUST#{cid}"}, "SK": {"S": f"INV#{invoice_id}"}},
        UpdateExpression="REMOVE NPK, NSK",
    )


def _replayed_months(history: DynamoStatementHistory, cid: str, today: date) -> dict[str, int]:
    return by_month(r for r in history.history(cid, until=FAR, today=today) if isinstance(r, LedgerEntry))


def test_every_write_keeps_the_months_and_the_range_read_gives_the_whole_historys_statement(
    gateway, local_env, make_users
):
    # Given a customer with three invoices issued last month and a paid one of the year before, checkpointed
    cid = new_customer_id()
    world = pay_world((6_000, 5_000, 4_000), customer_id=cid, email=f"{cid.lower()}@example.org")
    old = b.invoice(cid, world.account.account_number, amount=2_500, paid=2_500, due=b.TODAY - timedelta(days=400))
    old_payment = b.payment(cid, amount=2_500, status=PaymentStatus.SETTLED, at=b.NOW - timedelta(days=380))
    DynamoCustomerRecords(settings().ledger_table).put_new([old, old_payment])
    table = settings().ledger_table
    history = DynamoStatementHistory(table)
    today = datetime.now(UTC).date()
    _unstamp(table, cid, old.invoice_id)  # as written before movement stamps existed
    done = backfill(history, cid, "USD", today=today)
    assert done["months"] >= 2 and done["stamped"] == 1
    users = make_users(customer_id=cid, groups=("supervisor", "finance"))
    staff = users.staff_token

    def pay(amount: int) -> str:
        body = {"amount": amount, "currency": "USD", "method": "card", "token": "tok_visa"}
        paid = gateway.request("POST", "/v1/portal/payments", token=users.customer_token, json=body, headers=_key())
        assert paid.status == 201, paid.body
        return str(paid.body["payment"]["payment_id"])

    def act(payment_id: str, action: str, **body: object) -> None:
        body = {"reason_code": "customer_request", "note": action, **body}
        reply = gateway.request(
            "POST", f"/v1/staff/payments/{payment_id}/{action}", token=staff, json=body, headers=_key()
        )
        assert reply.status == 201, reply.body

    # When payments are made, refunded, voided, settled and reversed, an overpayment is held and partly refunded,
    # an adjustment and a write-off are made and a credit note is issued and applied
    act(pay(7_000), "refunds", amount=500)
    act(pay(1_000), "voids")
    settled = pay(2_000)
    change = StatusChange(status=PaymentStatus.SETTLED, at=datetime.now(UTC), by="system:settlement")
    assert DynamoSettlementStore(table).append_status(
        SettlementCandidate(settled, cid, 2_000, "USD"), change, expected=PaymentStatus.POSTED
    )
    act(settled, "reversals", reason_code="nsf")
    for invoice, kind, amount in ((world.invoices[1], "adjustment", 300), (world.invoices[2], "write_off", 200)):
        body = {
            "customer_id": cid,
            "invoice_id": invoice.invoice_id,
            "kind": kind,
            "amount": amount,
            "reason_code": "billing_error" if kind == "adjustment" else "uncollectible",
            "note": kind,
        }
        reply = gateway.request("POST", "/v1/staff/adjustments", token=staff, json=body, headers=_key())
        assert reply.status == 201, reply.body
    act(pay(20_000), "refunds", amount=3_000)
    applied = gateway.request(
        "POST", "/v1/portal/credit-applications", token=users.customer_token, json={}, headers=_key()
    )
    assert applied.status in (201, 422), applied.body

    # Then the months the writes kept are the months the whole history replays to
    assert {m: v for m, v in _months_held(table, cid, "USD").items() if v and m != "0000-00"} == _replayed_months(
        history, cid, today
    )
    # And every range, from any day of any month to today or to yesterday, reads the whole history's statement
    whole = _WholeHistory(table)
    for start in (old.issue_date, world.invoices[0].issue_date, today.replace(day=1), today - timedelta(days=1), today):
        for end in {today, max(start, today - timedelta(days=1))}:
            assert _statement(history, cid, start, end, today) == _statement(whole, cid, start, end, today), (
                start,
                end,
            )


def test_a_statement_of_this_month_reads_this_months_movements_not_the_history(local_env):
    # Given a customer with 200 paid invoices over last year and one this month, checkpointed
    cid = new_customer_id()
    account = b.account(cid)
    table = settings().ledger_table
    today = datetime.now(UTC).date()
    old = [
        b.invoice(cid, account.account_number, amount=1_000, paid=1_000, due=today - timedelta(days=60 + k))
        for k in range(200)
    ]
    fresh = b.invoice(cid, account.account_number, amount=700, due=today + timedelta(days=29))
    DynamoCustomerRecords(table).put_new([b.customer(cid), account, *old, fresh])
    history = DynamoStatementHistory(table)
    backfill(history, cid, "USD", today=today)
    # When a statement of the days since the first of the month is read
    start = today.replace(day=1)
    with dynamodb_reads() as reads:
        built = _statement(history, cid, start, today, today)
    # Then it reads the profile, the mark and one small item per month of history (the checkpoints), what moved
    # this month and the open items (profile, account, the open invoice), in five round trips, not the 200
    # invoices; and agrees with the whole history
    assert reads.round_trips == 5 and reads.items <= 1 + 1 + 8 + 1 + 3, reads
    assert built == _statement(_WholeHistory(table), cid, start, today, today)


def test_statement_days_are_the_agencys_days(local_env):
    # Given an agency in Chicago and a payment at 03:00 UTC on the 2nd: the evening of the 1st there
    cid = new_customer_id()
    account = b.account(cid)
    table = settings().ledger_table
    today = datetime.now(UTC).date()
    second = (today.replace(day=1) - timedelta(days=40)).replace(day=2)
    invoice = b.invoice(cid, account.account_number, amount=5_000, paid=5_000, due=second - timedelta(days=20))
    payment = b.payment(cid, amount=5_000, at=datetime(second.year, second.month, 2, 3, tzinfo=UTC))
    DynamoCustomerRecords(table).put_new([b.customer(cid), account, invoice, payment])
    chicago = DynamoStatementHistory(table, time=AgencyTime("America/Chicago"))
    backfill(chicago, cid, "USD", today=today)
    first = second.replace(day=1)
    for history in (chicago, _WholeHistory(table, time=AgencyTime("America/Chicago"))):
        # When statements of the 1st and of the 2nd on are read
        on_first = statements.statement(
            statements.StatementQuery(cid, first, first),
            history=history,
            customers=DynamoCustomerRecords(table),
            currency="USD",
            today=today,
        )
        from_second = statements.statement(
            statements.StatementQuery(cid, second, today),
            history=history,
            customers=DynamoCustomerRecords(table),
            currency="USD",
            today=today,
        )
        # Then the payment is a line of the 1st, and the statement from the 2nd opens after it
        assert [(e.kind.value, e.on) for e in on_first.entries] == [("payment", first)]
        assert from_second.opening == 0 and from_second.line_count == 0


def test_a_range_over_five_years_is_refused_naming_the_maximum(gateway, make_users):
    users = make_users()
    today = datetime.now(UTC).date()
    reply = gateway.request(
        "GET", f"/v1/portal/statements?from={today - timedelta(days=6 * 365)}&to={today}", token=users.customer_token
    )
    assert reply.status == 422, reply.body
    assert "five years" in reply.body["error"]["message"] and "1,831 days" in reply.body["error"]["message"]
