"""The product's one clock: every business decision reads the current time here, never the system clock.

In Lambda it is the system clock. The local runtime moves it (``python -m local --today``, ``POST /local/clock``)
and tests freeze or move it, so the whole product can run as if it were any day: reminders, overdue notices,
autopay, aging, settlement and expiries all follow.

Measuring a duration (timeouts, latency, back-off) is not a business decision: ``time.monotonic`` is right
for that. Ruff's banned-API rule (TID251, configured in pyproject.toml) refuses ``datetime.now``,
``date.today``, ``time.time`` and their kin everywhere in the product but here.

    from arportal import clock
    clock.now()            # aware UTC datetime
    clock.today()          # its date
    clock.epoch_seconds()  # int(time.time()), for DynamoDB TTL attributes
    clock.now_ms()         # int(time.time() * 1000), for ids
    clock.timestamp()      # time.time(), for signatures' tolerance windows
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What a clock is. The one Protocol outside ``arportal/ports/``, on purpose: the domain reads this module (ids,
    ``models.utcnow``) and must import no ports, so this module stays a leaf that imports nothing else of the
    product (the ``one-clock-is-a-leaf`` import contract). Services take ``now`` as an argument, not a Clock."""

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock: what runs in AWS."""

    def now(self) -> datetime:
        return datetime.now(UTC)  # noqa: TID251 - the one place the system clock is read


class ShiftedClock:
    """Another clock moved by an offset: time runs at its real pace, as if today were another day.

    The local runtime's ``--today`` and ``POST /local/clock`` use it; the offset only ever grows, because a
    clock that went back would let a stored "sent on" or "expires at" lie in the future.
    """

    def __init__(self, offset: timedelta = timedelta(0), base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = offset
        self._lock = threading.Lock()

    @classmethod
    def starting(cls, today: date, base: Clock | None = None) -> ShiftedClock:
        """A clock on ``today`` at the base clock's time of day."""
        base = base or SystemClock()
        real = base.now()
        return cls(datetime.combine(today, real.timetz()) - real, base)

    @property
    def offset(self) -> timedelta:
        return self._offset

    def now(self) -> datetime:
        return self._base.now() + self._offset

    def advance(self, by: timedelta) -> datetime:
        if by < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += by
        return self.now()


class FrozenClock:
    """A clock that stands still until told to move, and then only forward (tests)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a frozen clock needs an aware datetime")
        self._at = at.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._at

    def advance(self, by: timedelta) -> datetime:
        if by < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._at += by
            return self._at


_current: Clock = SystemClock()


def now() -> datetime:
    """The current instant (aware, UTC) by the installed clock."""
    return _current.now()


def today() -> date:
    """The current UTC date by the installed clock."""
    return _current.now().date()


def now_ms() -> int:
    """Milliseconds since the epoch by the installed clock (ids, TTLs, token stamps)."""
    return int(_current.now().timestamp() * 1000)


def epoch_seconds() -> int:
    """Whole seconds since the epoch by the installed clock (DynamoDB TTL attributes)."""
    return int(_current.now().timestamp())


def timestamp() -> float:
    """Seconds since the epoch, with the fraction, by the installed clock (what ``time.time()`` answers)."""
    return _current.now().timestamp()


def current() -> Clock:
    """The installed clock."""
    return _current


def install(clock: Clock) -> Clock:
    """Make ``clock`` the product's clock (composition roots and tests); returns the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """Run a block on ``clock``, then put the previous clock back."""
    previous = install(clock)
    try:
        yield clock
    finally:
        install(previous)
