"""The reports' rules: day ranges, splitting a payment among departments, a day's collections and exceptions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import Allocation, Channel, Interaction, InteractionKind, StatusChange
from arportal.domain.reports import (
    MAX_REPORT_DAYS,
    UNALLOCATED,
    Tally,
    collections_of_day,
    collections_report,
    department_split,
    exceptions_of_day,
    report_days,
)
from arportal.domain.status import PaymentStatus
from tests import builders as b

S = PaymentStatus
DAY = date(2026, 11, 1)
CID = "CUS-0001ABCD"


def alloc(payment, department: str, amount: int) -> Allocation:
    return Allocation(
        payment_id=payment.payment_id,
        invoice_id=f"inv_{b.n()}",
        invoice_number=f"INV-{b.n():05d}",
        customer_id=CID,
        account_number="UT-200001",
        department=department,
        amount=amount,
        currency="USD",
        applied_at=payment.created_at,
    )


def pay(amount: int, *, status=S.POSTED, channel=Channel.PORTAL, departments=("utilities",), **more):
    p = b.payment(CID, amount=amount, status=status, channel=channel)
    return p.model_copy(update={"departments": list(departments), **more})


class TestDays:
    def test_inclusive_oldest_first(self):
        assert report_days(DAY, DAY + timedelta(days=2)) == [DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)]

    def test_at_most_92_days_and_never_backwards(self):
        assert len(report_days(DAY, DAY + timedelta(days=MAX_REPORT_DAYS - 1))) == MAX_REPORT_DAYS
        with pytest.raises(BusinessRuleError) as too_long:
            report_days(DAY, DAY + timedelta(days=MAX_REPORT_DAYS))
        assert too_long.value.details[0]["field"] == "query.to"
        with pytest.raises(BusinessRuleError):
            report_days(DAY, DAY - timedelta(days=1))


class TestSplit:
    def test_by_allocations_with_the_rest_unallocated(self):
        p = pay(10_000, departments=("utilities", "parking"), unapplied=1_000)
        parts = department_split(p, [alloc(p, "utilities", 6_000), alloc(p, "parking", 3_000)])
        assert parts == {"utilities": 6_000, "parking": 3_000, UNALLOCATED: 1_000}

    def test_without_allocations_one_department_takes_what_was_applied(self):
        p = pay(10_000, unapplied=2_500)
        assert department_split(p, []) == {"utilities": 7_500, UNALLOCATED: 2_500}

    def test_without_allocations_several_departments_cannot_be_told_apart(self):
        assert department_split(pay(10_000, departments=("a1", "b1")), []) == {UNALLOCATED: 10_000}

    def test_allocations_beyond_the_amount_are_shared_in_proportion_and_named(self):
        p = pay(1_000, departments=("utilities", "parking"))
        broken = [alloc(p, "utilities", 1_500), alloc(p, "parking", 500)]
        assert department_split(p, broken) == {"utilities": 750, "parking": 250}
        day = collections_of_day(DAY, [p], broken, currency="USD")
        assert day.discrepancies == (p.payment_id,) and day.total.amount == 1_000
        assert collections_report(DAY, DAY, "USD", [day]).discrepancies == [p.payment_id]


def _later(payment, status: S, *, amount: int | None = None, **more):
    """``payment`` after a later change to ``status`` recording ``amount`` given back."""
    change = StatusChange(status=status, at=payment.created_at + timedelta(hours=2), by="staff", amount=amount)
    return payment.model_copy(update={"status": status, "history": [*payment.history, change], **more})


def test_a_days_collections_count_every_payment_taken_and_say_what_became_of_it():
    card = pay(10_000)
    counter = pay(25_000, status=S.SETTLED, channel=Channel.COUNTER, departments=("property_tax", "utilities"))
    partly = _later(pay(5_000, fee_amount=125), S.PARTIALLY_REFUNDED, amount=1_000, refunded=1_000)
    refunded = _later(pay(109_500, fee_amount=2_738), S.REFUNDED, amount=109_500, refunded=109_500)
    voided = _later(pay(2_000, fee_amount=50), S.VOIDED, amount=2_050, fee_amount=0)  # fee returned too
    reversed_ = _later(_later(pay(3_000), S.SETTLED), S.REVERSED, amount=3_000)
    never_taken = [pay(9_000, status=s) for s in (S.PENDING, S.FAILED, S.VOIDED)]  # voided while pending
    euro = pay(700).model_copy(update={"currency": "EUR"})
    allocations = [
        alloc(card, "utilities", 10_000),
        alloc(counter, "property_tax", 20_000),
        alloc(counter, "utilities", 5_000),
    ]
    day = collections_of_day(
        DAY, [card, counter, partly, refunded, voided, reversed_, *never_taken, euro], allocations, currency="USD"
    )
    # Every payment taken counts at its gross amount, refunded, voided or reversed since
    assert day.total == Tally(6, 154_500)
    assert day.by_department == {"property_tax": Tally(1, 20_000), "utilities": Tally(6, 134_500)}
    assert day.by_channel == {"counter": Tally(1, 25_000), "portal": Tally(5, 129_500)}
    # and beside it what became of them: fees charged (the void's from its history), refunds and voids, the fee
    # a void returned (a refund keeps it), what the bank took back, and what the agency keeps
    o = day.outcome
    assert (o.fees, o.refunded, o.fees_returned, o.fees_kept, o.reversed) == (2_913, 112_500, 50, 2_863, 3_000)
    assert day.net == 154_500 + 2_913 - 112_500 - 50 - 3_000
    report = collections_report(
        DAY, DAY + timedelta(days=1), "USD", [day, collections_of_day(DAY + timedelta(days=1), [], [], currency="USD")]
    )
    assert report.total == day.total and report.by_department == day.by_department and report.complete


def test_a_days_exceptions_count_pending_failed_and_interactions_by_kind():
    at = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    notes = [
        Interaction(interaction_id=f"int_{i}", customer_id=CID, kind=kind, summary="x", at=at)
        for i, kind in enumerate((InteractionKind.CALL, InteractionKind.NOTE, InteractionKind.CALL))
    ]
    day = exceptions_of_day(
        DAY, [pay(900, status=S.PENDING), pay(100, status=S.FAILED), pay(50, status=S.FAILED)], notes, currency="USD"
    )
    assert day.pending == Tally(1, 900) and day.failed == Tally(2, 150)
    assert day.interactions == {"call": 2, "note": 1}


def test_allocations_meet_their_own_payment_even_when_two_owners_reuse_an_id():
    mine = pay(1_000)
    theirs = mine.model_copy(update={"customer_id": "CUS-0002ABCD", "departments": ["parking"]})
    other_alloc = alloc(theirs, "parking", 1_000).model_copy(update={"customer_id": "CUS-0002ABCD"})
    day = collections_of_day(DAY, [mine, theirs], [alloc(mine, "utilities", 1_000), other_alloc], currency="USD")
    assert day.by_department == {"parking": Tally(1, 1_000), "utilities": Tally(1, 1_000)}
