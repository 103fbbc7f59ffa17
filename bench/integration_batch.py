"""A 500-record invoice batch (issue 12, "Budgets": one request, at most 2 DynamoDB write round trips per 25
records), measured on the local runtime against moto.

Three runs of the same 500 invoices (20 accounts of one customer), each through the service the route calls
(``arportal.wiring.integrations.load_batch``): the first creates them, the second is the same batch again (all
unchanged: reads only), the third raises every amount under a newer version (all updated). Every DynamoDB request
is counted with a botocore event hook (``tests/integration/roundtrips.py``), so the round trips are counted, not
timed; the wall time is moto's, in one process, and says little about DynamoDB's own latency (a transaction of
100 actions takes tens of milliseconds there).
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from typing import Any

RECORDS = 500
ACCOUNTS = 20
BUDGET_PER_25 = 2


def _run(records: list[dict[str, Any]]) -> dict[str, Any]:
    from arportal.domain.source_records import SourceKind
    from arportal.wiring import integrations
    from tests.integration.roundtrips import dynamodb_round_trips

    with dynamodb_round_trips() as trips:
        started = time.perf_counter()
        batch = integrations.load_batch(
            SourceKind.INVOICE, list(records), actor="system:bench", dry_run=False, request_id=None
        )
        took = time.perf_counter() - started
    calls = Counter(call.rsplit(".", 1)[-1] for call in trips.calls)
    writes = calls.get("TransactWriteItems", 0)
    return {
        "summary": batch.summary,
        "write_round_trips": writes,
        "write_round_trips_per_25_records": round(writes / (len(records) / 25), 2),
        "read_round_trips": calls.get("BatchGetItem", 0),
        "dynamodb_calls": dict(sorted(calls.items())),
        "wall_ms": round(took * 1000),
    }


def run() -> dict[str, object]:
    from arportal.domain.source_records import SourceKind
    from arportal.wiring import integrations
    from local.environment import LocalEnvironment
    from tests import source_records_support as s

    with LocalEnvironment(max_wait_seconds=0) as _env:
        cid = s.customer_id()
        accounts = [s.account_number() for _ in range(ACCOUNTS)]
        setup = integrations.load_batch(
            SourceKind.CUSTOMER, [s.customer(cid)], actor="system:bench", dry_run=False, request_id=None
        )
        assert setup.summary["created"] == 1, setup
        opened = integrations.load_batch(
            SourceKind.ACCOUNT,
            [s.account(cid, a) for a in accounts],
            actor="system:bench",
            dry_run=False,
            request_id=None,
        )
        assert opened.summary["created"] == ACCOUNTS, opened
        records = [s.invoice(cid, accounts[i % ACCOUNTS], amounts=(1_000 + i, 250)) for i in range(RECORDS)]
        first = _run(records)
        again = _run(records)
        raised = [
            {
                **r,
                "source_version": 2,
                "amount": r["amount"] + 100,
                "lines": s.lines(r["lines"][0]["amount"] + 100, 250),
            }
            for r in records
        ]
        updated = _run(raised)
    budget = BUDGET_PER_25 * math.ceil(RECORDS / 25)
    for name, measured in (("created", first), ("updated", updated)):
        assert measured["summary"][name] == RECORDS, measured
        assert measured["write_round_trips"] <= budget, measured
    assert again["summary"]["unchanged"] == RECORDS and again["write_round_trips"] == 0, again
    return {
        "records": RECORDS,
        "budget_write_round_trips": budget,
        "created": first,
        "same_batch_again": again,
        "updated": updated,
        "notes": (
            "a transaction holds at most 100 actions and an invoice takes 5 (its state, the invoice, its outbox "
            "event, its audit record and the chain head), so 20 invoices a transaction: 25 for 500 records, "
            "1.25 per 25; reads are strongly consistent BatchGetItem calls of 100 keys (state, invoice, audit head "
            "per record, and the accounts named)"
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
