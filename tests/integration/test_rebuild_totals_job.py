"""The ``rebuild_totals`` job (functions/scheduled_jobs), the backfill an upgraded stack runs once
(docs/deploy.md, "Upgrading"): payments that were written before the daily totals existed, with no event to fold,
are folded from the ledger into their days' totals, and a second run moves nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.daily_totals import DynamoDailyTotals
from arportal.config import settings
from local import invoke
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.quiet_days import quiet_day

HANDLER = "scheduled_jobs.handler.lambda_handler"


def _job(local_env, event: dict[str, str]) -> dict[str, object]:
    answer: dict[str, object] = invoke.invoke("scheduled_jobs", HANDLER, local_env.function_env, event)
    return answer


def test_the_backfill_folds_payments_written_without_events_once(local_env):
    start = quiet_day(days=3)
    end = start + timedelta(days=2)
    cid = new_customer_id()
    amounts = {start: [1_000, 2_500], start + timedelta(days=1): [700], end: [4_200, 100, 300]}
    payments = [
        b.payment(cid, amount=amount, at=datetime.combine(day, time(15), UTC))
        for day, day_amounts in amounts.items()
        for amount in day_amounts
    ]
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), *payments])  # no outbox events
    store = DynamoDailyTotals(settings().ledger_table)
    assert store.days("USD", start, end) == []  # nothing folded them yet

    first = _job(local_env, {"job": "rebuild_totals", "from": start.isoformat(), "to": end.isoformat()})

    assert first == {"job": "rebuild_totals", "from": start.isoformat(), "to": end.isoformat(), "moved": 6}
    folded = {d.day: (d.counters["col.n"], d.counters["col.amt"]) for d in store.days("USD", start, end)}
    assert folded == {day: (len(a), sum(a)) for day, a in amounts.items()}
    again = _job(local_env, {"job": "rebuild_totals", "from": start.isoformat(), "to": end.isoformat()})
    assert again["moved"] == 0
    assert {d.day: (d.counters["col.n"], d.counters["col.amt"]) for d in store.days("USD", start, end)} == folded


@pytest.mark.parametrize(
    "event", [{"job": "rebuild_totals", "from": "2026-01-05"}, {"job": "rebuild_totals", "to": "2026-01-05"}]
)
def test_the_backfill_needs_both_ends_of_its_range(local_env, event):
    with pytest.raises(ValidationError):
        _job(local_env, event)
