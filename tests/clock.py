"""The day the test session runs on: every test, fixture and seed is built relative to it, never to a calendar date.

The session travels (time-machine, ticking) to noon UTC of that day before any test module is imported, so
``arportal.clock``, moto, Cognito's tokens and Powertools' idempotency expiry all agree on it, and a session of
minutes never crosses midnight. By default it is the machine's own date, so the suite proves itself on whatever
day it runs; two environment variables move it:

    ARPORTAL_TEST_TODAY=2028-02-29     run as if it were that day
    ARPORTAL_TEST_DAYS_AHEAD=400       run that many days after the machine's date (``make test`` does this once
                                       for the tests marked ``dates``)

The chosen day is printed in pytest's header. The controller decides it once and hands it to xdist's workers
through ``ARPORTAL_TEST_NOW``, so a run that starts just before midnight still has one day.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta

import time_machine

_DECIDED = "ARPORTAL_TEST_NOW"


def _choose() -> datetime:
    if decided := os.environ.get(_DECIDED):
        return datetime.fromisoformat(decided)
    if chosen := os.environ.get("ARPORTAL_TEST_TODAY"):
        day = date.fromisoformat(chosen)
    else:
        day = datetime.now(UTC).date() + timedelta(days=int(os.environ.get("ARPORTAL_TEST_DAYS_AHEAD", "0")))
    return datetime.combine(day, time(12), tzinfo=UTC)


SESSION_NOW = _choose()
SESSION_TODAY = SESSION_NOW.date()
os.environ[_DECIDED] = SESSION_NOW.isoformat()

_travel: time_machine.travel | None = None


def start() -> None:
    """Move this process to the session's day (idempotent; the root conftest calls it at import)."""
    global _travel  # noqa: PLW0603 - one travel for the life of the process
    if _travel is None:
        _travel = time_machine.travel(SESSION_NOW, tick=True)
        _travel.start()


def describe() -> str:
    real = time_machine.escape_hatch.datetime.datetime.now(UTC).date()
    return f"session day {SESSION_TODAY.isoformat()} (noon UTC, ticking); machine date {real.isoformat()}"
