"""The GL side of the metrics: which journals a range is compared with, the variance, the receipts a correction
posted again, and the deposited stage, through ``services/daily_totals.metrics`` with in-memory sources."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from arportal.domain.gl_variance import (
    JournalDay,
    corrected_days,
    covered,
    gl_variance,
    journal_days,
    receipts_of_json,
    taken_by,
)
from arportal.domain.metrics import DepositTime, deposit_stage
from arportal.ports import DayTotals
from arportal.ports.daily_totals import Deposit, DepositPaymentsPage
from arportal.services import daily_totals

FRI, SAT, SUN, MON, TUE = (date(2026, 11, 6) + timedelta(days=i) for i in range(5))


def test_a_range_ending_on_a_saturday_is_compared_with_mondays_journal_which_takes_the_weekend():
    assert journal_days(FRI, SAT) == [FRI, MON]
    assert covered([FRI, MON]) == (FRI, MON)  # Thursday's journal took Thursday
    assert taken_by(MON) == [SAT, SUN, MON]
    assert journal_days(SUN, SUN) == [MON] and covered([MON]) == (SAT, MON)
    # Veterans Day (Wednesday 11 November 2026) is a Federal Reserve holiday: Thursday's journal takes it.
    assert journal_days(date(2026, 11, 11), date(2026, 11, 11)) == [date(2026, 11, 12)]


def test_the_receipts_of_a_journal_are_its_payment_credits_to_revenue_and_credit_held():
    lines = [
        {"kind": "payment", "currency": "USD", "debit": 9_225, "credit": 0, "source": {"payment_id": "p"}},
        {"kind": "payment", "currency": "USD", "debit": 0, "credit": 5_000, "source": {"invoice_id": "i1"}},
        {"kind": "payment", "currency": "USD", "debit": 0, "credit": 4_000, "source": {"credit_note_id": "c"}},
        {"kind": "payment", "currency": "USD", "debit": 0, "credit": 225, "source": {"payment_id": "p"}},  # fee
        {"kind": "payment", "currency": "USD", "debit": 4_000, "credit": 0, "source": {"payment_id": "p"}},  # due from
        {"kind": "refund", "currency": "USD", "debit": 1_000, "credit": 0, "source": {"invoice_id": "i1"}},
    ]
    assert receipts_of_json({"lines": lines}) == {"USD": 9_000}
    mirrored = [{**x, "debit": x["credit"], "credit": x["debit"]} for x in lines]  # a correction's reversal
    assert receipts_of_json({"lines": lines + mirrored}) == {"USD": 0}


def test_the_variance_is_zero_when_the_journals_hold_what_the_subledger_applied():
    journals = {FRI: JournalDay(FRI, {"USD": 500}, False), MON: JournalDay(MON, {"USD": 700}, False)}
    received = {FRI: 500, SAT: 300, SUN: 0, MON: 400, TUE: 9_999}  # Tuesday is not in the period
    v = gl_variance(received, journals, currency="USD")
    assert (v.subledger, v.gl, v.variance, v.available, v.missing_days) == (1_200, 1_200, 0, True, [])


def test_a_day_without_its_journal_makes_the_variance_unavailable_and_names_the_day():
    v = gl_variance({FRI: 500, MON: 700}, {FRI: JournalDay(FRI, {"USD": 500}, False), MON: None}, currency="USD")
    assert (v.variance, v.available, v.missing_days) == (700, False, [MON])


def test_a_corrected_journal_marks_every_day_it_took():
    assert corrected_days({MON: JournalDay(MON, {}, True), TUE: JournalDay(TUE, {}, False), FRI: None}) == {
        SAT,
        SUN,
        MON,
    }


def test_the_deposited_stage_is_per_deposit_from_its_arrival_to_its_confirmation():
    stage = deposit_stage(
        [
            DepositTime(FRI, MON),  # one banking day
            DepositTime(MON, TUE),  # one
            DepositTime(FRI, date(2026, 11, 13)),  # Fri -> next Fri: 4 (Veterans Day is a holiday)
            DepositTime(MON, None),  # not confirmed yet: not measured
            DepositTime(TUE, MON),  # confirmed before it arrived (a mistake): not measured
        ]
    )
    assert (stage.count, stage.average_days, stage.p90_days) == (3, 2.0, 4)
    assert stage.histogram[1] == 2 and stage.histogram[4] == 1


class Totals:
    def __init__(self, days: dict[date, dict[str, int]]) -> None:
        self.held = days

    def days(self, currency: str, start: date, end: date) -> list[DayTotals]:
        return [DayTotals(d, c, []) for d, c in sorted(self.held.items()) if start <= d <= end]


class Sources:
    def __init__(self, journals: dict[date, JournalDay | None], deposits: list[Deposit]) -> None:
        self.journals = journals
        self.deposits_held = deposits
        self.asked: list[date] = []

    def journal_days(self, days: Sequence[date]) -> dict[date, JournalDay | None]:
        self.asked += days
        return {d: self.journals.get(d) for d in days}

    def deposits(self, start: date, end: date) -> list[Deposit]:
        return [x for x in self.deposits_held if start <= x.arrival <= end]

    def deposit_payments(self, start, end, *, currency, limit, cursor) -> DepositPaymentsPage:
        return DepositPaymentsPage([], None)


def test_the_metrics_read_the_journals_of_the_range_and_a_correction_costs_accuracy():
    counters = {
        SAT: {"col.n": 2, "m.portal.card.first_time": 2, "m.portal.card.attempted": 2, "rcv.amt": 300},
        MON: {"col.n": 1, "m.portal.card.first_time": 1, "m.portal.card.attempted": 1, "rcv.amt": 400},
        FRI: {"col.n": 1, "m.portal.card.first_time": 0, "m.portal.card.attempted": 1, "rcv.amt": 500},
    }
    sources = Sources(
        {FRI: JournalDay(FRI, {"USD": 500}, False), MON: JournalDay(MON, {"USD": 600}, True)},
        [Deposit("po_1", "USD", FRI, MON), Deposit("po_2", "EUR", FRI, MON), Deposit("po_3", "USD", FRI, None)],
    )
    found = daily_totals.metrics(Totals(counters), start=FRI, end=SAT, currency="USD", sources=sources)
    m = found.metrics
    assert sources.asked == [FRI, MON] and found.journal_days == 2
    assert m.gl is not None and (m.gl.period_start, m.gl.period_end) == (FRI, MON)
    assert (m.gl.subledger, m.gl.gl, m.gl.variance, m.gl.available) == (1_200, 1_100, 100, True)
    # Saturday's two receipts were posted again by Monday's correction; Monday is outside the range.
    assert (m.accuracy.receipts, m.accuracy.first_time, m.accuracy.gl_corrected) == (3, 0, 2)
    assert m.overall.attempted == 3  # Monday's tries are outside the range
    deposited = m.stages[-1]
    assert (deposited.stage, deposited.count, deposited.average_days) == ("paid_out_to_deposited", 1, 1.0)
    assert m.deposits == 1  # the EUR deposit is another currency's; the third is not confirmed


@pytest.mark.parametrize("day", [date.min, date.max])
def test_a_range_at_the_calendars_ends_has_no_journal_and_is_answered(day):
    found = daily_totals.metrics(Totals({}), start=day, end=day, currency="USD", sources=Sources({}, []))
    gl = found.metrics.gl
    # 1 January 0001 has no banking day before it to start a journal's days from; 31 December 9999 (a Friday)
    # has a journal day of its own, which nobody built.
    assert (gl is None) if day == date.min else (gl is not None and gl.missing_days == [day] and not gl.available)
