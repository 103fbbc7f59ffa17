"""Any banking day's movements make a journal that balances per fund and currency, whose reversal nets it to zero,
and which regenerates to the same bytes (``domain/journals.py``, ``domain/journal_files.py``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from arportal.domain.journal_files import journal_csv, journal_json
from arportal.domain.journal_movements import (
    CreditApplied,
    CreditSource,
    HeldCredit,
    InvoiceAdjusted,
    Movement,
    PaymentPosted,
    PaymentReturned,
    ProcessorFee,
    ReturnKind,
    RevenuePart,
)
from arportal.domain.journals import Journal, build_journal, imbalances, reversal_of
from arportal.domain.models import PaymentMethodType as M
from arportal.domain.staff_actions import AdjustmentKind
from tests.journal_support import CHART, CLEARING, FEE_CODES

DAY = date(2026, 3, 12)
DEPARTMENTS = sorted(FEE_CODES)
CURRENCIES = ["USD", "USD", "CAD", "JPY"]
METHODS = [M.CARD, M.DEBIT, M.ACH, M.WALLET, M.CASH, M.CHEQUE]
FEE_METHODS = {M.CARD, M.WALLET}  # the test chart maps a convenience fee for these only
amounts = st.integers(1, 2_000_000)


@st.composite
def revenue_part(draw):
    department = draw(st.sampled_from(DEPARTMENTS))
    return RevenuePart(
        f"inv_{draw(st.integers(1, 30))}", department, draw(st.sampled_from(FEE_CODES[department])), draw(amounts)
    )


@st.composite
def held_credit(draw):
    return draw(st.none() | st.builds(HeldCredit, st.sampled_from(DEPARTMENTS), amounts, st.just("cn_1")))


@st.composite
def money(draw, kind):
    method = draw(st.sampled_from(METHODS))
    parts = tuple(draw(st.lists(revenue_part(), max_size=4)))
    credit = draw(held_credit())
    fee = draw(st.integers(0, 5_000)) if method in FEE_METHODS else 0
    if not parts and credit is None:
        parts = (draw(revenue_part()),)
    currency = draw(st.sampled_from(CURRENCIES))
    if kind is None:
        return PaymentPosted("pay", currency, method, parts, credit, fee)
    reported_by = draw(st.sampled_from(["staff", "processor"]))
    return PaymentReturned(
        kind, f"pay_{draw(st.integers(1, 9))}", currency, method, parts, credit, fee, None, reported_by
    )


movement = st.one_of(
    money(None),
    money(ReturnKind.REFUND),
    money(ReturnKind.VOID),
    money(ReturnKind.REVERSAL),
    st.builds(
        ProcessorFee, st.sampled_from(["po_1", "po_2"]), st.sampled_from(CURRENCIES), st.sampled_from(METHODS), amounts
    ),
    st.builds(
        InvoiceAdjusted,
        st.just("adj"),
        st.just("inv_1"),
        st.sampled_from(DEPARTMENTS),
        st.sampled_from(CURRENCIES),
        st.sampled_from(list(AdjustmentKind)),
        amounts,
    ),
    st.builds(
        InvoiceAdjusted,
        st.just("adj"),
        st.just("inv_2"),
        st.sampled_from(DEPARTMENTS),
        st.sampled_from(CURRENCIES),
        st.just(AdjustmentKind.ADJUSTMENT),
        amounts.map(lambda a: -a),
    ),
    st.builds(
        CreditApplied,
        st.just("capp"),
        st.sampled_from(CURRENCIES),
        st.sampled_from(list(CreditSource)),
        st.just("cn_1"),
        st.sampled_from(DEPARTMENTS),
        st.lists(revenue_part(), min_size=1, max_size=3).map(tuple),
    ),
)


def with_own_ids(movements: list[Movement]) -> list[Movement]:
    """A payment, an application and an adjustment are each one record: give each its own id."""
    named: list[Movement] = []
    for index, m in enumerate(movements):
        if isinstance(m, PaymentPosted):
            named.append(replace(m, payment_id=f"pay_{index:03d}"))
        elif isinstance(m, CreditApplied):
            named.append(replace(m, application_id=f"capp_{index:03d}"))
        elif isinstance(m, InvoiceAdjusted):
            named.append(replace(m, adjustment_id=f"adj_{index:03d}"))
        else:
            named.append(m)
    return named


days = st.lists(movement, max_size=30).map(with_own_ids)


def journal(movements: list[Movement], batch_id: str = "GL-springfield-20260312-01") -> Journal:
    return build_journal(movements, CHART, batch_id=batch_id, business_date=DAY, agency="springfield")


@settings(max_examples=200, deadline=None)
@given(days)
def test_any_day_balances_per_fund_and_currency(movements):
    day = journal(movements)
    assert imbalances(day.lines) == {}
    for line in day.lines:
        assert (line.debit > 0) != (line.credit > 0) and min(line.debit, line.credit) == 0
    for currency in day.currencies:
        _, debits, credits = day.control_totals(currency)
        assert debits == credits


@settings(max_examples=200, deadline=None)
@given(days)
def test_the_clearing_accounts_hold_what_came_in_less_what_went_back_and_the_processor_kept(movements):
    day = journal(movements)
    expected: dict[str, int] = {}
    for m in movements:
        if isinstance(m, PaymentPosted):
            expected[m.currency] = expected.get(m.currency, 0) + m.total
        elif isinstance(m, PaymentReturned | ProcessorFee):
            out = m.total if isinstance(m, PaymentReturned) else m.amount
            expected[m.currency] = expected.get(m.currency, 0) - out
    clearing = set(CLEARING.values())
    held: dict[str, int] = {}
    for line in day.lines:
        if line.fund == CHART.clearing.fund and line.account in clearing:
            held[line.currency] = held.get(line.currency, 0) + line.debit - line.credit
    assert {c: v for c, v in held.items() if v} == {c: v for c, v in expected.items() if v}


@settings(max_examples=150, deadline=None)
@given(days)
def test_a_reversal_batch_and_its_original_net_to_zero_on_every_account(movements):
    original = journal(movements)
    correction = reversal_of(original, batch_id="GL-springfield-20260312-02")
    net: dict[tuple[str, str, str | None, str], int] = {}
    for line in original.lines + correction.lines:
        key = (line.currency, line.fund, line.department, line.account)
        net[key] = net.get(key, 0) + line.debit - line.credit
    assert all(value == 0 for value in net.values())
    assert imbalances(correction.lines) == {}


@settings(max_examples=150, deadline=None)
@given(days, st.randoms(use_true_random=False))
def test_regenerating_from_the_same_movements_in_any_order_gives_the_same_bytes(movements, rng):
    first = journal(movements)
    shuffled = list(movements)
    rng.shuffle(shuffled)
    again = journal(shuffled)
    assert again == first
    for render in (journal_csv, journal_json):
        assert render(again).data == render(first).data
        assert render(again).sha256 == render(first).sha256
