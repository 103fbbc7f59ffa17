"""Payment plan rules: the quote (dates, amounts, what may be in a plan) and how much of a plan has been paid."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import Instalment, InstalmentStatus, PlanFrequency
from arportal.domain.plans import (
    PlannedInstalment,
    amount_due,
    instalment_dates,
    quote_plan,
    received,
    refreshed,
    satisfied_count,
    split_total,
)
from tests import builders as b

TODAY = date(2026, 11, 1)


def _invoices(*amounts: int, account: str = "UT-200001", customer: str = "CUS-PLAN0001") -> list:
    return [b.invoice(customer, account, amount=a, due=TODAY - timedelta(days=10 * k)) for k, a in enumerate(amounts)]


def _quote(invoices: list, count: int = 3, **kw: object):
    options = {"account_number": "UT-200001", "currency": "USD", "frequency": PlanFrequency.MONTHLY, "today": TODAY}
    return quote_plan(invoices, count=count, **{**options, **kw})  # type: ignore[arg-type]


def test_the_total_splits_into_equal_parts_with_the_odd_cents_first():
    # Given 100.00 + 0.01 split three ways
    quote = _quote(_invoices(10_000, 1))
    # Then the parts differ by at most a cent, the earliest carry the extra, and they add up exactly
    assert [i.amount for i in quote.instalments] == [3_334, 3_334, 3_333]
    assert quote.total == 10_001 == sum(i.amount for i in quote.instalments)
    assert split_total(100, "JPY", 3) == [34, 33, 33]


def test_a_quote_covers_the_invoices_oldest_due_first_and_starts_a_week_out_by_default():
    invoices = _invoices(5_000, 7_000)
    quote = _quote(invoices, count=2)
    assert quote.total == 12_000
    assert quote.invoice_ids == (invoices[1].invoice_id, invoices[0].invoice_id)
    assert [i.due_date for i in quote.instalments] == [TODAY + timedelta(days=7), date(2026, 12, 8)]


def test_monthly_dates_keep_the_day_and_clamp_to_short_months():
    assert instalment_dates(date(2027, 1, 31), 4, PlanFrequency.MONTHLY) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]
    assert instalment_dates(date(2027, 11, 15), 3, PlanFrequency.MONTHLY)[-1] == date(2028, 1, 15)


@pytest.mark.parametrize(("frequency", "step"), [(PlanFrequency.WEEKLY, 7), (PlanFrequency.BIWEEKLY, 14)])
def test_weekly_and_biweekly_dates(frequency: PlanFrequency, step: int):
    first = date(2027, 3, 1)
    assert instalment_dates(first, 3, frequency) == [first + timedelta(days=step * k) for k in range(3)]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"count": 1}, "instalments"),
        ({"count": 25}, "instalments"),
        ({"first_due": TODAY}, "first_due_date"),
        ({"first_due": TODAY + timedelta(days=32)}, "first_due_date"),
        ({"count": 24, "invoices": [10_00]}, "instalments"),  # under a dollar each
    ],
)
def test_plans_outside_the_rules_are_refused_with_the_field(kwargs: dict, field: str):
    invoices = _invoices(*kwargs.pop("invoices", [50_000]))
    with pytest.raises(BusinessRuleError) as refused:
        _quote(invoices, **kwargs)
    assert field in {d["field"] for d in refused.value.details}


def test_only_open_invoices_of_the_account_in_its_currency_may_be_planned():
    other_account = b.invoice("CUS-PLAN0001", "UT-299999", amount=5_000)
    paid = b.invoice("CUS-PLAN0001", "UT-200001", amount=5_000, paid=5_000)
    euros = b.invoice("CUS-PLAN0001", "UT-200001", amount=5_000, currency="EUR")
    for bad in (other_account, paid, euros):
        with pytest.raises(BusinessRuleError):
            _quote([*_invoices(5_000), bad], count=2)
    with pytest.raises(BusinessRuleError):
        _quote([], count=2)


def test_a_quote_matches_only_exactly_its_schedule():
    quote = _quote(_invoices(9_000))
    same = [PlannedInstalment(i.due_date, i.amount) for i in quote.instalments]
    assert quote.matches(same)
    moved = [*same[:-1], PlannedInstalment(same[-1].due_date + timedelta(days=1), same[-1].amount)]
    assert not quote.matches(moved)
    assert not quote.matches(same[:-1])


# --- progress ---------------------------------------------------------------------------------------------------


def _schedule(*amounts: int) -> list[Instalment]:
    return [Instalment(due_date=TODAY + timedelta(days=30 * k), amount=a) for k, a in enumerate(amounts)]


def test_nothing_paid_means_each_date_charges_its_instalment():
    plan = _schedule(3_000, 3_000, 3_000)
    assert received(plan, owed=9_000) == 0
    assert [amount_due(plan, k, owed=9_000) for k in range(3)] == [3_000, 6_000, 9_000]  # cumulative shortfall
    assert satisfied_count(plan, owed=9_000) == 0


def test_paying_early_satisfies_the_next_instalments_in_order():
    # Given a 3 x 30.00 plan where the customer paid 45.00 by hand before the first date
    plan = _schedule(3_000, 3_000, 3_000)
    owed = 4_500
    # Then the first instalment is covered, the second half covered, and the charges are what is left
    assert satisfied_count(plan, owed) == 1
    assert amount_due(plan, 0, owed) == 0
    assert amount_due(plan, 1, owed) == 1_500
    assert amount_due(plan, 2, owed) == 4_500
    marked = refreshed(plan, owed, payment_id="pay_X")
    assert [i.status for i in marked] == [InstalmentStatus.PAID, InstalmentStatus.SCHEDULED, InstalmentStatus.SCHEDULED]
    assert marked[0].payment_id == "pay_X"


def test_a_charge_never_exceeds_what_is_still_owed():
    plan = _schedule(3_000, 3_000)
    # The invoices were reduced by a credit note: only 10.00 is owed though the schedule asks for more
    assert amount_due(plan, 1, owed=1_000) == 1_000


def test_a_paid_instalment_stays_paid_when_a_refund_raises_what_is_owed():
    plan = refreshed(_schedule(3_000, 3_000), owed=3_000)
    assert plan[0].status is InstalmentStatus.PAID
    reopened = refreshed(plan, owed=6_000)
    assert reopened[0].status is InstalmentStatus.PAID
    assert amount_due(reopened, 1, owed=6_000) == 6_000  # the shortfall shows on the next date instead


def test_a_failed_instalment_becomes_paid_when_money_arrives_later():
    plan = [i.model_copy(update={"status": InstalmentStatus.FAILED}) for i in _schedule(3_000, 3_000)]
    assert refreshed(plan, owed=3_000)[0].status is InstalmentStatus.PAID
