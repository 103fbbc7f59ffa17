"""The ``list_payouts`` task through the workflow_tasks handler, as the settlement machine calls it: the Lambda
context's remaining time is its budget, it answers ``position`` when it stopped, the machine's ``Listed`` Choice
loops back with the previous answer in ``listing``, and the loop keeps the first invocation's day. The ASL's loop
itself is checked against the file, and run on moto in tests/integration/test_settlement_listing_loop.py."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from arportal import clock
from arportal.services import payout_listing
from arportal.wiring import imports, stores, workflows
from local.invoke import LambdaContext
from tests.unit.test_payout_listing import TODAY, Cursor, Files, PagedProcessor
from workflow_tasks import handler

ASL = Path(__file__).resolve().parents[2] / "statemachines" / "settlement.asl.json"
SIZES = {"po_a": 3 * payout_listing.CHUNK_LINES + 7, "po_b": 12}


@pytest.fixture
def wired(monkeypatch: pytest.MonkeyPatch) -> tuple[PagedProcessor, Files]:
    processor, files = PagedProcessor(SIZES), Files()
    monkeypatch.setattr(stores, "processor", lambda: processor)
    monkeypatch.setattr(workflows, "payout_settlement", Cursor)
    monkeypatch.setattr(imports, "import_files", lambda: files)
    return processor, files


def _selected(payload: dict[str, Any]) -> dict[str, Any]:
    """ListPayouts' ResultSelector, read from the ASL file: what the machine keeps of the task's answer."""
    selector = json.loads(ASL.read_text())["States"]["ListPayouts"]["ResultSelector"]
    return {k.removesuffix(".$"): payload[v.removeprefix("$.Payload.")] for k, v in selector.items()}


def _loop(state: dict[str, Any], *, timeout_s: int, moving_clock: clock.ShiftedClock) -> tuple[dict[str, Any], int]:
    calls = 0
    while True:
        calls += 1
        context = LambdaContext(function_name="workflow_tasks", timeout_s=timeout_s)
        payload = handler.lambda_handler({"task": "list_payouts", "input": state}, context)
        state = {**state, "listing": _selected(json.loads(json.dumps(payload)))}
        moving_clock.advance(timedelta(hours=10))  # a loop that crosses midnight still lists the first day
        if state["listing"]["position"] is None:
            return state, calls
        assert calls < 100


def test_a_context_with_little_time_left_makes_the_machine_loop_until_every_chunk_is_written(wired):
    processor, files = wired
    moving = clock.ShiftedClock.starting(TODAY)
    with clock.using(moving):
        state, calls = _loop({}, timeout_s=1, moving_clock=moving)  # 1 s left: under the margin at every look

    listing = state["listing"]
    assert calls == 5  # po_a: after chunks 1, 2 and 3; before po_b; then the rest and the manifest
    assert listing["today"] == TODAY.isoformat() and listing["banking_day"] is True
    keys = files.listed(listing["chunks_prefix"])
    assert listing["chunks"] == len(keys) == 4 + 1
    lines = [json.loads(r)["id"] for k in keys for r in files.objects[k].decode().splitlines()]
    assert sorted(lines) == sorted(t.id for ts in processor.lines.values() for t in ts) and len(set(lines)) == len(
        lines
    )
    manifest = json.loads(files.objects[f"settlement/{listing['run']}/manifest.json"])
    assert {p["payout_id"]: p["transactions"] for p in manifest["payouts"]} == SIZES


def test_a_context_with_time_to_spare_lists_in_one_invocation(wired):
    moving = clock.ShiftedClock.starting(TODAY)
    with clock.using(moving):
        state, calls = _loop({"today": TODAY.isoformat()}, timeout_s=300, moving_clock=moving)
    assert calls == 1 and state["listing"]["chunks"] == 5 and state["listing"]["position"] is None


def test_the_choice_loops_back_on_a_position_before_anything_else_but_a_closed_day():
    states = json.loads(ASL.read_text())["States"]
    assert states["ListPayouts"]["Next"] == "Listed"
    listed = states["Listed"]
    assert [c["Next"] for c in listed["Choices"]] == ["NotABankingDay", "ListPayouts", "Finish"]
    loop = listed["Choices"][1]
    assert (loop["Variable"], loop["IsNull"]) == ("$.listing.position", False)
    assert listed["Default"] == "MatchChunks"
    # the loop's input is the whole state, so the task finds the previous answer in it
    assert states["ListPayouts"]["Parameters"]["Payload"]["input.$"] == "$"
    assert states["ListPayouts"]["ResultPath"] == "$.listing"


def test_a_task_called_without_a_context_lists_at_once(wired):
    from workflow_tasks import settlement

    answer = settlement.list_payouts({"input": {"today": TODAY.isoformat()}})
    assert answer["position"] is None and answer["chunks"] == 5 and answer["today"] == TODAY.isoformat()
