"""Days that no other test of this process writes to, for tests that read "everything on a day".

The integration tests share one ledger per process, so a test that counts a day's payments picks a day nobody
else uses. Days come from a counter rather than a random draw, relative to the session's day (``tests/clock.py``)
rather than a calendar date: the same order of calls gives the same days, and no two calls ever share one.
"""

from __future__ import annotations

import itertools
import threading
from datetime import date, timedelta

from tests.clock import SESSION_TODAY

_FAR = timedelta(days=25 * 365)  # far from any day the other tests build around the session's day
# Each call owns a stretch of 100 days, wider than any window a job or report looks across (reminders look 31
# days ahead, overdue notices 7 back, reports at most 92 days), so one test's invoices never fall into another's.
_GAP = 100
_taken = itertools.count()
_lock = threading.Lock()


def quiet_day(*, past: bool = False, days: int = 1) -> date:
    """The first of ``days`` consecutive quiet days, about 25 years after (or before) the session's day."""
    if not 1 <= days <= 3:
        raise ValueError("at most 3 consecutive days")
    with _lock:
        k = next(_taken)
    return SESSION_TODAY + (-_FAR if past else _FAR) + timedelta(days=k * _GAP)


def quiet_payout_day() -> date:
    """A quiet banking day whose next four banking days bring the sandbox's ordinary payouts.

    One day in twenty (by a hash of the day) the sandbox splits a payout or holds a transaction back a day, as
    processors do; ``tests/integration/test_settlement_payouts.py`` covers those. A test that expects a day's
    money in one payout on T+2 picks a day without them, so it does not fail on one day in ten."""
    from arportal.adapters.sandbox_payouts import PayoutRules
    from arportal.domain.banking_days import add_banking_days, is_banking_day

    rules = PayoutRules()
    while True:
        day = quiet_day()
        later = [add_banking_days(day, k) for k in range(1, 5)]
        if is_banking_day(day) and not any(rules.splits(d, "USD") or rules.holds_back(d, "USD") for d in later):
            return day
