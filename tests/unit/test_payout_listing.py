"""Settlement's listing over several invocations (``services/payout_listing.py``): a processor that pages, a time
budget that runs out, and the listing resumed from the position it answered, as the machine's Listed loop does.
Every transaction lands in exactly one chunk, the chunks the Map lists are all of them, and whatever the budget,
the same chunks are written under the same keys with the same bytes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from arportal.domain.banking_days import add_banking_days, is_banking_day
from arportal.domain.payouts import BalanceTransaction, BalanceType, Payout, PayoutStatus
from arportal.services import payout_listing
from arportal.services.payout_listing import CHUNK_LINES, Listing, ListingPosition, list_payouts
from tests.clock import SESSION_TODAY

PAGE = 100


def _banking_day(start: date) -> date:
    while not is_banking_day(start):
        start += timedelta(days=1)
    return start


TODAY = _banking_day(SESSION_TODAY + timedelta(days=30))


def _payout(payout_id: str, arrival: date, status: PayoutStatus = PayoutStatus.PAID) -> Payout:
    return Payout(payout_id, "fake", 0, "USD", arrival, status, None, datetime(2020, 1, 1, tzinfo=UTC))


def _line(payout_id: str, n: int) -> BalanceTransaction:
    return BalanceTransaction(
        id=f"txn_{payout_id}_{n:06d}",
        payout_id=payout_id,
        type=BalanceType.CHARGE,
        source_transaction_id=f"pi_{payout_id}_{n}",
        amount=1_000 + n,
        fee=30,
        net=970 + n,
        currency="USD",
        available_on=TODAY,
        created_at=datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=n),
    )


class WholeProcessor:
    """Payouts of many lines, from a processor that does not page (the sandbox): every line at once."""

    name = "fake"

    def __init__(self, sizes: dict[str, int], *, failed: frozenset[str] = frozenset(), page: int = PAGE) -> None:
        day = add_banking_days(TODAY, -1)
        self._payouts = [
            _payout(pid, day, PayoutStatus.FAILED if pid in failed else PayoutStatus.PAID) for pid in sizes
        ]
        self.lines = {pid: [_line(pid, n) for n in range(size)] for pid, size in sizes.items()}
        self.page = page
        self.pages_read = self.lines_read = 0

    def payouts(self, *, arrived_since: date, arrived_until: date) -> list[Payout]:
        return [p for p in self._payouts if arrived_since <= p.arrival_date <= arrived_until]

    def payout_transactions(self, payout_id: str) -> list[BalanceTransaction]:
        self.lines_read += len(self.lines[payout_id])
        return list(self.lines[payout_id])


class PagedProcessor(WholeProcessor):
    """The same, listed ``page`` at a time after a cursor, as Stripe lists them."""

    def payout_transactions(self, payout_id: str) -> list[BalanceTransaction]:
        raise AssertionError("a processor that pages is read a page at a time")

    def payout_transactions_page(
        self, payout_id: str, *, after: str | None
    ) -> tuple[list[BalanceTransaction], str | None]:
        lines = self.lines[payout_id]
        start = 0 if after is None else [t.id for t in lines].index(after) + 1
        page = lines[start : start + self.page]
        self.pages_read, self.lines_read = self.pages_read + 1, self.lines_read + len(page)
        return page, (page[-1].id if start + self.page < len(lines) else None)


class Files:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.puts: list[str] = []

    def put(self, key: str, body: bytes, *, content_type: str) -> None:
        self.objects[key] = body
        self.puts.append(key)

    def get(self, key: str) -> bytes:
        return self.objects[key]

    def listed(self, prefix: str) -> list[str]:
        return sorted(k for k in self.objects if k.startswith(prefix))  # what the Map's ItemReader lists


class Cursor:
    def __init__(self, cursor: date | None = None) -> None:
        self._cursor = cursor

    def cursor(self) -> date | None:
        return self._cursor


def _list_all(
    processor: PagedProcessor, files: Files, time_left: Callable[[], float], *, cursor: date | None = None
) -> tuple[Listing, int]:
    """The machine's loop: ListPayouts, then again with the position it answered, until it answers none."""
    store, position, calls = Cursor(cursor), None, 0
    while True:
        calls += 1
        listing = list_payouts(
            TODAY,
            processor=processor,  # type: ignore[arg-type]
            store=store,  # type: ignore[arg-type]
            files=files,  # type: ignore[arg-type]
            position=position,
            time_left=time_left,
        )
        if listing.position is None:
            return listing, calls
        assert calls < 1_000, "the listing makes no progress"
        position = ListingPosition.of(json.loads(json.dumps(listing.position.as_json())))  # through the state


SIZES = {"po_big": 2 * CHUNK_LINES + 137, "po_exact": CHUNK_LINES, "po_empty": 0, "po_small": 3}


@pytest.mark.parametrize("processor_type", [PagedProcessor, WholeProcessor])
def test_a_listing_out_of_time_at_every_step_still_lands_every_transaction_in_one_chunk(processor_type):
    processor, files = processor_type(SIZES), Files()

    listing, calls = _list_all(processor, files, time_left=lambda: 0.0)  # out of time as soon as it progressed

    # it stopped before each payout after the first and (when paging) after each chunk, and went on from there
    assert calls == (6 if processor_type is PagedProcessor else 4)
    keys = files.listed(listing.chunks_prefix)
    assert listing.chunks == len(keys) == 3 + 1 + 0 + 1  # the Map's input is every chunk written
    seen = [json.loads(row)["id"] for key in keys for row in files.objects[key].decode().splitlines()]
    every = [t.id for lines in processor.lines.values() for t in lines]
    assert sorted(seen) == sorted(every) and len(seen) == len(set(seen))  # each exactly once
    for pid, lines in processor.lines.items():
        mine = [k for k in keys if f"/{pid}-" in k]
        assert [k.rsplit("-", 1)[1] for k in mine] == [f"{n:05d}.ndjson" for n in range(1, len(mine) + 1)]
        in_order = [json.loads(r)["id"] for k in mine for r in files.objects[k].decode().splitlines()]
        assert in_order == [t.id for t in lines]  # chunk n holds lines 500(n-1)+1 .. 500n
    manifest = json.loads(files.objects[f"settlement/{listing.run}/manifest.json"])
    assert {p["payout_id"]: p["transactions"] for p in manifest["payouts"]} == SIZES
    assert listing.payouts == len(SIZES)


def test_the_same_chunks_under_the_same_keys_however_the_budget_cut_the_listing():
    at_once, pieces = Files(), Files()
    _, one_call = _list_all(PagedProcessor(SIZES), at_once, time_left=lambda: 3_600.0)
    budget = iter(range(10_000))  # a little time left now and then: cut at arbitrary pages
    _, many_calls = _list_all(
        PagedProcessor(SIZES), pieces, time_left=lambda: 0.0 if next(budget) % 3 == 0 else 3_600.0
    )

    assert one_call == 1 and many_calls > 1
    assert pieces.objects == at_once.objects  # same keys, same bytes, the manifest too
    again = Files()
    _list_all(PagedProcessor(SIZES), again, time_left=lambda: 0.0)  # a rerun of the run: nothing new
    assert again.objects == at_once.objects


def test_a_listing_looks_at_its_time_before_each_page_once_it_wrote_a_chunk():
    processor, files = PagedProcessor({"po_big": 4 * CHUNK_LINES}), Files()
    looks = iter([3_600.0] + [1.0] * 1_000)  # plenty before the page after the first chunk, then too little

    listing, calls = _list_all(processor, files, time_left=lambda: next(looks))

    # chunk 1 and a page more (dropped at the stop), then a chunk an invocation: it never stops without one
    assert calls == 4 and listing.chunks == 4
    assert processor.pages_read == 4 * CHUNK_LINES // PAGE + 1  # the page read past chunk 1 was read again


def test_a_stop_inside_a_page_reads_the_rest_of_that_page_again():
    processor = PagedProcessor({"po_big": 2 * CHUNK_LINES + 100}, page=300)  # chunks end inside pages
    files = Files()

    listing, calls = _list_all(processor, files, time_left=lambda: 0.0)

    assert calls == 2 and listing.chunks == 3
    assert processor.lines_read == 2 * CHUNK_LINES + 100 + 100  # lines 501-600 came with page 2, and again

    assert sum(len(files.objects[k].splitlines()) for k in files.listed(listing.chunks_prefix)) == 1_100


def test_failed_payouts_are_left_out_and_a_day_the_banks_are_closed_lists_nothing():
    processor, files = PagedProcessor({"po_ok": 3, "po_failed": 3}, failed=frozenset({"po_failed"})), Files()
    listing, _ = _list_all(processor, files, time_left=lambda: 0.0)
    assert all("po_failed" not in k for k in files.objects) and listing.payouts == 1

    saturday = TODAY + timedelta(days=(5 - TODAY.weekday()) % 7)
    closed = list_payouts(saturday, processor=processor, store=Cursor(), files=files)  # type: ignore[arg-type]
    assert closed == Listing(False, saturday)


def test_the_window_and_the_margin(monkeypatch: pytest.MonkeyPatch):
    processor, files = PagedProcessor({"po_a": 1}), Files()
    listing, _ = _list_all(processor, files, time_left=lambda: 3_600.0, cursor=add_banking_days(TODAY, -3))
    assert listing.since == add_banking_days(TODAY, -3) + timedelta(days=1)
    # the margin leaves room for a page, a chunk's write and the answer, well inside the task's 300 s
    assert 30 <= payout_listing.MARGIN_S <= 120
