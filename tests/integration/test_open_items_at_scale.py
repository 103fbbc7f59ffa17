"""No silent truncation (issue 18): a customer with 15,000 open invoices, more than the four 1 MB pages the live-item
reads used to stop at (about 12,000 items), gets every one of them counted: the portal's dashboard and accounts and
the staff side's open items read to the end."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.staff_queries import DynamoStaffQueries
from arportal.config import settings
from tests import builders as b
from tests.integration.conftest import new_customer_id

# One worker builds the 15,000 invoices once: apart, each xdist worker would build them for its share of the tests.
pytestmark = pytest.mark.xdist_group("open-items-at-scale")

OPEN = 15_000
AMOUNT = 1_00
OVERDUE_EVERY = 3  # one invoice in three is past due


@pytest.fixture(scope="module")
def crowded(local_env):
    cid = new_customer_id()
    account = b.account(cid)
    today = datetime.now(UTC).date()  # the routes compute overdue against the real today
    invoices = [
        b.invoice(
            cid,
            account.account_number,
            amount=AMOUNT,
            due=today + timedelta(days=-5 if n % OVERDUE_EVERY == 0 else 10 + n % 300),
        )
        for n in range(OPEN)
    ]
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), account, *invoices])  # batch writes
    user = local_env.create_user(f"crowded-{uuid.uuid4().hex[:10]}@example.com", customer_id=cid)
    return cid, account.account_number, local_env.login(user.username).id_token


def test_the_dashboard_owes_every_open_invoice(gateway, crowded):
    _, _, token = crowded
    reply = gateway.request("GET", "/v1/portal/dashboard", token=token)
    assert reply.status == 200, reply.body
    overdue = len(range(0, OPEN, OVERDUE_EVERY)) * AMOUNT
    assert reply.body["owing"]["amount"] == OPEN * AMOUNT
    assert reply.body["overdue"]["amount"] == overdue


def test_the_account_balance_counts_every_open_invoice(gateway, crowded):
    _, account_number, token = crowded
    reply = gateway.request("GET", "/v1/portal/accounts", token=token)
    assert reply.status == 200, reply.body
    (row,) = [a for a in reply.body["accounts"] if a["account_number"] == account_number]
    assert row["open_invoices"] == OPEN and row["balance"]["amount"] == OPEN * AMOUNT


def test_the_staff_side_reads_every_open_invoice(crowded):
    cid, _, _ = crowded
    found = DynamoStaffQueries(settings().ledger_table).open_items(cid).open_invoices
    assert len(found) == OPEN and sum(i.balance for i in found) == OPEN * AMOUNT


def test_the_unpaid_list_pages_through_all_of_them(gateway, crowded):
    _, _, token = crowded
    seen, cursor, pages = 0, "", 0
    while True:
        path = f"/v1/portal/invoices?limit=100&status=overdue{cursor}"
        reply = gateway.request("GET", path, token=token)
        assert reply.status == 200, reply.body
        seen, pages = seen + len(reply.body["invoices"]), pages + 1
        if not reply.body["next_cursor"]:
            break
        cursor = f"&cursor={reply.body['next_cursor']}"
    assert seen == len(range(0, OPEN, OVERDUE_EVERY)) and pages == -(-seen // 100)
