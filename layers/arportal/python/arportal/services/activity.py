"""Browsing payments by day (the activity index): newest first, filtered, a bounded page at a time.

One Query reads one day; a page walks back from the newest day of the range until it holds ``limit`` payments,
reaches the first day, or has spent ``MAX_QUERIES_PER_PAGE`` queries (a quiet filter over a long range then
returns a short page with a cursor, rather than reading 92 days in one request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from arportal.domain.models import Payment
from arportal.domain.reports import MAX_REPORT_DAYS, report_days
from arportal.ports import ActivityFilter, ActivityReader

MAX_QUERIES_PER_PAGE = 24


@dataclass(frozen=True)
class ActivityCursor:
    """Where the next page starts: a day, and the index key within it to go on after (None: its start)."""

    day: date
    key: dict[str, object] | None = None


@dataclass(frozen=True)
class ActivityPage:
    payments: list[Payment]
    next: ActivityCursor | None
    queries: int


def browse(
    reader: ActivityReader,
    *,
    start: date,
    end: date,
    where: ActivityFilter,
    limit: int,
    cursor: ActivityCursor | None = None,
    max_days: int = MAX_REPORT_DAYS,
) -> ActivityPage:
    report_days(start, end, max_days=max_days)  # the range rules: not backwards, at most 92 days unless told
    day = cursor.day if cursor else end
    key = cursor.key if cursor else None
    found: list[Payment] = []
    queries = 0
    while day >= start and len(found) < limit and queries < MAX_QUERIES_PER_PAGE:
        page = reader.day_payments(day, where, limit=limit - len(found), start=key)
        queries += 1
        found.extend(page.items)
        if page.next_key:
            key = page.next_key
        elif day == start:  # the range's first day read to its end (and never a step before date.min)
            return ActivityPage(found, None, queries)
        else:
            day, key = day - timedelta(days=1), None
    return ActivityPage(found, ActivityCursor(day, key) if day >= start else None, queries)
