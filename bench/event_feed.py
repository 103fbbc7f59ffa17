"""The event feed (issue 12, "Budgets": a page of 100 in at most 2 DynamoDB round trips), measured on the local
runtime against moto.

1,000 events are made the way the product makes them: a customer, 9 accounts and 990 invoices loaded through
the batch service (``arportal.wiring.integrations.load_batch``), so each ``invoice.loaded`` event has the detail
size of a real one. Then the feed is read from before the first of them to the end, 100 a page, through the local
gateway with the demo connected system's token (``GET /v1/integrations/events``), on a product clock moved past the
settle window. Every DynamoDB request a page makes is counted with a botocore event hook
(``tests/integration/roundtrips.py``). The wall time is moto's, in one process: in AWS a page is one Query of
about 100 KB (tens of milliseconds) plus the Lambda's own time.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

EVENTS = 1_000
ACCOUNTS = 9
INVOICES = EVENTS - ACCOUNTS - 1  # and one customer
PAGE = 100
BUDGET_PER_PAGE = 2


def _load(actor: str) -> int:
    from arportal.domain.source_records import SourceKind
    from arportal.wiring import integrations
    from tests import source_records_support as s

    cid = s.customer_id()
    accounts = [s.account_number() for _ in range(ACCOUNTS)]
    batches = [
        (SourceKind.CUSTOMER, [s.customer(cid)]),
        (SourceKind.ACCOUNT, [s.account(cid, a) for a in accounts]),
    ]
    invoices = [s.invoice(cid, accounts[i % ACCOUNTS], amounts=(1_000 + i, 250)) for i in range(INVOICES)]
    batches += [(SourceKind.INVOICE, invoices[start : start + 500]) for start in range(0, INVOICES, 500)]
    events = 0
    for kind, records in batches:
        result = integrations.load_batch(kind, list(records), actor=actor, dry_run=False, request_id=None)
        assert result.summary["created"] == len(records), result.summary
        events += len(records)
    return events


def _read(gateway: Any, token: str, since: str) -> dict[str, Any]:
    from tests.integration.roundtrips import dynamodb_round_trips

    query: dict[str, object] = {"since": since, "limit": PAGE}
    trips_per_page: list[int] = []
    calls: Counter[str] = Counter()
    page_ms: list[float] = []
    sizes: list[int] = []
    served = 0
    started = time.perf_counter()
    while True:
        with dynamodb_round_trips() as trips:
            began = time.perf_counter()
            reply = gateway.request("GET", f"/v1/integrations/events?{urlencode(query)}", token=token)
            page_ms.append((time.perf_counter() - began) * 1000)
        assert reply.status == 200, reply.body
        trips_per_page.append(len(trips))
        calls.update(call.rsplit(".", 1)[-1] for call in trips.calls)
        events = reply.body["events"]
        served += len(events)
        sizes += [len(json.dumps(e["detail"])) for e in events]
        if not events:
            break
        query = {"after": reply.body["next_cursor"], "limit": PAGE}
    return {
        "events_read": served,
        "pages": len(trips_per_page) - 1,  # the last, empty, page is the poll that finds nothing new
        "round_trips_per_page_max": max(trips_per_page),
        "round_trips_per_page_mean": round(statistics.mean(trips_per_page), 2),
        "dynamodb_calls": dict(sorted(calls.items())),
        "wall_ms_all_pages": round((time.perf_counter() - started) * 1000),
        "page_ms_median": round(statistics.median(page_ms), 1),
        "event_detail_bytes_mean": round(statistics.mean(sizes)) if sizes else 0,
    }


def run() -> dict[str, object]:
    from arportal import clock
    from arportal.domain.event_feed import SETTLE_WINDOW
    from local.environment import LocalEnvironment
    from local.gateway import Gateway
    from tests.integration.conftest import GatewayClient
    from tests.integration.integration_support import machine_token

    with LocalEnvironment(max_wait_seconds=0) as env:
        since = clock.now()
        load_started = time.perf_counter()
        written = _load("system:bench")
        load_s = time.perf_counter() - load_started
        token = machine_token(env)
        with clock.using(clock.FrozenClock(clock.now() + SETTLE_WINDOW + timedelta(seconds=1))):
            measured = _read(GatewayClient(Gateway(env)), token, since.isoformat())
    assert measured["events_read"] == written, measured
    assert measured["round_trips_per_page_max"] <= BUDGET_PER_PAGE, measured
    return {
        "events": written,
        "page_size": PAGE,
        "budget_round_trips_per_page": BUDGET_PER_PAGE,
        **measured,
        "load_s": round(load_s, 1),
        "notes": (
            "each page is one key-condition Query of the EVENTS partition of ByActivityDay (ALL projection: the "
            "entry is the event); a second Query happens only when a page of large events passes DynamoDB's 1 MB "
            "answer limit; the last page (empty) is what a poller gets when nothing new has settled"
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
