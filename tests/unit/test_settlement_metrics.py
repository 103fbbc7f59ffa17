"""Settlement's own metrics: ``MissingPayouts`` counts the ``missing_from_processor`` items a run opens (and nothing
else), beside ``ReconciliationItemsOpened`` which counts every item; both in the embedded metric format, with no
dimension, so the stack's alarms on the bare metrics see them (tests/infrastructure/test_settlement_infrastructure)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest

from arportal.adapters.settlement_metrics import PowertoolsSettlementMetrics
from arportal.domain.banking_days import add_banking_days, is_banking_day
from arportal.domain.settlement_chunks import manifest_key, run_name
from arportal.services.payout_settlement import finish_settlement
from tests import builders
from tests.clock import SESSION_TODAY


class Counted:
    def __init__(self) -> None:
        self.opened: list[int] = []
        self.missing: list[int] = []

    def reconciliation_items_opened(self, count: int) -> None:
        self.opened.append(count)

    def missing_payouts(self, count: int) -> None:
        self.missing.append(count)


class Ledger:
    """The reads and writes ``finish_settlement`` makes, in memory; an item opens once by its id."""

    def __init__(self, payments_by_day: dict[date, list[object]]) -> None:
        self.payments_by_day = payments_by_day
        self.items: dict[str, object] = {}

    def chunk_markers(self, run: str) -> list[dict[str, list[int]]]:
        return []

    def record_payout(self, payout: object) -> bool:
        return True

    def unsettled_payments(self, day: date) -> list[object]:
        return self.payments_by_day.get(day, [])

    def open_item(self, item: object) -> bool:
        if item.item_id in self.items:  # type: ignore[attr-defined]
            return False
        self.items[item.item_id] = item  # type: ignore[attr-defined]
        return True

    def move_cursor(self, through: date, *, at: datetime) -> None:
        pass


class Files:
    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects

    def get(self, key: str) -> bytes:
        return self.objects[key]


def _banking_day(start: date) -> date:
    while not is_banking_day(start):
        start += timedelta(days=1)
    return start


def test_missing_payouts_counts_the_missing_from_processor_items_a_run_opens_once():
    today = _banking_day(SESSION_TODAY + timedelta(days=40))
    since = add_banking_days(today, -1)
    paid_day = add_banking_days(today, -3)  # card: T+2, and a grace day: its deadline is today
    recent_day = add_banking_days(today, -1)  # deadline still ahead
    late = [builders.payment("CUS-0001", at=datetime.combine(paid_day, time(15), UTC)) for _ in range(2)]
    fresh = builders.payment("CUS-0001", at=datetime.combine(recent_day, time(15), UTC))
    ledger = Ledger({paid_day: late, recent_day: [fresh]})
    run = run_name(since, today)
    manifest = {"run": run, "since": since.isoformat(), "until": today.isoformat(), "first_run": False, "payouts": []}
    files = Files({manifest_key(run): json.dumps(manifest).encode()})
    metrics = Counted()
    now = datetime.combine(today, time(11), UTC)

    report = finish_settlement(run, today=today, store=ledger, files=files, metrics=metrics, now=now)  # type: ignore[arg-type]

    assert report["missing_opened"] == 2
    assert metrics.missing == [2] and metrics.opened == [2]
    assert {i.payment_id for i in ledger.items.values()} == {p.payment_id for p in late}  # type: ignore[attr-defined]

    finish_settlement(run, today=today, store=ledger, files=files, metrics=metrics, now=now)  # type: ignore[arg-type]
    assert metrics.missing == [2, 0]  # a rerun opens nothing, so counts nothing


def test_missing_payouts_is_its_own_metric_without_a_dimension(capsys: pytest.CaptureFixture[str]):
    PowertoolsSettlementMetrics().missing_payouts(0)  # nothing missing: nothing written
    PowertoolsSettlementMetrics().missing_payouts(4)
    PowertoolsSettlementMetrics().reconciliation_items_opened(5)
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if "CloudWatchMetrics" in x]
    assert len(lines) == 2
    written = {}
    for line in lines:
        (directive,) = line["_aws"]["CloudWatchMetrics"]
        (metric,) = directive["Metrics"]
        assert directive["Namespace"] == "ArPortal" and directive["Dimensions"] in ([[]], [])
        assert metric["Unit"] == "Count"
        written[metric["Name"]] = line[metric["Name"]]
    assert written == {"MissingPayouts": [4.0], "ReconciliationItemsOpened": [5.0]}
