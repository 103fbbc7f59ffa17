"""The seed's daily totals (imported beside its bulk-loaded history, ``local/seed_totals.py``) answer, day by day,
what the per-payment collections report answers over the same history: the old and new reports on realistic data."""

from __future__ import annotations

from collections import defaultdict

from arportal.adapters.dynamodb import daily_total_items, entity_items
from arportal.domain.daily_totals import collections_from_counters
from arportal.domain.models import Allocation, Payment
from arportal.domain.reports import collections_of_day
from local import seed
from local.seed_totals import totals_items


def test_the_seeds_day_items_answer_what_the_per_payment_report_answers():
    prepared = seed.generate_items(7, customers=12, today=None, currency="USD")
    payments = [entity_items.from_item(i, Payment) for i in prepared.items if i.get("type") == "payment"]
    allocations = [entity_items.from_item(i, Allocation) for i in prepared.items if i.get("type") == "allocation"]
    assert len(payments) > 20  # a history worth comparing

    totals, discrepancies = totals_items(prepared.items)
    days = [i for i in totals if i["type"] == "daily_totals"]
    shares = [i for i in totals if i["type"] == "total_share"]
    assert len(shares) == len(payments)

    by_day_payments: dict = defaultdict(list)
    by_day_allocations: dict = defaultdict(list)
    for p in payments:
        by_day_payments[p.created_at.date()].append(p)
    for a in allocations:
        by_day_allocations[a.applied_at.date()].append(a)
    compared = 0
    for item in days:
        day, counters, _ = daily_total_items.counters_of_item(item)
        expected = collections_of_day(day, by_day_payments[day], by_day_allocations[day], currency="USD")
        found = collections_from_counters(day, counters, discrepancies.get(("USD", day), set()))
        assert found == expected, day
        compared += expected.total.count
    assert compared == sum(
        1 for p in payments if collections_of_day(p.created_at.date(), [p], [], currency="USD").total.count
    )
