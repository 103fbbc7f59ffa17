"""What the daily totals need from storage: a payment as it stands, the share of its day it last added, replacing
that share and moving its day's counters in one conditional write, and a range of days' counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from arportal.domain.daily_totals import Share
from arportal.domain.models import Allocation, Payment


@dataclass(frozen=True)
class HeldShare:
    """The share a payment last added to its day, and the payment's version it was worked out from."""

    version: int
    share: Share


@dataclass(frozen=True)
class DayTotals:
    day: date
    counters: dict[str, int]
    discrepancies: list[str]  # payment ids whose allocations exceed their amount


class DailyTotalsStore(Protocol):
    def payment_now(self, customer_id: str, payment_id: str) -> tuple[Payment, list[Allocation]] | None:
        """The payment and its allocations, read consistently; None if there is no such payment."""
        ...

    def held_share(self, customer_id: str, payment_id: str) -> HeldShare | None: ...

    def replace_share(
        self, customer_id: str, payment_id: str, *, held: HeldShare | None, version: int, share: Share
    ) -> None:
        """Write the new share and move the day's counters by the difference, in one transaction conditioned on the
        held share being what it was (absent, or at ``held.version``); raises ConflictError if it was not."""
        ...

    def days(self, currency: str, start: date, end: date) -> list[DayTotals]:
        """The days of the range that have totals, oldest first (one item per day)."""
        ...
