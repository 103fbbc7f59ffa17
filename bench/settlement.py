"""A day of card payments settled from the sandbox's payouts on the local runtime (issue 14: at least 20,000
payments; report the wall time and memory, and show the arithmetic for 100,000 a day on AWS).

What runs: ``N`` card charges made through the deployment's sandbox processor on one banking day (so its payouts
carry them, T+2, fees netted), the matching posted payments with their ``TXN#`` pointers loaded straight into
moto's ledger table (as the seed loads data: paying through the API would measure the payment path, which
``bench/payment_cost.py`` does), then ``POST /local/jobs/settlement``'s work: moto's Step Functions executes
``statemachines/settlement.asl.json`` for real (ListPayouts, the Distributed Map over the chunk objects, Finish),
every task in the in-process ``workflow_tasks`` handler. Then it runs again and must change nothing.

``BENCH_SETTLEMENT_PAYMENTS`` shrinks the run (default 20,000). Locally every DynamoDB request is serialized (moto
is not thread-safe), and a query of an index walks moto's whole table, so the local time is moto's; the projection
puts DynamoDB's latencies and the map's concurrency back.
"""

from __future__ import annotations

import math
import os
import resource
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

PAYMENTS = 20_000
CUSTOMER = "CUS-BENCHSETTLE"  # one customer's partition: the payments need an owner, not a real customer
AMOUNT = 4_000
# --- AWS figures the projection assumes ---------------------------------------------------------------------------
MAX_CONCURRENCY = 40  # the MatchChunks state's MaxConcurrency
LAMBDA_TIMEOUT_S = 300  # catalog.function("workflow_tasks").timeout
LISTING_MARGIN_S = 60  # services/payout_listing.MARGIN_S: the listing stops this long before its timeout
BATCH_GET_MS = 15  # a strongly consistent BatchGetItem of 100 small items, in-region
GET_MS = 5  # a strongly consistent GetItem
TRANSACT_WRITE_MS = 25  # a TransactWriteItems of 4-5 actions over two tables
PUT_MS = 6
S3_REQUEST_MS = 30
CHILD_EXECUTION_OVERHEAD_S = 0.5
TABLE_WRITE_UNITS_PER_S = 4_000  # a new on-demand table's initial write throughput
PROCESSOR_PAGE_LINES = 100  # Stripe lists a payout's balance transactions 100 to a page
PROCESSOR_PAGE_MS = 300  # one page, over the internet


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _banking_day(start: date) -> date:
    from arportal.domain.banking_days import add_banking_days, is_banking_day

    day = start
    while not is_banking_day(day) or not all(is_banking_day(add_banking_days(day, k)) for k in range(1, 4)):
        day += timedelta(days=1)
    return day


def _load_payments(env: Any, day: date, count: int) -> list[str]:
    """``count`` sandbox charges of ``day``, and their posted payments (with pointers) loaded into the ledger."""
    from arportal import clock
    from arportal.adapters import processors
    from arportal.adapters.dynamodb import entity_items, payment_items
    from arportal.config import settings
    from arportal.domain.models import Channel, MethodDetail, Payment, PaymentMethodType, PaymentStatus, StatusChange
    from arportal.ports import ChargeRequest
    from local import moto_patches

    sandbox = processors.sandbox_for(settings())
    at = datetime.combine(day, clock_time(14), UTC)
    items: list[dict[str, Any]] = []
    ids: list[str] = []
    with clock.using(clock.FrozenClock(at)):
        for i in range(count):
            charged = sandbox.charge(ChargeRequest(f"bench-{uuid.uuid4().hex}", AMOUNT, "USD", "tok_visa", "Permit"))
            assert charged.transaction_id
            payment = Payment(
                payment_id=f"pay_BENCH{i:09d}{uuid.uuid4().hex[:12].upper()}",
                customer_id=CUSTOMER, amount=AMOUNT, currency="USD",
                method=MethodDetail(type=PaymentMethodType.CARD, brand="visa", last4="4242"),
                channel=Channel.PORTAL, status=PaymentStatus.POSTED,
                history=[StatusChange(status=PaymentStatus.POSTED, at=at, by="processor")],
                processor="sandbox", transaction_id=charged.transaction_id, created_at=at,
            )  # fmt: skip
            pointer, ref = payment_items.transaction_pointer(payment), payment_items.transaction_ref(payment)
            assert pointer is not None and ref is not None
            items += [entity_items.to_item(payment), pointer, ref]  # what posting writes
            ids.append(payment.payment_id)
    moto_patches.import_items(env.resources.ledger_table, items, account=env.resources.account_id, region="us-east-1")
    return ids


def _run_job(env: Any, today: date) -> tuple[dict[str, Any], float, int]:
    from arportal import clock
    from local.scheduler import Scheduler
    from tests.integration.roundtrips import dynamodb_round_trips

    scheduler = Scheduler(env)
    started = time.perf_counter()
    with clock.using(clock.FrozenClock(datetime.combine(today, clock_time(12), UTC))), dynamodb_round_trips() as calls:
        outcome = scheduler.run("settlement")
    assert outcome.ok, outcome.error
    return outcome.result, time.perf_counter() - started, len(calls)


def run(payments: int | None = None) -> dict[str, object]:
    """``payments`` (default ``BENCH_SETTLEMENT_PAYMENTS`` or 20,000)."""
    payments = payments or int(os.environ.get("BENCH_SETTLEMENT_PAYMENTS") or PAYMENTS)
    from arportal.adapters.aws import client
    from arportal.adapters.dynamodb import codec, payout_items
    from arportal.domain.banking_days import add_banking_days
    from local.environment import LocalEnvironment

    rss_start = _peak_rss_mb()
    with LocalEnvironment(max_wait_seconds=0) as env:
        day = _banking_day(date(2041, 3, 4))
        load_started = time.perf_counter()
        ids = _load_payments(env, day, payments)
        load_s = time.perf_counter() - load_started
        client("dynamodb").delete_item(
            TableName=env.resources.ledger_table, Key=codec.serialize(payout_items.CURSOR_KEY)
        )
        run_day = add_banking_days(day, 3)
        rss_before = _peak_rss_mb()
        first, wall, calls = _run_job(env, run_day)
        report = first["report"]
        assert report["matched"] >= payments, report
        client("dynamodb").delete_item(
            TableName=env.resources.ledger_table, Key=codec.serialize(payout_items.CURSOR_KEY)
        )
        second, wall_again, calls_again = _run_job(env, run_day)
        assert second["report"]["payouts_recorded"] == 0, second
        sample = codec.deserialize(
            client("dynamodb").get_item(
                TableName=env.resources.ledger_table,
                Key=codec.serialize({"PK": f"CUST#{CUSTOMER}", "SK": f"PAY#{ids[-1]}"}),
            )["Item"]
        )
        assert sample["status"] == "settled", sample
    per_payment = calls / payments
    return {
        "payments": payments,
        "chunks": math.ceil(report["matched"] / 500),
        "report": report,
        "local": {
            "load_s": round(load_s, 1),
            "settlement_wall_s": round(wall, 1),
            "payments_per_s": round(payments / wall, 1),
            "dynamodb_calls": calls,
            "dynamodb_calls_per_payment": round(per_payment, 2),
            "rerun_wall_s": round(wall_again, 1),
            "rerun_dynamodb_calls": calls_again,
            "peak_rss_mb": _peak_rss_mb(),
            "rss_before_settlement_mb": rss_before,
            "rss_at_start_mb": rss_start,
        },
        "aws_projection_100k": _projection(100_000),
        "notes": (
            "Local time is moto's: DynamoDB requests are serialized in one process and an index query walks moto's "
            "whole table; the Distributed Map's children run one at a time. Peak RSS includes moto's copy of every "
            "item and object. Calls per payment: the chunk's TXNREF items and payments read 100 at a time "
            "(BatchGetItem), then per settled payment an audit-head read and one TransactWriteItems (payment, "
            "line, outbox, audit record and head), plus each chunk's marker and the finish's reads."
        ),
    }


def _projection(payments: int) -> dict[str, object]:
    """Time on AWS = ListPayouts + MatchChunks + Finish, MatchChunks bounded by the map's concurrency or by the
    ledger table's write throughput, whichever is slower."""
    from arportal.services.payout_settlement import CHUNK_LINES

    chunks = math.ceil(payments / CHUNK_LINES)
    per_payment_ms = BATCH_GET_MS * 2 / 100 + GET_MS + TRANSACT_WRITE_MS
    chunk_s = CHUNK_LINES * per_payment_ms / 1000 + S3_REQUEST_MS / 1000 + CHILD_EXECUTION_OVERHEAD_S
    waves = math.ceil(chunks / MAX_CONCURRENCY)
    by_concurrency_s = waves * chunk_s
    # a settled payment writes the payment (~2 KB: 2 units), line, outbox, audit record, head: ~6 units, x2 in a
    # transaction
    write_units = payments * 6 * 2
    by_throughput_s = write_units / TABLE_WRITE_UNITS_PER_S
    pages = math.ceil(payments / PROCESSOR_PAGE_LINES)
    list_s = pages * PROCESSOR_PAGE_MS / 1000 + chunks * S3_REQUEST_MS / 1000 + 2  # the processor's pages, the puts
    match_s = max(by_concurrency_s, by_throughput_s)
    return {
        "chunks": chunks,
        "chunk_lines": CHUNK_LINES,
        "max_concurrency": MAX_CONCURRENCY,
        "per_payment_ms": per_payment_ms,
        "one_chunk_s": round(chunk_s, 1),
        "chunk_within_lambda_timeout": chunk_s < LAMBDA_TIMEOUT_S,
        "waves": waves,
        "match_by_concurrency_s": round(by_concurrency_s),
        "match_by_write_throughput_s": round(by_throughput_s),
        "processor_pages": pages,
        "list_payouts_s": round(list_s),
        # The listing task stops LISTING_MARGIN_S before its timeout and the machine loops it from where it stopped
        # (services/payout_listing.py), so a long listing takes several invocations instead of failing.
        "list_payouts_invocations": math.ceil(list_s / (LAMBDA_TIMEOUT_S - LISTING_MARGIN_S)),
        "total_s": round(list_s + match_s + 5),
        "state_payload_bytes": "constant (a prefix and counts), whatever the payments",
        "arithmetic": (
            f"{payments:,} payments / {CHUNK_LINES} lines = {chunks} chunks; each chunk {CHUNK_LINES} x "
            f"{per_payment_ms:.1f} ms + S3 + child start = {chunk_s:.1f} s; {chunks} chunks / {MAX_CONCURRENCY} at a "
            f"time = {waves} waves = {by_concurrency_s:.0f} s; write units {write_units:,} / "
            f"{TABLE_WRITE_UNITS_PER_S:,} per s = {by_throughput_s:.0f} s; the slower one bounds the map; listing: "
            f"{pages} processor pages x {PROCESSOR_PAGE_MS} ms + {chunks} puts = {list_s:.0f} s, in invocations of "
            f"at most {LAMBDA_TIMEOUT_S - LISTING_MARGIN_S:.0f} s each (the machine loops the listing until it is done)"
        ),
    }
