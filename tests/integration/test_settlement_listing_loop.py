"""The settlement machine's listing loop on moto, from the real ASL file: a listing that runs out of time after
every chunk answers its position, the ``Listed`` Choice sends the machine back to ``ListPayouts`` with it, and the
Distributed Map then matches every chunk, so the day's card payments all settle, as in one invocation."""

from __future__ import annotations

import uuid

import pytest

from arportal import clock
from arportal.adapters.sandbox import SandboxProcessor
from arportal.domain.banking_days import add_banking_days
from arportal.domain.payouts import BalanceTransaction
from arportal.domain.status import PaymentStatus
from arportal.services import payout_listing
from tests.integration.conftest import Executions, new_customer_id
from tests.integration.pay_support import pay
from tests.integration.test_settlement_payouts import _at, _banking_day_from, _forget_cursor, _payment
from tests.quiet_days import quiet_day
from tests.reliability.worlds import PayWorld, pay_world


def _one_line_pages(
    self: SandboxProcessor, payout_id: str, *, after: str | None
) -> tuple[list[BalanceTransaction], str | None]:
    """The sandbox listed a line a page, as a processor that pages lists (Stripe, at 100 a page)."""
    lines = self.payout_transactions(payout_id)
    start = 0 if after is None else [t.id for t in lines].index(after) + 1
    page = lines[start : start + 1]
    return page, (page[-1].id if start + 1 < len(lines) else None)


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((50_000,), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


def test_a_listing_cut_after_every_chunk_loops_until_done_and_everything_settles(
    local_env, gateway, world: PayWorld, monkeypatch: pytest.MonkeyPatch
):
    day = _banking_day_from(quiet_day())
    with clock.using(_at(day, 15)):
        paid = [pay(gateway, world, uuid.uuid4().hex, amount=1_000 + k).body["payment"] for k in range(4)]

    # chunks of one line, a page of one line, and never enough time: a stop after every chunk and payout
    monkeypatch.setattr(payout_listing, "CHUNK_LINES", 1)
    monkeypatch.setattr(payout_listing, "MARGIN_S", 10.0**9)
    monkeypatch.setattr(SandboxProcessor, "payout_transactions_page", _one_line_pages, raising=False)
    _forget_cursor()
    run_day = add_banking_days(day, 4)
    with clock.using(_at(run_day, 12)):
        run = Executions(local_env).run("settlement", {}, timeout=120)

    assert run.status == "SUCCEEDED", (run.error, run.cause)
    entered = [e["stateEnteredEventDetails"]["name"] for e in run.history if e["type"].endswith("StateEntered")]
    listings = entered.count("ListPayouts")
    assert listings >= len(paid) and entered.count("Listed") == listings  # it looped, once per chunk at least
    assert "MatchChunks" in entered and entered[-1] == "Settled"
    listing = run.output["listing"]
    assert listing["position"] is None and listing["chunks"] >= len(paid)
    for p in paid:
        settled = _payment(world.customer_id, p["payment_id"])
        assert settled.status is PaymentStatus.SETTLED and settled.payout_id
    report = run.output["report"]["report"]
    assert report["matched"] == listing["chunks"]  # every chunk of one line was matched, each once
    assert report["until"] == run_day.isoformat() == listing["today"]
