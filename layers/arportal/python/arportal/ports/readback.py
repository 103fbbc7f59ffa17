"""What the agency's systems read back: the event feed, the payments that changed, and invoices by their key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from arportal.domain.event_feed import FeedEvent
from arportal.domain.models import Allocation, Invoice, Payment


@dataclass(frozen=True)
class PaymentRef:
    customer_id: str | None  # None: a guest's payment
    payment_id: str


@dataclass(frozen=True)
class PaymentWithAllocations:
    payment: Payment
    allocations: list[Allocation]


class EventFeedStore(Protocol):
    def events(self, *, after: str, before: str, limit: int) -> list[FeedEvent]:
        """Every event with ``after < event_id < before`` (positions, ``domain/event_feed``), oldest first, at most
        ``limit``; fewer only when ``before`` is reached, or when two reads of the index did not fill the page."""
        ...

    def payment_events(self, *, after: str, before: str, limit: int) -> list[FeedEvent]:
        """The same, of the events about payments only (``entity.type == "payment"``)."""
        ...


class PaymentReadbackStore(Protocol):
    def payments(self, wanted: Sequence[PaymentRef]) -> dict[str, PaymentWithAllocations]:
        """The payments of ``wanted`` that exist, by payment id, each with every allocation it made."""
        ...


class InvoiceBalanceStore(Protocol):
    def invoices(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Invoice]:
        """The invoices of ``keys`` ((customer id, invoice id)) that exist, by key."""
        ...
