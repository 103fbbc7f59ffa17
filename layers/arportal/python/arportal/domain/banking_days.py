"""Banking days: the days the Federal Reserve's payment systems run, so the days money can move between banks.

A banking day is a weekday that is not one of the Federal Reserve's holidays (``fed_holidays``) and not one of the
agency's own extra closures (``closures``: a frozenset of dates, e.g. a state holiday its bank keeps, or a storm).

The observed-date rule is the Federal Reserve's, not the federal government's: a holiday on a Sunday is observed on
the Monday after, but a holiday on a Saturday is NOT moved to the Friday before; the Reserve Banks stay open that
Friday. Sources: the Federal Reserve Board's K.8 "Holidays Observed by the Federal Reserve System" ("For holidays
falling on Saturday, Federal Reserve Banks and Branches will be open the preceding Friday ... For holidays falling
on Sunday, all Federal Reserve offices will be closed the following Monday",
https://www.federalreserve.gov/aboutthefed/k8.htm) and the Richmond Fed's schedule for 2025-2027
(https://www.richmondfed.org/about_us/holiday_schedule: Juneteenth 2027 and Christmas 2027 are marked Saturday
with no Friday closure). So July 3, 2026 (Independence Day is a Saturday) is a banking day, and July 5, 2027
(Independence Day is a Sunday) is not.

Juneteenth is a Fed holiday from 2022 (it became a federal holiday on June 17, 2021, too late for the Reserve Banks
to close the next day).

Counting: ``add_banking_days(d, n)`` is the n-th banking day after ``d`` (before, for a negative ``n``; ``d``
itself for 0), and ``banking_days_between(a, b)`` counts the banking days stepped on from ``a`` to ``b``, so that
``banking_days_between(d, add_banking_days(d, n)) == n`` for every ``d`` and ``n``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

NO_CLOSURES: frozenset[date] = frozenset()
JUNETEENTH_FROM = 2022
_DAY = timedelta(days=1)
_MONDAY, _THURSDAY, _SATURDAY, _SUNDAY = 0, 3, 5, 6


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th ``weekday`` of the month (n >= 1), or the last one for n = -1."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - _DAY
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date | None:
    """Sunday moves to Monday; Saturday is not observed at all (the Fed's rule, see the module's sources)."""
    if day.weekday() == _SUNDAY:
        return day + _DAY
    return None if day.weekday() == _SATURDAY else day


@lru_cache(maxsize=64)
def fed_holidays(year: int) -> Mapping[date, str]:
    """The days of ``year`` the Federal Reserve is closed for a holiday (observed dates), with the holiday's name."""
    fixed = {
        "New Year's Day": date(year, 1, 1),
        "Juneteenth National Independence Day": date(year, 6, 19) if year >= JUNETEENTH_FROM else None,
        "Independence Day": date(year, 7, 4),
        "Veterans Day": date(year, 11, 11),
        "Christmas Day": date(year, 12, 25),
    }
    closed = {observed: name for name, day in fixed.items() if day and (observed := _observed(day))}
    # The Monday and Thursday holidays never fall on a weekend.
    closed[_nth_weekday(year, 1, _MONDAY, 3)] = "Birthday of Martin Luther King, Jr."
    closed[_nth_weekday(year, 2, _MONDAY, 3)] = "Washington's Birthday"
    closed[_nth_weekday(year, 5, _MONDAY, -1)] = "Memorial Day"
    closed[_nth_weekday(year, 9, _MONDAY, 1)] = "Labor Day"
    closed[_nth_weekday(year, 10, _MONDAY, 2)] = "Columbus Day"
    closed[_nth_weekday(year, 11, _THURSDAY, 4)] = "Thanksgiving Day"
    return MappingProxyType(dict(sorted(closed.items())))  # cached, so never to be changed by a caller


def is_banking_day(day: date, closures: frozenset[date] = NO_CLOSURES) -> bool:
    return day.weekday() < _SATURDAY and day not in fed_holidays(day.year) and day not in closures


def add_banking_days(day: date, n: int, closures: frozenset[date] = NO_CLOSURES) -> date:
    """The n-th banking day after ``day`` (n > 0), before it (n < 0), or ``day`` itself (n = 0)."""
    step = _DAY if n > 0 else -_DAY
    left = abs(n)
    while left:
        day += step
        if is_banking_day(day, closures):
            left -= 1
    return day


def previous_banking_day(day: date, closures: frozenset[date] = NO_CLOSURES) -> date:
    """The last banking day before ``day``."""
    return add_banking_days(day, -1, closures)


def next_banking_day(day: date, closures: frozenset[date] = NO_CLOSURES) -> date:
    """The first banking day after ``day``."""
    return add_banking_days(day, 1, closures)


def banking_days_between(start: date, end: date, closures: frozenset[date] = NO_CLOSURES) -> int:
    """The banking days after ``start`` up to and including ``end``; negative (those from ``end`` up to but not
    including ``start``) when ``end`` is earlier: the inverse of ``add_banking_days``."""
    if end < start:
        return -sum(is_banking_day(end + i * _DAY, closures) for i in range((start - end).days))
    return sum(is_banking_day(start + i * _DAY, closures) for i in range(1, (end - start).days + 1))
