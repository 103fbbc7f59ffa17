"""What people read of an instant: the agency's zone, its abbreviation, and its calendar day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.agency_time import AgencyTime

CHICAGO = AgencyTime("America/Chicago")


@pytest.mark.parametrize(
    ("instant", "text"),
    [
        (datetime(2026, 12, 3, 14, 32, tzinfo=UTC), "3 December 2026, 8:32 AM CST"),  # winter: UTC-6
        (datetime(2026, 7, 3, 14, 32, tzinfo=UTC), "3 July 2026, 9:32 AM CDT"),  # summer: UTC-5
        (datetime(2026, 12, 3, 3, 5, tzinfo=UTC), "2 December 2026, 9:05 PM CST"),  # the evening before
        (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "1 November 2026, 1:30 AM CDT"),  # the hour that happens twice
        (datetime(2026, 11, 1, 7, 30, tzinfo=UTC), "1 November 2026, 1:30 AM CST"),
        (datetime(2026, 12, 3, 12, 0, tzinfo=UTC), "3 December 2026, 6:00 AM CST"),
    ],
)
def test_an_instant_reads_in_the_agency_zone_with_its_abbreviation(instant, text):
    assert CHICAGO.moment_text(instant) == text


def test_the_default_is_utc_and_a_zone_without_a_name_shows_its_offset():
    at = datetime(2026, 12, 3, 0, 15, tzinfo=UTC)
    assert AgencyTime().moment_text(at) == "3 December 2026, 12:15 AM UTC"
    assert AgencyTime("America/Sao_Paulo").moment_text(at) == "2 December 2026, 9:15 PM UTC-3"
    assert AgencyTime("Asia/Kathmandu").moment_text(at) == "3 December 2026, 6:00 AM UTC+05:45"


def test_a_calendar_date_is_never_shifted():
    assert CHICAGO.date_text(date(2026, 12, 3)) == "3 December 2026"
    assert CHICAGO.day(datetime(2026, 12, 3, 3, 0, tzinfo=UTC)) == date(2026, 12, 2)


# hypothesis bounds are naive by its API; the drawn instants carry UTC
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)))  # noqa: DTZ001
def test_the_local_day_is_the_utc_day_or_the_one_before_in_chicago(instant):
    day = CHICAGO.day(instant)
    assert day in {instant.date(), date.fromordinal(instant.date().toordinal() - 1)}
    # The same instant, only shown differently. Compared in UTC: Python calls an aware time in a repeated hour
    # (1 AM on the day DST ends) unequal to every time of another zone (PEP 495), whatever instant it is.
    assert CHICAGO.local(instant).astimezone(UTC) == instant


def test_the_hour_shown_twice_when_dst_ends_is_two_instants():
    first, second = datetime(2016, 11, 6, 6, 0, tzinfo=UTC), datetime(2016, 11, 6, 7, 0, tzinfo=UTC)
    assert CHICAGO.local(first).hour == CHICAGO.local(second).hour == 1
    assert CHICAGO.local(first).astimezone(UTC) == first and CHICAGO.local(second).astimezone(UTC) == second
