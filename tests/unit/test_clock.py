"""The product's one clock (``arportal.clock``): frozen, shifted, installed for a block; and no other clock read
in the product's code."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from arportal import clock
from arportal.clock import FrozenClock, ShiftedClock, SystemClock
from arportal.domain.ids import id_millis, new_id, new_reference
from arportal.domain.models import utcnow
from arportal.ports import WebhookSignatureError

AT = datetime(2031, 2, 28, 23, 59, 30, 250_000, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def test_the_system_clock_is_the_machines_in_utc():
    before = datetime.now(UTC)
    read = SystemClock().now()
    assert before <= read <= datetime.now(UTC)
    assert read.utcoffset() == timedelta(0)


def test_a_frozen_clock_stands_still_in_utc_and_moves_only_forward():
    frozen = FrozenClock(AT.astimezone(timezone(timedelta(hours=-5))))
    assert frozen.now() == AT
    assert frozen.now().tzinfo is UTC
    assert (
        frozen.advance(timedelta(seconds=29, microseconds=750_000)) == frozen.now() == datetime(2031, 3, 1, tzinfo=UTC)
    )
    with pytest.raises(ValueError, match="forward"):
        frozen.advance(timedelta(microseconds=-1))
    assert frozen.now() == datetime(2031, 3, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        FrozenClock(datetime(2031, 1, 1))  # noqa: DTZ001 - the naive datetime it refuses


def test_a_shifted_clock_runs_at_its_base_pace_from_another_day_and_moves_only_forward():
    base = FrozenClock(datetime(2026, 5, 4, 9, 15, tzinfo=UTC))
    shifted = ShiftedClock.starting(date(2027, 1, 1), base)
    assert shifted.now() == datetime(2027, 1, 1, 9, 15, tzinfo=UTC)  # that day, at the base's time of day
    base.advance(timedelta(minutes=5))
    assert shifted.now() == datetime(2027, 1, 1, 9, 20, tzinfo=UTC)
    assert shifted.advance(timedelta(days=2)) == datetime(2027, 1, 3, 9, 20, tzinfo=UTC)
    with pytest.raises(ValueError, match="forward"):
        shifted.advance(timedelta(days=-1))
    assert shifted.offset == datetime(2027, 1, 3, 9, 15, tzinfo=UTC) - datetime(2026, 5, 4, 9, 15, tzinfo=UTC)


def test_every_reading_follows_the_installed_clock():
    with clock.using(FrozenClock(AT)) as installed:
        assert clock.current() is installed
        assert clock.now() == AT
        assert clock.today() == date(2031, 2, 28)
        assert clock.timestamp() == AT.timestamp()
        assert clock.epoch_seconds() == int(AT.timestamp())
        assert clock.now_ms() == int(AT.timestamp()) * 1000 + 250
        assert utcnow() == AT  # the entities' created_at default
        assert id_millis(new_id("pay")) == clock.now_ms()  # ids sort by the product's time
        assert new_reference("R").startswith("R-3102-")


def test_using_puts_the_previous_clock_back_even_after_an_error():
    before = clock.current()
    with pytest.raises(RuntimeError), clock.using(FrozenClock(AT)):
        raise RuntimeError("boom")
    assert clock.current() is before
    outer = FrozenClock(AT)
    with clock.using(outer), clock.using(FrozenClock(AT + timedelta(days=1))):
        assert clock.today() == date(2031, 3, 1)
    assert clock.current() is before
    assert clock.install(before) is before


def test_a_stripe_signature_is_judged_fresh_or_stale_by_the_product_clock():
    from tests.unit.test_stripe_webhooks import event, processor, stripe_signature

    body = event("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent", "amount_received": 1})
    signed = AT.replace(microsecond=0)
    signed_at = int(signed.timestamp())
    with clock.using(FrozenClock(signed + timedelta(seconds=300))):
        assert processor().parse_webhook({"Stripe-Signature": stripe_signature(body, at=signed_at)}, body).amount == 1
    with (
        clock.using(FrozenClock(signed + timedelta(seconds=301))),
        pytest.raises(WebhookSignatureError, match="tolerance"),
    ):
        processor().parse_webhook({"Stripe-Signature": stripe_signature(body, at=signed_at)}, body)


# Any reference to these reads the system clock; ruff bans them too (TID251 in pyproject.toml).
_READS = ("datetime.now", "datetime.utcnow", "datetime.today", "date.today", "time.time", "time.time_ns")
# These read it only when called without the instant (at most this many arguments), which ruff cannot tell apart.
_READS_WITHOUT_ARGUMENT = {
    "time.gmtime": 0,
    "time.localtime": 0,
    "time.ctime": 0,
    "time.asctime": 0,
    "time.strftime": 1,
}


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else "?"


def _clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Attribute) and _dotted(node).endswith(_READS):
            found.append(_dotted(node))
        elif isinstance(node, ast.Call) and len(node.args) <= _READS_WITHOUT_ARGUMENT.get(_dotted(node.func), -1):
            found.append(f"{_dotted(node.func)}()")
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [f"from time import {alias.name}" for alias in node.names if f"time.{alias.name}" in _READS]
    return [f"{path.relative_to(ROOT)}:{read}" for read in found]


def test_no_product_code_reads_the_system_clock_but_arportal_clock():
    sources = [p for folder in ("layers", "functions") for p in (ROOT / folder).rglob("*.py")]
    assert len(sources) > 50
    the_clock = ROOT / "layers/arportal/python/arportal/clock.py"
    reads = [read for path in sources if path != the_clock for read in _clock_reads(path)]
    assert reads == []
    assert _clock_reads(the_clock) == ["layers/arportal/python/arportal/clock.py:datetime.now"]
