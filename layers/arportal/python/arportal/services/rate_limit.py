"""Applying the rate rules: refuse while a subject is over a limit, count failures, or spend an allowance.

Subjects (a client address, an invoice number, a login) are hashed before they become part of a key, so the
counters hold no personal data and a stored key reveals nothing about what was guessed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from arportal.domain.portal_errors import RateLimitedError
from arportal.domain.rate_limits import Limited, RateRule
from arportal.ports import RateCounter

Subject = tuple[RateRule, str]


def subject_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def over_limit(counter: RateCounter, subjects: Sequence[Subject], *, now: datetime) -> Limited | None:
    """The first rule whose window is already full for its subject (one read for all of them)."""
    counts = counter.counts([(rule.name, rule.window_s, subject_key(s)) for rule, s in subjects], now=now)
    for (rule, _), count in zip(subjects, counts, strict=True):
        if count >= rule.limit:
            return Limited(rule, rule.retry_after(now))
    return None


def refuse_if_limited(counter: RateCounter, subjects: Sequence[Subject], *, now: datetime, message: str) -> None:
    limited = over_limit(counter, subjects, now=now)
    if limited is not None:
        raise RateLimitedError(message, retry_after=limited.retry_after)


def count_failure(counter: RateCounter, subjects: Sequence[Subject], *, now: datetime) -> None:
    """One more failure against every subject (a full window simply stays full)."""
    for rule, subject in subjects:
        counter.add(rule.name, rule.window_s, subject_key(subject), limit=rule.limit, now=now)


def spend(counter: RateCounter, rule: RateRule, subject: str, *, now: datetime, message: str) -> None:
    """Count one use of an allowance (emails sent, requests filed); ``RateLimitedError`` once it is used up."""
    if counter.add(rule.name, rule.window_s, subject_key(subject), limit=rule.limit, now=now) is None:
        raise RateLimitedError(message, retry_after=rule.retry_after(now))
