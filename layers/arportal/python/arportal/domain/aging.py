"""Aging: how long what is owed has been past due, in the buckets agencies report (current, 1-30, 31-60, 61-90,
90+ days), as of one day.

Pure. A receivable is an invoice's balance as of that day (``amount`` > 0, with its due date) or credit in the
customer's favour (``amount`` < 0, no due date). Invariant: the buckets add up to ``total_due``, and
``total_due - credit`` is the net balance the aging explains.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

BUCKET_LIMITS = (0, 30, 60, 90)  # upper bounds in days past due of: current, 1-30, 31-60, 61-90; beyond: 90+


@dataclass(frozen=True, slots=True)
class Receivable:
    amount: int  # > 0 owed on an invoice, < 0 credit on account
    due_date: date | None = None
    reference: str = ""


@dataclass(frozen=True)
class AgingSummary:
    as_of: date
    current: int = 0
    days_1_30: int = 0
    days_31_60: int = 0
    days_61_90: int = 0
    days_over_90: int = 0
    credit: int = 0  # unapplied credit, as a magnitude

    @property
    def total_due(self) -> int:
        return self.current + self.days_1_30 + self.days_31_60 + self.days_61_90 + self.days_over_90

    @property
    def net(self) -> int:
        return self.total_due - self.credit

    def buckets(self) -> list[tuple[str, int]]:
        return [
            ("Current", self.current),
            ("1-30 days", self.days_1_30),
            ("31-60 days", self.days_31_60),
            ("61-90 days", self.days_61_90),
            ("Over 90 days", self.days_over_90),
        ]


def days_past_due(due_date: date, as_of: date) -> int:
    return max(0, (as_of - due_date).days)


def bucket_index(due_date: date, as_of: date) -> int:
    """0 current (not yet due, or due that day), 1: 1-30, 2: 31-60, 3: 61-90, 4: over 90 days past due."""
    late = days_past_due(due_date, as_of)
    return next((i for i, limit in enumerate(BUCKET_LIMITS) if late <= limit), len(BUCKET_LIMITS))


def age_receivables(receivables: Iterable[Receivable], *, as_of: date) -> AgingSummary:
    buckets = [0] * (len(BUCKET_LIMITS) + 1)
    credit = 0
    for item in receivables:
        if item.amount < 0:
            credit -= item.amount
        elif item.amount > 0:
            due = item.due_date or as_of
            buckets[bucket_index(due, as_of)] += item.amount
    current, days_1_30, days_31_60, days_61_90, days_over_90 = buckets
    return AgingSummary(as_of, current, days_1_30, days_31_60, days_61_90, days_over_90, credit=credit)
