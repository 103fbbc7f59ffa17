"""Banking days: the Federal Reserve's published holiday lists as fixed expectations, and the counting properties.

The lists are the Federal Reserve's own (K.8 for 2020-2024, the Richmond Fed's schedule for 2025-2027): written out
here by hand, not computed, so a wrong rule in ``banking_days`` cannot agree with itself.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.banking_days import (
    add_banking_days,
    banking_days_between,
    fed_holidays,
    is_banking_day,
    next_banking_day,
    previous_banking_day,
)

PUBLISHED = {
    2022: ["01-17", "02-21", "05-30", "06-20", "07-04", "09-05", "10-10", "11-11", "11-24", "12-26"],
    2023: ["01-02", "01-16", "02-20", "05-29", "06-19", "07-04", "09-04", "10-09", "11-23", "12-25"],
    2024: ["01-01", "01-15", "02-19", "05-27", "06-19", "07-04", "09-02", "10-14", "11-11", "11-28", "12-25"],
    2025: ["01-01", "01-20", "02-17", "05-26", "06-19", "07-04", "09-01", "10-13", "11-11", "11-27", "12-25"],
    2026: ["01-01", "01-19", "02-16", "05-25", "06-19", "09-07", "10-12", "11-11", "11-26", "12-25"],
    2027: ["01-01", "01-18", "02-15", "05-31", "07-05", "09-06", "10-11", "11-11", "11-25"],
}


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_the_holidays_are_the_federal_reserve_s_published_list(year):
    assert list(fed_holidays(year)) == [date.fromisoformat(f"{year}-{md}") for md in PUBLISHED[year]]


@pytest.mark.parametrize(
    ("day", "banking", "why"),
    [
        ("2026-07-03", True, "Independence Day 2026 is a Saturday: the Fed does not close the Friday before"),
        ("2027-06-18", True, "Juneteenth 2027 is a Saturday: not observed"),
        ("2027-12-24", True, "Christmas 2027 is a Saturday: not observed"),
        ("2027-12-31", True, "New Year's Day 2028 is a Saturday: the Friday before, in another year, stays open"),
        ("2023-11-10", True, "Veterans Day 2023 is a Saturday: not observed"),
        ("2027-07-05", False, "Independence Day 2027 is a Sunday: observed the Monday after"),
        ("2023-01-02", False, "New Year's Day 2023 is a Sunday: observed the Monday after"),
        ("2021-06-18", True, "Juneteenth is a Fed holiday from 2022"),
        ("2026-11-26", False, "Thanksgiving"),
        ("2026-11-27", True, "the Friday after Thanksgiving is a banking day"),
        ("2026-07-04", False, "a Saturday"),
        ("2026-07-05", False, "a Sunday"),
    ],
)
def test_observed_dates(day, banking, why):
    assert is_banking_day(date.fromisoformat(day)) is banking, why


def test_holidays_have_their_names():
    assert fed_holidays(2027)[date(2027, 7, 5)] == "Independence Day"
    assert fed_holidays(2026)[date(2026, 1, 19)] == "Birthday of Martin Luther King, Jr."


def test_counting_across_a_long_weekend():
    # Friday July 2 2027 + 1 banking day: Monday July 5 is the observed Independence Day, so Tuesday July 6
    assert add_banking_days(date(2027, 7, 2), 1) == date(2027, 7, 6)
    assert add_banking_days(date(2027, 7, 2), 2) == date(2027, 7, 7)
    assert previous_banking_day(date(2027, 7, 6)) == date(2027, 7, 2)
    assert next_banking_day(date(2026, 12, 24)) == date(2026, 12, 28)  # Christmas Friday, then the weekend
    assert banking_days_between(date(2027, 7, 2), date(2027, 7, 7)) == 2
    assert banking_days_between(date(2027, 7, 7), date(2027, 7, 2)) == -2
    assert add_banking_days(date(2027, 7, 3), 0) == date(2027, 7, 3)  # zero steps: the day itself, even a Saturday


def test_an_agency_closure_is_not_a_banking_day():
    storm = frozenset({date(2026, 3, 11)})
    assert is_banking_day(date(2026, 3, 11)) and not is_banking_day(date(2026, 3, 11), storm)
    assert add_banking_days(date(2026, 3, 10), 1, storm) == date(2026, 3, 12)
    assert banking_days_between(date(2026, 3, 9), date(2026, 3, 13), storm) == 3


days = st.dates(min_value=date(2022, 1, 1), max_value=date(2035, 12, 31))
closures = st.frozensets(st.dates(min_value=date(2022, 1, 1), max_value=date(2036, 6, 30)), max_size=30)


@given(days, st.integers(min_value=-60, max_value=60), closures)
def test_adding_then_counting_agree(day, n, closed):
    assert banking_days_between(day, add_banking_days(day, n, closed), closed) == n


@given(days, st.integers(min_value=-60, max_value=60).filter(bool), closures)
def test_a_step_never_lands_on_a_weekend_a_holiday_or_a_closure(day, n, closed):
    landed = add_banking_days(day, n, closed)
    assert landed.weekday() < 5 and landed not in fed_holidays(landed.year) and landed not in closed
    assert (landed > day) is (n > 0)
    # and it is the nearest such day: none between is a banking day but the ones counted
    low, high = sorted((day, landed))
    between = [low + timedelta(days=i) for i in range(1, (high - low).days)]
    assert sum(is_banking_day(d, closed) for d in between) == abs(n) - 1


@given(days, closures)
def test_previous_and_next_are_inverse_on_banking_days(day, closed):
    if is_banking_day(day, closed):
        assert next_banking_day(previous_banking_day(day, closed), closed) == day
        assert previous_banking_day(next_banking_day(day, closed), closed) == day


@given(days, days, days, st.booleans())
def test_counts_add_up_over_consecutive_spans_in_one_direction(a, b, c, backwards):
    a, b, c = sorted((a, b, c), reverse=backwards)
    assert banking_days_between(a, b) + banking_days_between(b, c) == banking_days_between(a, c)
