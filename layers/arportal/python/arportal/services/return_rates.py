"""The ACH return-rate monitor: unauthorized, administrative and overall returns over the rolling 60 days against
the NACHA limits (``domain/nacha_returns.py`` holds the rule), and the alarm's metric before a limit is reached.

Both counts are one item per day, so the rates read O(60) items in two queries:
- debit entries originated: the daily totals' ``m.<channel>.ach.attempted`` counters (every ACH debit the agency
  sent to its bank, whatever became of it);
- returns: ``ReturnCounts``, counted per return code on the day the bank file reported them, once per bank line.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from arportal.domain.models import PaymentMethodType
from arportal.domain.nacha_returns import WINDOW_DAYS, RateStatus, ReturnedEntry, ReturnRates, return_rates
from arportal.ports import DailyTotalsStore, DayTotals, RecordedReturn, ReturnCounts, ReturnRateAlerts

_ACH_ATTEMPTED = f".{PaymentMethodType.ACH.value}.attempted"


def debits_by_day(days: list[DayTotals]) -> dict[date, int]:
    """ACH debits originated each day, over every channel (portal, autopay, phone...)."""
    out: dict[date, int] = defaultdict(int)
    for day in days:
        for name, n in day.counters.items():
            if name.startswith("m.") and name.endswith(_ACH_ATTEMPTED):
                out[day.day] += n
    return dict(out)


def current_rates(
    counts: ReturnCounts, totals: DailyTotalsStore, *, currency: str, today: date, window_days: int = WINDOW_DAYS
) -> ReturnRates:
    start = today - timedelta(days=window_days - 1)
    returns = [
        ReturnedEntry(code, day.day) for day in counts.days(start, today) for code, n in day.by_code.items()
        for _ in range(n)
    ]  # fmt: skip
    debits = debits_by_day(totals.days(currency, start, today))
    return return_rates(returns, debits, today=today, window_days=window_days)


def record_return(
    returned: RecordedReturn,
    *,
    counts: ReturnCounts,
    totals: DailyTotalsStore,
    alerts: ReturnRateAlerts,
    currency: str,
    at: datetime,
) -> ReturnRates | None:
    """Count the return once (a line seen again in another file is not counted twice) and raise the warning
    metric for every rate at or past its warning level. None when the line was counted already."""
    if not counts.record(returned, at=at):
        return None
    rates = current_rates(counts, totals, currency=currency, today=at.date())
    for category, rate in rates.rates.items():
        if rate.status is not RateStatus.OK:
            alerts.warning(category.value, rate.percent)
    return rates
