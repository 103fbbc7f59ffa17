"""Moving the local runtime's clock: ``python -m local --today YYYY-MM-DD`` and ``POST /local/clock``.

The product reads the time only through ``arportal.clock``; ``python -m local`` installs a ``ShiftedClock`` for
the whole process, and these functions check a requested move and make it. The clock only moves forward
(``ShiftedClock`` refuses otherwise): a clock that went back would leave stored "sent on" and "expires at"
times in the future. What stays on real time (moto, Cognito token expiry, waits) is in docs/local-runtime.md.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from arportal import clock

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the product's dates, ids and references are made for these years
_LAST_DAY = date(LAST_YEAR, 12, 31)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # date.fromisoformat also takes 20270301 and 2027-W09-1


class BadMove(ValueError):
    """A clock move that is refused, with a message for the caller."""


class ClockFixed(Exception):
    """The installed clock cannot move (only ``python -m local`` and tests install one that can)."""


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` with a year from 2000 to 2100, or ``BadMove`` saying what is wrong."""
    try:
        day = date.fromisoformat(text) if _ISO_DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise BadMove(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2027-03-01")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadMove(f"{text} is out of range: the year must be from {FIRST_YEAR} to {LAST_YEAR}")
    return day


def reading() -> dict[str, str]:
    """What ``GET /local/clock`` answers."""
    now = clock.now()
    return {"now": now.isoformat(), "today": now.date().isoformat()}


def move(body: Any) -> dict[str, str]:
    """Apply ``{"advance_days": N}`` or ``{"today": "YYYY-MM-DD"}`` to the installed clock; the new reading."""
    if not isinstance(body, dict) or len(body.keys() & {"advance_days", "today"}) != 1:
        raise BadMove('send {"advance_days": N} or {"today": "YYYY-MM-DD"}')
    if unknown := sorted(body.keys() - {"advance_days", "today"}):
        raise BadMove(f"unknown field(s): {', '.join(unknown)}")
    today = clock.today()
    days = _days(body["advance_days"], today) if "advance_days" in body else _days_until(body["today"], today)
    if days:  # {"today": <today>} is already true: nothing to move
        _movable().advance(timedelta(days=days))
    return reading()


def _days(value: Any, today: date) -> int:
    # bool is an int in Python, and 1.0 is a float in JSON: neither is a whole number of days here
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise BadMove(f"advance_days must be a whole number of days, 1 or more (got {value!r})")
    if value > (_LAST_DAY - today).days:  # before timedelta(days=value), which overflows for huge numbers
        raise BadMove(f"advancing {value} days would move the clock past {LAST_YEAR}")
    return value


def _days_until(value: Any, today: date) -> int:
    if not isinstance(value, str):
        raise BadMove(f"today must be a date string YYYY-MM-DD (got {value!r})")
    day = parse_day(value)
    if day < today:
        raise BadMove(f"the clock only moves forward: {day} is before today, {today}")
    return (day - today).days


def _movable() -> clock.ShiftedClock | clock.FrozenClock:
    current = clock.current()
    if not isinstance(current, clock.ShiftedClock | clock.FrozenClock):
        raise ClockFixed(f"this process's clock ({type(current).__name__}) cannot move")
    return current
