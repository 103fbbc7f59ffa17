"""The daily close over any day's movements (``domain/daily_close.py``): a subledger, a GL and deposits built from
the same movements never show a variance; moving one amount on one side shows exactly that variance, once."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from arportal.domain.daily_close import DepositLine, close_day, subledger_of
from arportal.domain.daily_close_gl import UNALLOCATED
from arportal.domain.journal_movements import (
    HeldCredit,
    PaymentPosted,
    PaymentReturned,
    ProcessorFee,
    ReturnKind,
    RevenuePart,
)
from arportal.domain.journals import build_journal
from arportal.domain.models import PaymentMethodType as M
from tests.journal_support import CHART, FEE_CODES

DAY = date(2026, 3, 12)
DEPARTMENTS = sorted(FEE_CODES)
METHODS = [M.CARD, M.DEBIT, M.ACH, M.WALLET, M.CASH, M.CHEQUE]
FEE_METHODS = {M.CARD, M.WALLET}
amounts = st.integers(1, 2_000_000)


@st.composite
def part(draw):
    department = draw(st.sampled_from(DEPARTMENTS))
    return RevenuePart(
        f"inv_{draw(st.integers(1, 9))}", department, draw(st.sampled_from(FEE_CODES[department])), draw(amounts)
    )


@st.composite
def posted(draw, n):
    method = draw(st.sampled_from(METHODS))
    parts = tuple(draw(st.lists(part(), min_size=1, max_size=3)))
    credit = draw(st.none() | st.builds(HeldCredit, st.sampled_from(DEPARTMENTS), amounts))
    fee = draw(st.integers(0, 5_000)) if method in FEE_METHODS else 0
    return PaymentPosted(f"pay_{n}", draw(st.sampled_from(["USD", "CAD"])), method, parts, credit, fee)


@st.composite
def day(draw):
    payments = [draw(posted(n)) for n in range(draw(st.integers(0, 6)))]
    back = [
        PaymentReturned(draw(st.sampled_from(list(ReturnKind))), p.payment_id, p.currency, p.method, p.parts[:1])
        for p in payments
        if draw(st.booleans())
    ]
    fees = [
        ProcessorFee(f"po_{n}", draw(st.sampled_from(["USD", "CAD"])), M.CARD, draw(amounts))
        for n in range(draw(st.integers(0, 3)))
    ]
    deposits = [DepositLine(f.payout_id, "sandbox", draw(amounts), f.currency, True) for f in fees]
    return payments, back, fees, deposits


def subledger(payments):
    """What the daily totals hold for these payments, per currency (see ``domain/daily_totals.share_of``)."""
    found: dict[str, dict[str, int]] = {}
    for p in payments:
        counters = found.setdefault(p.currency, {})
        names = [("col.amt", p.total - p.fee), ("out.fees", p.fee)]
        names += [(f"dep.{x.department}.amt", x.amount) for x in p.parts]
        names += [(f"dep.{UNALLOCATED}.amt", p.credit.amount)] if p.credit else []
        for name, value in names:
            counters[name] = counters.get(name, 0) + value
    return found


def closed(counters, movements, deposits, department=None):
    lines = build_journal(movements, CHART, batch_id="GL-p-20260312-01", business_date=DAY, agency="p").lines
    return close_day(
        DAY,
        (DAY, DAY),
        department=department,
        subledger={c: subledger_of(v) for c, v in counters.items()},
        lines=lines,
        chart=CHART,
        deposits=deposits,
        batches=[],
        currencies=["USD"],
    )


@settings(max_examples=150, deadline=None)
@given(day())
def test_the_same_movements_on_every_side_never_show_a_variance(found):
    payments, back, fees, deposits = found
    done = closed(subledger(payments), [*payments, *back, *fees], deposits)
    assert done.variances == ()
    for department in DEPARTMENTS:
        assert closed(subledger(payments), [*payments, *back, *fees], deposits, department).variances == ()
    for c in done.currencies:
        assert (
            c.collected_subledger
            == c.collected_gl
            == sum(p.total - p.fee for p in payments if p.currency == c.currency)
        )
        assert c.gl_debits == c.gl_credits


@settings(max_examples=150, deadline=None)
@given(day(), st.data())
def test_moving_one_department_s_amount_shows_exactly_that_variance(found, data):
    payments, back, fees, deposits = found
    if not payments:
        return
    p = data.draw(st.sampled_from(payments))
    department = p.parts[0].department
    shift = data.draw(st.integers(-5_000, 5_000).filter(bool))
    counters = subledger(payments)
    name = f"dep.{department}.amt"
    counters[p.currency][name] = counters[p.currency].get(name, 0) + shift

    done = closed(counters, [*payments, *back, *fees], deposits)

    assert [(v.reason, v.currency, v.department, v.amount) for v in done.variances] == [
        ("collected_subledger_vs_gl", p.currency, department, shift)
    ]


@settings(max_examples=100, deadline=None)
@given(day(), st.data())
def test_a_deposit_left_unconfirmed_or_missing_shows_exactly_that(found, data):
    payments, back, fees, deposits = found
    if not deposits:
        return
    i = data.draw(st.integers(0, len(deposits) - 1))
    target = deposits[i]
    unconfirmed = [
        *deposits[:i],
        DepositLine(target.deposit_id, "sandbox", target.amount, target.currency, False),
        *deposits[i + 1 :],
    ]
    done = closed(subledger(payments), [*payments, *back, *fees], unconfirmed)
    assert [(v.reason, v.amount, v.refs) for v in done.variances] == [
        ("deposit_unconfirmed", target.amount, (target.deposit_id,))
    ]

    missing = closed(subledger(payments), [*payments, *back, *fees], deposits[:i] + deposits[i + 1 :])
    kept = sum(f.amount for f in fees if f.payout_id == target.deposit_id)
    assert [(v.reason, v.amount, v.refs) for v in missing.variances] == [
        ("payout_not_recorded", kept, (target.deposit_id,))
    ]
