"""What the daily totals need from storage: a payment as it stands, the share of its day it last added, replacing
that share and moving its day's counters in one conditional write, and a range of days' counters; and what the
metrics read beside them: the GL journals of a range's banking days and the deposits arriving in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from arportal.domain.daily_totals import Share
from arportal.domain.gl_variance import JournalDay
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

    def interaction_days(self, start: date, end: date) -> list[DayTotals]:
        """The days of the range on which interactions were recorded, oldest first: counters ``int.<kind>``."""
        ...

    def recount_interactions(self, day: date, counts: dict[str, int]) -> bool:
        """Raise the day's interaction counts (kind -> n) to these, never lower them, unless one was counted since
        they were read (False)."""
        ...


@dataclass(frozen=True)
class Deposit:
    """A deposit the agency expects (a processor payout, or a counter deposit: ``PAYOUT#`` items)."""

    deposit_id: str
    currency: str
    arrival: date
    deposited_on: date | None  # the day finance confirmed it; None while expected


@dataclass(frozen=True)
class DepositPaymentsPage:
    payments: list[Payment]
    next: str | None  # opaque: where the next page starts


class MetricsSources(Protocol):
    """The GL journals and the deposits, as the metrics read them."""

    def journal_days(self, days: Sequence[date]) -> dict[date, JournalDay | None]:
        """Each banking day's journal over all its batches (None: none stored), in few round trips: the batch ids
        are known (``GL-<agency>-<yyyymmdd>-<nn>``), so no index is needed."""
        ...

    def deposits(self, start: date, end: date) -> list[Deposit]:
        """The deposits arriving from ``start`` to ``end``."""
        ...

    def deposit_payments(
        self, start: date, end: date, *, currency: str, limit: int, cursor: str | None
    ) -> DepositPaymentsPage:
        """The payments of the confirmed deposits of ``currency`` arriving in the range, a page at a time."""
        ...
