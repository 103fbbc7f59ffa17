"""Payment plans for any balances, counts and rhythms: the quote adds up, and no sequence of payments ever makes the
plan charge more than it owes or more than the schedule asked for."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.models import Instalment, PlanFrequency
from arportal.domain.plans import (
    MAX_INSTALMENTS,
    MIN_INSTALMENT,
    MIN_INSTALMENTS,
    amount_due,
    instalment_dates,
    quote_plan,
    refreshed,
    satisfied_count,
)
from tests import builders as b

TODAY = date(2026, 11, 1)

counts = st.integers(MIN_INSTALMENTS, MAX_INSTALMENTS)
frequencies = st.sampled_from(list(PlanFrequency))
balances = st.lists(st.integers(1, 5_000_000), min_size=1, max_size=6)


@given(balances=balances, count=counts, frequency=frequencies, offset=st.integers(1, 31))
def test_a_quote_adds_up_exactly_in_near_equal_parts_on_rising_dates(balances, count, frequency, offset):
    if sum(balances) < MIN_INSTALMENT * count:
        return  # refused by rule; covered by the unit tests
    invoices = [b.invoice("CUS-PROP0001", "UT-200001", amount=a) for a in balances]
    quote = quote_plan(
        invoices,
        account_number="UT-200001",
        currency="USD",
        count=count,
        frequency=frequency,
        today=TODAY,
        first_due=TODAY + timedelta(days=offset),
    )
    amounts = [i.amount for i in quote.instalments]
    assert sum(amounts) == quote.total == sum(balances)
    assert max(amounts) - min(amounts) <= 1
    assert amounts == sorted(amounts, reverse=True)  # the odd cents come first
    dates = [i.due_date for i in quote.instalments]
    assert len(dates) == count and dates == sorted(set(dates))
    assert dates[0] == TODAY + timedelta(days=offset)


@given(first=st.dates(date(2020, 1, 1), date(2040, 12, 31)), count=counts, frequency=frequencies)
def test_dates_are_a_regular_rhythm(first, count, frequency):
    dates = instalment_dates(first, count, frequency)
    gaps = {(later - earlier).days for earlier, later in pairwise(dates)}
    if frequency is PlanFrequency.MONTHLY:
        assert gaps <= {28, 29, 30, 31} and all(d.day <= first.day for d in dates)
    else:
        assert gaps == {7 if frequency is PlanFrequency.WEEKLY else 14}


@st.composite
def plan_and_payments(draw):
    amounts = draw(st.lists(st.integers(MIN_INSTALMENT, 100_000), min_size=MIN_INSTALMENTS, max_size=12))
    plan = [Instalment(due_date=TODAY + timedelta(days=30 * k), amount=a) for k, a in enumerate(amounts)]
    # Between instalment dates the customer may pay by hand, any amount up to what is owed.
    early = draw(st.lists(st.integers(0, 60_000), min_size=len(plan), max_size=len(plan)))
    return plan, early


@given(plan_and_payments())
def test_autopay_never_collects_more_than_the_plan_and_the_plan_ends_paid(case):
    # Given a plan and payments by hand made before each instalment date
    plan, early = case
    total = sum(i.amount for i in plan)
    owed = total
    charged = by_hand = 0
    for k in range(len(plan)):
        paid_by_hand = min(early[k], owed)
        owed -= paid_by_hand
        by_hand += paid_by_hand
        # When the run charges what is due on this date (and the charge goes through)
        due = amount_due(plan, k, owed)
        # Then it never asks for more than is owed, nor more than the schedule asked for by now
        assert 0 <= due <= owed
        assert total - owed + due <= sum(i.amount for i in plan[: k + 1]) or due == 0
        owed -= due
        charged += due
        # And every instalment up to this date is now covered
        assert satisfied_count(plan, owed) >= k + 1
    assert owed == 0
    assert charged + by_hand == total  # not a cent more was collected than the plan's total
    assert all(i.status.value == "paid" for i in refreshed(plan, owed))
