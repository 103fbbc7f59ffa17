"""Which outbox events are a payment's first outcome, for the payment success rate on the operators' dashboard.

A payment's first event says how its attempt went: ``payment.posted`` or ``payment.pending`` (accepted: a card
charged, an ACH debit accepted for clearing) or ``payment.failed`` (declined, or a scheduled charge given up). A
later status change (a pending debit that settles or fails, a refund, a reversal) carries ``previous_status`` and is
not an attempt's outcome (docs/events.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    FAILED = "failed"


_FIRST = {"payment.posted": Outcome.ACCEPTED, "payment.pending": Outcome.ACCEPTED, "payment.failed": Outcome.FAILED}


def first_outcome(detail_type: str, detail: Mapping[str, Any]) -> Outcome | None:
    if "previous_status" in detail:
        return None
    return _FIRST.get(detail_type)
