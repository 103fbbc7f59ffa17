"""Likely duplicate payments of a customer (``domain/duplicates.py`` holds the rule)."""

from __future__ import annotations

from datetime import timedelta

from arportal.domain.duplicates import DuplicatePair, PaymentFacts, duplicate_of, likely_duplicates
from arportal.ports import RecentPayments

RECENT = 100  # the newest payments compared: a window of minutes never reaches further back on one record


def customer_duplicates(reader: RecentPayments, customer_id: str, *, window_minutes: int) -> list[DuplicatePair]:
    facts = reader.recent_payment_facts(customer_id, limit=RECENT)
    return likely_duplicates(facts, timedelta(minutes=window_minutes))


def duplicate_hint(reader: RecentPayments, payment: PaymentFacts, *, window_minutes: int) -> str | None:
    """The earlier payment a payment just taken likely repeats (``likely_duplicate_of``), if any."""
    if payment.customer_id is None:
        return None
    recent = reader.recent_payment_facts(payment.customer_id, limit=20)
    return duplicate_of(
        payment, [p for p in recent if p.payment_id != payment.payment_id], timedelta(minutes=window_minutes)
    )
