"""A 100,000-record invoice CSV through a bulk import on the local runtime (issue 12, "Budgets": report its wall
time and peak memory, then project the time on AWS with Distributed Map concurrency and show the arithmetic).

What runs is the product end to end, in one process: the integration service creates the import and signs the
upload, the CSV is PUT to moto's S3 through the presigned URL, the import is started, and moto's Step Functions
executes ``statemachines/source_import.asl.json`` for real (Split, the Distributed Map over the chunk objects with
one ``load_chunk`` per chunk, Finish), every task in the in-process ``workflow_tasks`` handler against moto's
DynamoDB and S3. One invoice in a thousand has an amount with three decimals, so the error report is merged at
scale too.

Measured here:
- wall time of the whole import, and of each of the machine's steps (from the execution's history);
- the process's peak resident memory (``resource.getrusage``: moto's tables and objects included, since they live
  in this process) and, with ``tracemalloc``, the peak Python memory of the two task bodies that would each run in
  one Lambda: splitting the file (streaming: a chunk at a time, plus the set of ids seen) and loading one chunk;
- the CPU time of those two bodies without any storage (an in-memory store), which is what the projection scales;
- the DynamoDB round trips and request bytes of one chunk's load, for the write-capacity arithmetic.

Locally every DynamoDB request is serialized (moto is not thread-safe), so the chunks load one after another
whatever ``MaxConcurrency`` says; the projection puts the concurrency back, bounded by the table's write capacity.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import os
import resource
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

T = TypeVar("T")
RECORDS = 100_000
ACCOUNTS = 50
BAD_EVERY = 1_000  # one invoice in a thousand: 3 decimals in a USD amount (too_many_decimals)
COLUMNS = (
    "invoice_number",
    "customer_id",
    "account_number",
    "department",
    "issue_date",
    "due_date",
    "period_start",
    "period_end",
    "source_version",
    "line_description",
    "line_fee_code",
    "line_amount",
)

# --- AWS figures the projection assumes (each documented or conservative) -----------------------------------------
LAMBDA_MEMORY_MB = 512  # catalog.function("workflow_tasks").memory_mb
LAMBDA_FULL_VCPU_MB = 1769  # Lambda allocates CPU in proportion to memory: one full vCPU at 1,769 MB
MAX_CONCURRENCY = 8  # arportal.config IMPORT_MAX_CONCURRENCY's default
BATCH_GET_MS = 10  # a strongly consistent BatchGetItem of up to 100 small items, in-region
TRANSACT_WRITE_MS = 40  # a TransactWriteItems of ~100 actions (two-phase: slower than single writes)
S3_REQUEST_MS = 30  # a GetObject / PutObject of a chunk (~100-200 KB), in-region
CHILD_EXECUTION_OVERHEAD_S = 0.5  # a Distributed Map child (Standard) execution: start, one Task, end
TASK_INVOKE_OVERHEAD_S = 0.05  # Step Functions -> Lambda invoke, warm
NEW_TABLE_WRITE_UNITS_PER_S = 4_000  # a new on-demand table's initial write throughput
WARM_TABLE_WRITE_UNITS_PER_S = 40_000  # on-demand's default per-table quota, what warm throughput can be raised to
STEPS = ("Split", "LoadChunks", "Finish")


def _csv(customer_id: str, accounts: list[str], records: int) -> bytes:
    issued = date(2026, 3, 1)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for i in range(records):
        cents = 1_000 + i % 9_000
        amount = f"{cents // 100}.{cents % 100:02d}" + ("5" if i % BAD_EVERY == BAD_EVERY - 1 else "")
        writer.writerow(
            (
                f"BN-{i:07d}",
                customer_id,
                accounts[i % len(accounts)],
                "utilities",
                issued.isoformat(),
                (issued + timedelta(days=21)).isoformat(),
                (issued - timedelta(days=61)).isoformat(),
                (issued - timedelta(days=3)).isoformat(),
                "1",
                "Water usage",
                "WATER_USAGE",
                amount,
            )
        )
    return buffer.getvalue().encode()


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def _measured(work: Callable[[], T]) -> tuple[T, dict[str, float]]:
    """``work``'s result, its CPU time (a first run) and its peak Python memory (a second run under tracemalloc,
    which slows Python several times over, so it is not timed)."""
    cpu = time.process_time()
    work()
    spent = time.process_time() - cpu
    tracemalloc.start()
    try:
        result = work()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, {"cpu_s": round(spent, 3), "peak_mb": round(peak / 2**20, 1)}


def _split_alone(body: bytes) -> dict[str, Any]:
    """The Split task's own work on the file (decode, parse, convert, chunk, encode), without S3."""
    from arportal.domain.import_files import chunked, encode_chunk, read_records, text_lines
    from arportal.domain.imports import CHUNK_RECORDS, ImportFormat, ImportKind

    def split() -> int:
        pieces = (body[i : i + 1024 * 1024] for i in range(0, len(body), 1024 * 1024))
        records = read_records(text_lines(pieces), ImportKind.INVOICES, ImportFormat.CSV, currency="USD")
        return sum(1 for chunk in chunked(records, CHUNK_RECORDS) if encode_chunk(chunk))

    chunks, measured = _measured(split)
    return {"chunks": chunks, **measured}


def _chunk_alone(body: bytes) -> dict[str, Any]:
    """One chunk's load (parse the chunk, validate, decide, build the writes) with an in-memory store."""
    from arportal import clock
    from arportal.domain.import_files import decode_chunk, encode_chunk, read_records, text_lines
    from arportal.domain.imports import CHUNK_RECORDS, ImportFormat, ImportKind
    from arportal.domain.models import Account, Customer
    from arportal.services.source_loads import LoadSettings, load_records
    from tests.source_load_fakes import InMemorySourceRecords, NoFiles

    lines = text_lines(iter([body]))
    records = read_records(lines, ImportKind.INVOICES, ImportFormat.CSV, currency="USD")
    first = [r for _, r in zip(range(CHUNK_RECORDS), records, strict=False)]
    chunk = encode_chunk(first)
    sample = first[0].record
    assert isinstance(sample, dict)
    store = InMemorySourceRecords()
    store.add(Customer(customer_id=sample["customer_id"], name="Bench"))
    for number in {r.record["account_number"] for r in first if isinstance(r.record, dict)}:
        store.add(
            Account(
                account_number=number,
                customer_id=sample["customer_id"],
                department="utilities",
                description="Water",
                opened_on=date(2020, 1, 1),
            )
        )

    def load() -> dict[str, int]:
        decoded = decode_chunk(chunk)
        result = load_records(
            [(ImportKind.INVOICES.source_kind, r.record) for r in decoded if not r.errors],
            store=copy.deepcopy(store),  # each run creates its records afresh
            files=NoFiles(),
            settings=LoadSettings("USD"),
            actor="system:bench",
            now=clock.now(),
        )
        return result.summary

    summary, measured = _measured(load)
    return {"records": len(first), "summary": summary, **measured}


def _write_sample() -> tuple[list[dict[str, Any]], Any]:
    """Captures the TransactWriteItems requests the shared DynamoDB client sends (their items' sizes)."""
    from arportal.adapters.aws import client

    seen: list[dict[str, Any]] = []

    def capture(request: Any, **_: Any) -> None:
        target = request.headers.get("X-Amz-Target", b"")
        name = target.decode() if isinstance(target, bytes) else str(target)
        if name.endswith("TransactWriteItems") and len(seen) < 60:
            body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
            seen.append(json.loads(body))

    events = client("dynamodb").meta.events
    events.register("before-send.dynamodb", capture, unique_id="bench-write-sample")
    return seen, lambda: events.unregister("before-send.dynamodb", unique_id="bench-write-sample")


def _write_units(transactions: list[dict[str, Any]], records_written: int) -> dict[str, float]:
    """Write request units per record: a transactional write costs 2 units per started KB of each item (the wire
    JSON overstates an item's size a little, so this errs high), plus one unit per GSI the item projects into."""
    units = items = 0
    for transaction in transactions:
        for action in transaction["TransactItems"]:
            (kind, body), *_ = action.items()
            item = body.get("Item")
            if kind == "ConditionCheck":
                units += 2  # a condition check is billed as a write of the item it reads
                continue
            size = len(json.dumps(item or body)) / 1024
            gsi = sum(1 for name in ("XK", "DAYPK", "DUEPK", "OPK", "NPK", "FEEDPK") if item and name in item)
            units += 2 * max(1, math.ceil(size)) + gsi
            items += 1
    return {
        "write_units_per_record": round(units / records_written, 1),
        "actions_per_record": round(items / records_written, 1),
    }


def _history(env: Any, execution_arn: str) -> dict[str, float]:
    sfn = env.client("stepfunctions")
    events: list[dict[str, Any]] = []
    request: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**request)
        events += page["events"]
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    entered: dict[str, Any] = {}
    took: dict[str, float] = {}
    for event in events:
        if "stateEnteredEventDetails" in event:
            entered[event["stateEnteredEventDetails"]["name"]] = event["timestamp"]
        elif "stateExitedEventDetails" in event:
            name = event["stateExitedEventDetails"]["name"]
            if name in entered:
                took[name] = round((event["timestamp"] - entered[name]).total_seconds(), 1)
    return {f"{name}_s": took.get(name, 0.0) for name in STEPS}


def run(records: int | None = None) -> dict[str, object]:
    """``records`` (default ``BENCH_IMPORT_RECORDS`` or 100,000: about 9 minutes and 6.5 GB here)."""
    records = records or int(os.environ.get("BENCH_IMPORT_RECORDS") or RECORDS)
    from arportal.domain.imports import ImportFormat, ImportKind
    from arportal.domain.source_records import SourceKind
    from arportal.wiring import imports, integrations
    from local.environment import LocalEnvironment
    from tests import source_records_support as s
    from tests.integration.import_support import upload

    rss_start = _peak_rss_mb()
    with LocalEnvironment(max_wait_seconds=0) as env:
        cid = s.customer_id()
        accounts = [s.account_number() for _ in range(ACCOUNTS)]
        setup = ((SourceKind.CUSTOMER, [s.customer(cid)]), (SourceKind.ACCOUNT, [s.account(cid, a) for a in accounts]))
        for kind, batch in setup:
            loaded = integrations.load_batch(kind, batch, actor="system:bench", dry_run=False, request_id=None)
            assert loaded.summary["rejected"] == 0, loaded
        body = _csv(cid, accounts, records)
        split_alone = _split_alone(body)
        chunk_alone = _chunk_alone(body)
        rss_before = _peak_rss_mb()

        new = imports.create(
            ImportKind.INVOICES, ImportFormat.CSV, dry_run=False, actor="system:bench", channel="integration"
        )
        import_id = new.job.import_id
        assert upload({"upload": {"url": new.upload.url, "method": "PUT", "headers": new.upload.headers}}, body) == 200
        sample, stop_sampling = _write_sample()
        started = time.perf_counter()
        job = imports.start(import_id, visible_to=None)
        while True:
            progress = imports.progress(import_id, visible_to=None)
            if progress.job.finished:
                break
            time.sleep(0.5)
        wall = time.perf_counter() - started
        stop_sampling()
        machine = env.resources.state_machines["source_import"]
        arn = f"{machine.replace(':stateMachine:', ':execution:')}:{job.execution_name}"
        steps = _history(env, arn)
        final = progress.job
        assert final.counts is not None, final
        counts = final.counts.as_dict()
        assert counts["rejected"] == records // BAD_EVERY and counts["created"] == records - counts["rejected"], counts
        report_rows = len(imports.import_files().get(final.error_report or "").decode("utf-8-sig").splitlines()) - 1
        written = sum(
            1 for t in sample for a in t["TransactItems"] if "Put" in a and '"source_record"' in json.dumps(a)
        )
        units = _write_units(sample, max(written, 1))
    return {
        "records": records,
        "csv_bytes": len(body),
        "chunks": final.chunks,
        "counts": counts,
        "error_report_rows": report_rows,
        "local": {
            "wall_s": round(wall, 1),
            "records_per_s": round(records / wall),
            "steps": steps,
            "peak_rss_mb": _peak_rss_mb(),
            "rss_before_import_mb": rss_before,
            "rss_at_start_mb": rss_start,
            "split_task_alone": split_alone,
            "one_chunk_alone": chunk_alone,
        },
        "aws_projection": _projection(records, split_alone, chunk_alone, units),
        # a year of utility bills: the same per-record costs, five times the records (the split's CPU scales with them)
        "aws_projection_500k": _projection(
            500_000, {**split_alone, "cpu_s": round(split_alone["cpu_s"] * 500_000 / records, 3)}, chunk_alone, units
        ),
        "notes": (
            "Local wall time is moto's: every DynamoDB request is serialized in one process, so the Distributed "
            "Map's children load one chunk at a time whatever MaxConcurrency says, and moto's DynamoDB is far "
            "slower than DynamoDB. The peak RSS includes moto's copy of every item and object. The Lambda-relevant "
            "memory is split_task_alone.peak_mb and one_chunk_alone.peak_mb (tracemalloc): the split streams the "
            "file a chunk at a time, and what grows with the file is only the set of ids seen (duplicate check)."
        ),
    }


def _projection(
    records: int, split_alone: dict[str, Any], chunk_alone: dict[str, Any], units: dict[str, float]
) -> dict[str, object]:
    """Time on AWS = Split + LoadChunks + Finish, LoadChunks bounded by the Distributed Map's concurrency or by the
    ledger table's write throughput, whichever is slower: on a new on-demand table (4,000 write units a second), and
    with its warm throughput raised to on-demand's default per-table quota (40,000) before a large load."""
    from arportal.domain.imports import CHUNK_RECORDS
    from arportal.services.source_loads import CHUNK_RECORDS as RECORDS_PER_TRANSACTION

    cpu_share = LAMBDA_MEMORY_MB / LAMBDA_FULL_VCPU_MB
    chunks = math.ceil(records / CHUNK_RECORDS)
    split_s = split_alone["cpu_s"] / cpu_share + chunks * S3_REQUEST_MS / 1000 + 1
    transactions = math.ceil(CHUNK_RECORDS / RECORDS_PER_TRANSACTION)
    batch_gets = 16  # measured by bench/integration_batch.py for 500 invoices (state, invoice, head, accounts)
    chunk_s = (
        chunk_alone["cpu_s"] / cpu_share
        + batch_gets * BATCH_GET_MS / 1000
        + transactions * TRANSACT_WRITE_MS / 1000
        + 3 * S3_REQUEST_MS / 1000  # get the chunk, put its errors, put its marker (a DynamoDB put: cheaper)
        + TASK_INVOKE_OVERHEAD_S
        + CHILD_EXECUTION_OVERHEAD_S
    )
    waves = math.ceil(chunks / MAX_CONCURRENCY)
    by_concurrency_s = waves * chunk_s
    per_record = units["write_units_per_record"]
    by_new_table_s = records * per_record / NEW_TABLE_WRITE_UNITS_PER_S
    by_warm_table_s = records * per_record / WARM_TABLE_WRITE_UNITS_PER_S
    finish_s = chunks * S3_REQUEST_MS / 1000 / 10 + 1  # reads only the chunks with errors, plus one query
    new_table_s = split_s + max(by_concurrency_s, by_new_table_s) + finish_s
    warm_table_s = split_s + max(by_concurrency_s, by_warm_table_s) + finish_s
    # what MAX_CONCURRENCY chunks loading at once write, a second
    wanted_units = math.ceil(per_record * MAX_CONCURRENCY * CHUNK_RECORDS / chunk_s)
    return {
        "assumptions": {
            "lambda_cpu_share": round(cpu_share, 2),
            "max_concurrency": MAX_CONCURRENCY,
            "batch_get_ms": BATCH_GET_MS,
            "transact_write_ms": TRANSACT_WRITE_MS,
            "s3_request_ms": S3_REQUEST_MS,
            "child_execution_overhead_s": CHILD_EXECUTION_OVERHEAD_S,
            "new_table_write_units_per_s": NEW_TABLE_WRITE_UNITS_PER_S,
            "warm_table_write_units_per_s": WARM_TABLE_WRITE_UNITS_PER_S,
            **units,
        },
        "split_s": round(split_s, 1),
        "chunk_s": round(chunk_s, 2),
        "load_by_concurrency_s": round(by_concurrency_s, 1),
        "load_by_new_table_s": round(by_new_table_s, 1),
        "load_by_warm_table_s": round(by_warm_table_s, 1),
        "total_new_table_s": round(new_table_s, 1),
        "total_warm_table_s": round(warm_table_s, 1),
        "arithmetic": [
            f"split = cpu {split_alone['cpu_s']} s / {cpu_share:.2f} vCPU + {chunks} chunk puts x "
            f"{S3_REQUEST_MS} ms + 1 s = {split_s:.1f} s",
            f"one chunk = cpu {chunk_alone['cpu_s']} s / {cpu_share:.2f} + {batch_gets} BatchGetItem x "
            f"{BATCH_GET_MS} ms + {transactions} TransactWriteItems x {TRANSACT_WRITE_MS} ms + 3 x "
            f"{S3_REQUEST_MS} ms + {TASK_INVOKE_OVERHEAD_S} s invoke + {CHILD_EXECUTION_OVERHEAD_S} s child "
            f"execution = {chunk_s:.2f} s",
            f"by concurrency = ceil({chunks} chunks / {MAX_CONCURRENCY}) = {waves} waves x {chunk_s:.2f} s = "
            f"{by_concurrency_s:.1f} s (it would write {wanted_units} units a second)",
            f"by write throughput, new on-demand table = {records} records x {per_record} write units / "
            f"{NEW_TABLE_WRITE_UNITS_PER_S} a second = {by_new_table_s:.1f} s",
            f"by write throughput, warmed to {WARM_TABLE_WRITE_UNITS_PER_S} a second = {by_warm_table_s:.1f} s",
            f"total, new table = {split_s:.1f} + max({by_concurrency_s:.1f}, {by_new_table_s:.1f}) + "
            f"{finish_s:.1f} = {new_table_s:.1f} s ({new_table_s / 60:.1f} min)",
            f"total, warmed table = {split_s:.1f} + max({by_concurrency_s:.1f}, {by_warm_table_s:.1f}) + "
            f"{finish_s:.1f} = {warm_table_s:.1f} s ({warm_table_s / 60:.1f} min)",
        ],
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, default=str))
