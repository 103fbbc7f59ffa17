"""A year of reports from the daily totals (issue 14: "reports over a year read about 365 items, not every
payment"), measured on the local runtime against moto.

A year of payments (``PER_DAY`` a day, in every state the reports count) is loaded into the ledger the way the
seed loads history (bulk, no events) and each folded into the daily totals as its event would fold it
(``services/daily_totals.fold_payment``; the rebuild's walk of the activity index is left out: moto answers each
index Query by scanning the whole table). Then
the year's collections report and metrics are read through the local gateway with a finance login, and the same
collections from the per-payment reader (``services/reports.collections``, one Query per day of every payment)
for comparison, on a 92-day stretch (what it allowed) scaled to the year. Every DynamoDB request is counted with a
botocore event hook. The wall time is moto's, in one process.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from typing import Any

DAYS = 365
PER_DAY = 4


def _items_read(trips_fn: Any) -> dict[str, Any]:
    from tests.integration.roundtrips import dynamodb_round_trips

    with dynamodb_round_trips() as trips:
        began = time.perf_counter()
        answer = trips_fn()
        took_ms = (time.perf_counter() - began) * 1000
    return {"answer": answer, "round_trips": len(trips), "ms": round(took_ms, 1)}


def run() -> dict[str, object]:
    from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
    from arportal.adapters.dynamodb.reports import DynamoActivity
    from arportal.config import settings
    from arportal.domain.status import PaymentStatus
    from arportal.services import reports
    from arportal.services.daily_totals import fold_payment
    from arportal.wiring.daily_totals import daily_totals as daily_totals_store
    from local.environment import LocalEnvironment
    from local.gateway import Gateway
    from tests import builders as b
    from tests.clock import SESSION_TODAY
    from tests.integration.conftest import GatewayClient, new_customer_id

    statuses = [PaymentStatus.POSTED, PaymentStatus.SETTLED, PaymentStatus.FAILED, PaymentStatus.POSTED]
    start = SESSION_TODAY - timedelta(days=DAYS)
    end = start + timedelta(days=DAYS - 1)
    with LocalEnvironment(max_wait_seconds=0) as env:
        cid = new_customer_id()
        payments = [
            b.payment(cid, amount=1_000 + i, status=statuses[k % len(statuses)],
                      at=datetime.combine(start + timedelta(days=i), day_time(9 + k % 8), tzinfo=UTC))
            for i in range(DAYS)
            for k in range(PER_DAY)
        ]  # fmt: skip
        DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), *payments])
        began = time.perf_counter()
        store = daily_totals_store()
        moved = sum(fold_payment(store, cid, p.payment_id) for p in payments)
        rebuild_s = time.perf_counter() - began
        env.create_user("bench-finance@example.org", groups=("finance",))
        token = env.login("bench-finance@example.org").id_token
        gateway = GatewayClient(Gateway(env))
        span = f"from={start}&to={end}"
        collections = _items_read(lambda: gateway.request("GET", f"/v1/staff/reports/collections?{span}", token=token))
        metrics = _items_read(lambda: gateway.request("GET", f"/v1/staff/reports/metrics?{span}", token=token))
        quarter_end = start + timedelta(days=91)
        per_payment = _items_read(
            lambda: reports.collections(
                DynamoActivity(settings().ledger_table), start=start, end=quarter_end, currency="USD"
            )
        )
    assert collections["answer"].status == 200 and metrics["answer"].status == 200
    assert collections["answer"].body["total"]["count"] == DAYS * 3  # posted, settled: collected; failed not
    assert metrics["answer"].body["days_read"] == DAYS
    return {
        "days": DAYS,
        "payments": len(payments),
        "folded": moved,
        "fold_s": round(rebuild_s, 1),
        "year_collections": {"round_trips": collections["round_trips"], "ms": collections["ms"], "items_read": DAYS},
        "year_metrics": {"round_trips": metrics["round_trips"], "ms": metrics["ms"], "items_read": DAYS},
        "per_payment_reader_92_days": {
            "round_trips": per_payment["round_trips"],
            "ms": per_payment["ms"],
            "payments_read": per_payment["answer"].total.count,
            "year_would_be_round_trips": round(per_payment["round_trips"] * DAYS / 92),
        },
        "notes": (
            "the daily totals are one item per currency and day (TOTALS#<currency>, DAY#<date>): a year is one "
            "Query of 365 small items (a page holds them all up to DynamoDB's 1 MB answer), whatever the number of "
            "payments; the per-payment reader needed one Query per day reading every payment and allocation"
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, default=str))
