"""Whatever the day's payments and allocations, the collections report's splits add up to its total."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arportal.domain.models import Allocation, Channel, MethodDetail, Payment, PaymentMethodType, StatusChange
from arportal.domain.reports import collected, collections_of_day, collections_report, department_split
from arportal.domain.status import PaymentStatus

DAY = date(2026, 11, 1)
AT = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
DEPARTMENTS = ("utilities", "parking", "permits", "property_tax")


@st.composite
def payment_with_allocations(draw, index: int = 0):
    amount = draw(st.integers(1, 1_000_000))
    departments = draw(st.lists(st.sampled_from(DEPARTMENTS), max_size=3, unique=True))
    parts = draw(st.lists(st.integers(0, amount), max_size=len(departments) * 2))
    allocations, left = [], amount
    for n, part in enumerate(parts):
        take = min(part, left)
        if take == 0 or not departments:
            continue
        left -= take
        allocations.append(
            Allocation(
                payment_id=f"pay_{index}",
                invoice_id=f"inv_{index}_{n}",
                invoice_number=f"INV-{index:04d}-{n}",
                customer_id="CUS-0001ABCD",
                account_number="UT-200001",
                department=departments[n % len(departments)],
                amount=take,
                currency="USD",
                applied_at=AT,
            )
        )
    status = draw(st.sampled_from(list(PaymentStatus)))
    payment = Payment(
        payment_id=f"pay_{index}",
        customer_id="CUS-0001ABCD",
        amount=amount,
        fee_amount=draw(st.integers(0, 500)),
        currency="USD",
        method=MethodDetail(type=PaymentMethodType.CARD),
        channel=draw(st.sampled_from(list(Channel))),
        status=status,
        history=[StatusChange(status=status, at=AT, by="processor")],
        departments=departments,
        processor="sandbox",
        unapplied=draw(st.integers(0, amount)) if not allocations else left,
        created_at=AT,
    )
    # Sometimes the allocations are not found beside the payment: the split must still add up.
    return payment, allocations if draw(st.booleans()) else []


days_of = st.integers(0, 8).flatmap(lambda n: st.tuples(*(payment_with_allocations(i) for i in range(n))))


@given(payment_with_allocations())
def test_a_split_adds_up_to_the_payment(pair):
    payment, allocations = pair
    parts = department_split(payment, allocations)
    assert sum(parts.values()) == payment.amount and all(v > 0 for v in parts.values())


# Each example builds a few dozen pydantic models; on a busy shared machine that is slow to generate, not wrong.
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(days_of, min_size=1, max_size=3))
def test_departments_and_channels_each_sum_to_the_total_daily_and_overall(days):
    per_day = []
    for offset, pairs in enumerate(days):
        payments = [p for p, _ in pairs]
        allocations = [a for _, found in pairs for a in found]
        day = collections_of_day(DAY + timedelta(days=offset), payments, allocations, currency="USD")
        counted = [p for p in payments if collected(p)]
        assert day.total.amount == sum(p.amount for p in counted) and day.total.count == len(counted)
        assert sum(t.amount for t in day.by_department.values()) == day.total.amount
        assert sum(t.amount for t in day.by_channel.values()) == day.total.amount
        assert sum(t.count for t in day.by_channel.values()) == day.total.count
        per_day.append(day)
    report = collections_report(DAY, DAY + timedelta(days=len(days) - 1), "USD", per_day)
    assert report.total.amount == sum(d.total.amount for d in per_day)
    assert sum(t.amount for t in report.by_department.values()) == report.total.amount
    assert sum(t.amount for t in report.by_channel.values()) == report.total.amount


@given(payment_with_allocations(), st.lists(st.integers(1, 2_000_000), min_size=1, max_size=4))
def test_even_allocations_that_exceed_the_payment_are_split_to_exactly_its_amount(pair, extra):
    payment, allocations = pair
    template = Allocation(
        payment_id=payment.payment_id,
        invoice_id="inv_x",
        invoice_number="INV-X",
        customer_id=payment.customer_id,
        account_number="UT-200001",
        department="utilities",
        amount=1,
        currency="USD",
        applied_at=AT,
    )
    broken = allocations + [
        template.model_copy(update={"amount": a, "department": DEPARTMENTS[i % 4]}) for i, a in enumerate(extra)
    ]
    parts = department_split(payment, broken)
    assert sum(parts.values()) == payment.amount and all(v > 0 for v in parts.values())
