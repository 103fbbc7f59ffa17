"""Read budgets of statements and reports (issue 18), counted with botocore hooks through the gateway: a statement's
cost follows its range, not the customer's history, and a report's its days, not the payments behind them. The
figures for 10, 1,000 and 100,000 invoices are in bench/results/read_costs.json (``python -m bench read_costs``)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from arportal.config import settings
from tests.clock import SESSION_TODAY
from tests.integration.conftest import new_customer_id
from tests.integration.read_budget_support import build_customer
from tests.integration.read_counts import dynamodb_reads

MONTHS_OF_HISTORY = 38  # three years of checkpoints, one small item each, read in the opening's one Query
STATEMENT_ROUND_TRIPS = 6  # profile, checkpoints, movements since the range's month, adjustments, open items, pairs


@pytest.fixture(scope="module")
def customers(local_env: Any) -> dict[int, Any]:
    table = settings().ledger_table
    return {size: build_customer(table, new_customer_id(), size, today=SESSION_TODAY) for size in (10, 1_000)}


def _statement(gateway: Any, local_env: Any, built: Any, days: int) -> tuple[dict[str, int], dict[str, Any]]:
    email = f"reads-{uuid.uuid4().hex[:12]}@example.org"
    user = local_env.create_user(email, customer_id=built.customer_id)
    token = local_env.login(user.username).id_token
    span = f"from={SESSION_TODAY - timedelta(days=days - 1)}&to={SESSION_TODAY}"
    with dynamodb_reads() as reads:
        reply = gateway.request("GET", f"/v1/portal/statements?{span}", token=token)
    assert reply.status == 200, reply.body
    return reads.figures(), reply.body


@pytest.mark.parametrize("days", [31, 365])
def test_a_statement_reads_its_range_not_the_history(gateway, local_env, customers, days):
    small, small_body = _statement(gateway, local_env, customers[10], days)
    big, big_body = _statement(gateway, local_env, customers[1_000], days)
    # The same round trips whatever the history
    assert small["round_trips"] == big["round_trips"] <= STATEMENT_ROUND_TRIPS, (small, big)
    # Items: what moved in the range's month on (each line is one item, each payment's allocations one each),
    # the months before it and what is open now; never the 2,250 items of the whole history
    for figures, body in ((small, small_body), (big, big_body)):
        lines = body["line_count"]
        assert figures["items_read"] <= 2 * lines + 4 * 31 + MONTHS_OF_HISTORY + 20, (figures, lines)
    assert big["items_read"] < (2_250 if days == 365 else 250)


def test_a_longer_range_reads_more_only_as_it_holds_more(gateway, local_env, customers):
    month, _ = _statement(gateway, local_env, customers[1_000], 31)
    year, _ = _statement(gateway, local_env, customers[1_000], 365)
    assert month["round_trips"] == year["round_trips"]
    assert month["items_read"] < year["items_read"]


def _staff_token(local_env: Any) -> str:
    email = f"reads-finance-{uuid.uuid4().hex[:12]}@example.org"
    local_env.create_user(email, groups=("finance",))
    return str(local_env.login(email).id_token)


@pytest.mark.parametrize(
    ("report", "days", "round_trips"),
    [("collections", 92, 1), ("collections", 365, 1), ("metrics", 92, 4), ("metrics", 365, 10)],
)
def test_reports_read_one_item_a_day_in_a_query(gateway, local_env, report, days, round_trips):
    token = _staff_token(local_env)
    span = f"from={SESSION_TODAY - timedelta(days=days - 1)}&to={SESSION_TODAY}"
    with dynamodb_reads() as reads:
        reply = gateway.request("GET", f"/v1/staff/reports/{report}?{span}", token=token)
    assert reply.status == 200, reply.body
    # the daily totals of the range (at most one item a day, whatever the payments), plus the metrics' journals
    assert reads.round_trips <= round_trips, reads.calls
    assert reads.items <= days + (3 * days if report == "metrics" else 0), reads
