"""NACHA return codes: categories, re-presentment limits and the return-rate monitor, at their boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from arportal.domain.nacha_returns import (
    RETURN_REASONS,
    RateStatus,
    ReturnCategory,
    ReturnedEntry,
    categories,
    may_represent,
    reason,
    return_rates,
)

TODAY = date(2031, 5, 20)


def test_the_codes_a_bank_sends_have_names():
    for n in [*range(1, 40), 51, 52, 53]:
        assert f"R{n:02d}" in RETURN_REASONS
    assert reason("r01") == "Insufficient funds"
    assert reason("R99") == "Unknown return reason"


@pytest.mark.parametrize("code", ["R05", "R07", "R10", "R11", "R29", "R51"])
def test_unauthorized_codes(code):
    assert categories(code) == {ReturnCategory.UNAUTHORIZED, ReturnCategory.OVERALL}


@pytest.mark.parametrize("code", ["R02", "R03", "R04"])
def test_administrative_codes(code):
    assert categories(code) == {ReturnCategory.ADMINISTRATIVE, ReturnCategory.OVERALL}


@pytest.mark.parametrize("code", ["R01", "R09", "R08", "R16", "R99"])
def test_other_codes_count_overall_only(code):
    assert categories(code) == {ReturnCategory.OVERALL}


@pytest.mark.parametrize(
    ("code", "presentments", "days", "expected"),
    [
        ("R01", 1, 0, True),
        ("R09", 2, 180, True),  # the second re-presentment, on the 180th day
        ("R01", 3, 10, False),  # three presentments already
        ("R01", 2, 181, False),  # past 180 days
        ("R02", 1, 1, False),  # only insufficient or uncollected funds
        ("R10", 1, 1, False),
        (None, 1, 1, False),
        ("r01", 1, 5, True),
    ],
)
def test_may_represent(code, presentments, days, expected):
    first = date(2031, 1, 2)
    assert may_represent(code, presentments, first, first + timedelta(days=days)) is expected


def _rates(unauthorized: int, administrative: int, other: int, debits: int, *, on: date = TODAY):
    returns = (
        [ReturnedEntry("R10", on)] * unauthorized
        + [ReturnedEntry("R03", on)] * administrative
        + [ReturnedEntry("R01", on)] * other
    )
    return return_rates(returns, {on: debits}, today=TODAY)


@pytest.mark.parametrize(
    ("returns", "status"),
    [(39, RateStatus.OK), (40, RateStatus.WARNING), (50, RateStatus.WARNING), (51, RateStatus.BREACH)],
)
def test_unauthorized_limit_is_half_a_percent_warning_at_eighty_percent_of_it(returns, status):
    rate = _rates(returns, 0, 0, 10_000).rates[ReturnCategory.UNAUTHORIZED]
    assert rate.status is status


@pytest.mark.parametrize(
    ("returns", "status"),
    [(239, RateStatus.OK), (240, RateStatus.WARNING), (300, RateStatus.WARNING), (301, RateStatus.BREACH)],
)
def test_administrative_limit_is_three_percent(returns, status):
    assert _rates(0, returns, 0, 10_000).rates[ReturnCategory.ADMINISTRATIVE].status is status


@pytest.mark.parametrize(
    ("returns", "status"),
    [(1_199, RateStatus.OK), (1_200, RateStatus.WARNING), (1_500, RateStatus.WARNING), (1_501, RateStatus.BREACH)],
)
def test_overall_limit_is_fifteen_percent_and_counts_every_return(returns, status):
    rates = _rates(returns // 3, returns // 3, returns - 2 * (returns // 3), 10_000)
    assert rates.rates[ReturnCategory.OVERALL].returns == returns
    assert rates.rates[ReturnCategory.OVERALL].status is status


def test_only_the_sixty_days_ending_today_count():
    first_day = TODAY - timedelta(days=59)
    returns = [ReturnedEntry("R10", first_day), ReturnedEntry("R10", first_day - timedelta(days=1))]
    debits = {first_day: 100, first_day - timedelta(days=1): 900, TODAY + timedelta(days=1): 500}
    rates = return_rates(returns, debits, today=TODAY)
    assert rates.debits == 100
    assert rates.rates[ReturnCategory.UNAUTHORIZED].returns == 1
    assert rates.rates[ReturnCategory.UNAUTHORIZED].percent == 1.0
    assert rates.status is RateStatus.BREACH


def test_no_debits_and_no_returns_is_ok_and_returns_without_debits_breach():
    assert return_rates([], {}, today=TODAY).status is RateStatus.OK
    assert return_rates([ReturnedEntry("R01", TODAY)], {}, today=TODAY).status is RateStatus.BREACH
