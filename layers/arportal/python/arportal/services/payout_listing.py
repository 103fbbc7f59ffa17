"""Settlement's first step, ``list_payouts``: the payouts that arrived since the last run's cursor (first run: the
last ten banking days) through today, each one's balance transactions written to S3 as chunk objects of
``CHUNK_LINES`` lines, then a manifest of the payouts.

A busy day does not fit one invocation: 100,000 lines are 1,000 pages of Stripe's 100, about 300 s with its rate
limit, the task's whole timeout. So the listing stops when its time budget runs low (``time_left``, the Lambda
context's remaining time) and answers a ``position``; the machine calls it again with that position until it
answers none. It stops only at a chunk's end (or a payout's) and resumes right after that chunk's last line, so
chunk ``n`` of a payout always holds its lines ``500(n-1)+1 .. 500n`` in the processor's order: whether a run
stopped and where, and however often it ran, the same chunks are written under the same keys with the same bytes.
An invocation always writes something before it stops, so the loop ends.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from arportal.domain import settlement_chunks as chunks
from arportal.domain.banking_days import NO_CLOSURES, is_banking_day
from arportal.domain.payouts import BalanceTransaction, Payout, PayoutStatus
from arportal.domain.settlement_matching import first_window_start
from arportal.ports import ImportFiles, PaymentProcessor, PayoutSettlementStore, PayoutTransactionPages

CHUNK_LINES = 500
NDJSON = "application/x-ndjson"
UNPAID = frozenset({PayoutStatus.FAILED, PayoutStatus.CANCELED})  # their lines come back in a later payout
# Stop before a page when less than this is left: that page at its worst (the Stripe client's three attempts of
# 8 s), the chunk's write and the answer fit in it with room to spare.
MARGIN_S = 60.0


@dataclass(frozen=True)
class ListingPosition:
    """Where a listing stopped: the payouts listed whole (id -> their transactions), the payout it was in, the
    last line of its last chunk written (None: none yet), that payout's next chunk number, and the chunks so far."""

    since: date
    listed: dict[str, int] = field(default_factory=dict)
    payout: str | None = None
    after: str | None = None
    chunk: int = 1
    chunks: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "listed": dict(self.listed),
            "payout": self.payout,
            "after": self.after,
            "chunk": self.chunk,
            "chunks": self.chunks,
        }

    @classmethod
    def of(cls, data: dict[str, Any]) -> ListingPosition:
        return cls(
            since=date.fromisoformat(data["since"]),
            listed={str(k): int(v) for k, v in data.get("listed", {}).items()},
            payout=data.get("payout"),
            after=data.get("after"),
            chunk=int(data.get("chunk", 1)),
            chunks=int(data.get("chunks", 0)),
        )


@dataclass(frozen=True)
class Listing:
    banking_day: bool
    today: date
    run: str = ""
    since: date | None = None
    chunks_prefix: str = ""
    chunks: int = 0
    payouts: int = 0
    position: ListingPosition | None = None  # not done: call again with it


class _Stopped(Exception):
    def __init__(self, after: str | None, chunk: int) -> None:
        self.after, self.chunk = after, chunk


def list_payouts(
    today: date,
    *,
    processor: PaymentProcessor,
    store: PayoutSettlementStore,
    files: ImportFiles,
    closures: frozenset[date] = NO_CLOSURES,
    position: ListingPosition | None = None,
    time_left: Callable[[], float] = lambda: math.inf,
) -> Listing:
    """List (on) until done or until ``time_left()`` (seconds) falls under ``MARGIN_S`` after some progress."""
    if not is_banking_day(today, closures):
        return Listing(False, today)
    if position is None:
        cursor = store.cursor()
        position = ListingPosition(cursor + timedelta(days=1) if cursor else first_window_start(today, closures))
    since, listed, written = position.since, dict(position.listed), position.chunks
    run = chunks.run_name(since, today)
    prefix = chunks.chunks_prefix(run)
    payouts = [p for p in processor.payouts(arrived_since=since, arrived_until=today) if p.status not in UNPAID]
    progressed = False

    def out_of_time(wrote_a_chunk: bool) -> bool:
        return (progressed or wrote_a_chunk) and time_left() < MARGIN_S

    for payout in payouts:
        if payout.payout_id in listed:
            continue
        resuming = payout.payout_id == position.payout
        after, first_chunk = (position.after, position.chunk) if resuming else (None, 1)
        try:
            lines, chunk_count = _write_chunks(
                processor, files, payout, prefix, after=after, chunk=first_chunk, out_of_time=out_of_time
            )
        except _Stopped as stop:
            written += stop.chunk - first_chunk
            stopped = ListingPosition(since, listed, payout.payout_id, stop.after, stop.chunk, written)
            return Listing(True, today, run, since, prefix, written, len(listed), stopped)
        written += chunk_count
        listed[payout.payout_id] = lines
        progressed = True
    manifest = {
        "run": run,
        "since": since.isoformat(),
        "until": today.isoformat(),
        "first_run": store.cursor() is None,
        "payouts": [{**chunks.payout_json(p), "transactions": listed[p.payout_id]} for p in payouts],
    }
    files.put(chunks.manifest_key(run), json.dumps(manifest).encode(), content_type="application/json")
    return Listing(True, today, run, since, prefix, written, len(payouts))


def _write_chunks(
    processor: PaymentProcessor,
    files: ImportFiles,
    payout: Payout,
    prefix: str,
    *,
    after: str | None,
    chunk: int,
    out_of_time: Callable[[bool], bool],
) -> tuple[int, int]:
    """The payout's chunks from number ``chunk`` on, its lines starting after ``after``: (the payout's lines in
    all, the chunks written here). Time is looked at before each page, once something was written: out of time,
    raises ``_Stopped`` at the last chunk's end, and the pages read since are read again on resuming (fewer than a
    chunk's worth)."""
    first, lines = chunk, (chunk - 1) * CHUNK_LINES
    buffer: list[BalanceTransaction] = []
    page_after, more = after, True
    while more:
        if out_of_time(chunk > first):
            raise _Stopped(after, chunk)
        page, page_after = _page(processor, payout.payout_id, page_after)
        more = page_after is not None
        buffer.extend(page)
        while len(buffer) >= CHUNK_LINES or (buffer and not more):
            part, buffer = buffer[:CHUNK_LINES], buffer[CHUNK_LINES:]
            body = "".join(json.dumps(chunks.line_json(t, payout)) + "\n" for t in part)
            files.put(f"{prefix}{payout.payout_id}-{chunk:05d}.ndjson", body.encode(), content_type=NDJSON)
            after, chunk, lines = part[-1].id, chunk + 1, lines + len(part)
    return lines, chunk - first


def _page(
    processor: PaymentProcessor, payout_id: str, after: str | None
) -> tuple[list[BalanceTransaction], str | None]:
    # An attribute check, not isinstance: ABCMeta caches a runtime Protocol's answer per class, so a class that
    # gains or loses the method (a test double) would be answered from the cache.
    if callable(getattr(processor, "payout_transactions_page", None)):
        return cast(PayoutTransactionPages, processor).payout_transactions_page(payout_id, after=after)
    lines = processor.payout_transactions(payout_id)  # a processor that does not page: every line at once
    ids = [t.id for t in lines]
    if after is not None and after not in ids:
        raise ValueError(f"payout {payout_id} no longer lists transaction {after}")
    return lines[ids.index(after) + 1 if after is not None else 0 :], None
