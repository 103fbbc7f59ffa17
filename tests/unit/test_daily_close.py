"""The daily close's rules (``domain/daily_close.py``): control totals from the subledger, the GL and the deposits;
each difference a variance with its reason; nothing listed where the books agree."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from arportal.domain.daily_close import DepositLine, Subledger, close_day, subledger_of
from arportal.domain.daily_close_document import canonical, close_document, document_hash
from arportal.domain.daily_close_gl import UNALLOCATED, gl_totals
from arportal.domain.journal_movements import (
    HeldCredit,
    Movement,
    PaymentPosted,
    PaymentReturned,
    ProcessorFee,
    ReturnKind,
    RevenuePart,
)
from arportal.domain.journals import JournalLine, SourceRef, build_journal
from arportal.domain.models import PaymentMethodType as M
from tests.journal_support import CHART

DAY = date(2026, 3, 10)
COVERED = (DAY, DAY)
PAID = PaymentPosted(
    "pay_1",
    "USD",
    M.CARD,
    (RevenuePart("inv_w", "utilities", "WATER_BASE", 5_000), RevenuePart("inv_p", "parking", "PK_CITATION", 4_000)),
    HeldCredit("utilities", 600),
    fee=225,
)
REFUND = PaymentReturned(
    ReturnKind.REFUND, "pay_1", "USD", M.CARD, (RevenuePart("inv_p", "parking", "PK_CITATION", 1_000),)
)
VOID = PaymentReturned(
    ReturnKind.VOID, "pay_2", "USD", M.CARD, (RevenuePart("inv_x", "utilities", "WATER_USAGE", 700),), fee=50
)
FEES = ProcessorFee("po_1", "USD", M.CARD, 290)


def lines(*movements: Movement) -> tuple[JournalLine, ...]:
    return build_journal(movements, CHART, batch_id="GL-t-20260310-01", business_date=DAY, agency="t").lines


def counters_of(*posted: PaymentPosted) -> dict[str, int]:
    """The daily totals the same payments fold to (``domain/daily_totals.share_of``, reduced to what the close
    reads): gross collected fees apart, split by department with the held credit unallocated, and the fees."""
    found: dict[str, int] = {}

    def add(name: str, value: int) -> None:
        found[name] = found.get(name, 0) + value

    for p in posted:
        add("col.amt", p.total - p.fee)
        add("out.fees", p.fee)
        for part in p.parts:
            add(f"dep.{part.department}.amt", part.amount)
        if p.credit:
            add(f"dep.{UNALLOCATED}.amt", p.credit.amount)
    return found


def deposit(deposit_id: str = "po_1", amount: int = 9_000, *, confirmed: bool = True, processor: str = "sandbox"):
    return DepositLine(deposit_id, processor, amount, "USD", confirmed)


def close(subledger: dict[str, int], journal: tuple[JournalLine, ...], deposits=(), department=None):
    return close_day(
        DAY,
        COVERED,
        department=department,
        subledger={"USD": subledger_of(subledger)},
        lines=journal,
        chart=CHART,
        deposits=list(deposits),
        batches=[("GL-t-20260310-01", "ab" * 32)],
        currencies=["USD"],
    )


def test_books_that_agree_show_their_totals_and_no_variance():
    journal = lines(PAID, REFUND, VOID, FEES)
    done = close(counters_of(PAID), journal, [deposit()])

    assert done.variances == ()
    (usd,) = done.currencies
    assert (usd.collected_subledger, usd.collected_gl) == (9_600, 9_600)
    assert usd.by_department == (("parking", 4_000, 4_000), (UNALLOCATED, 600, 600), ("utilities", 5_000, 5_000))
    assert (usd.fees_subledger, usd.fees_gl) == (225, 225)
    assert dict(usd.money_back_gl) == {"refund": 1_000, "void": 750}  # a void gives the fee back too
    assert usd.processor_fees_gl == 290
    # clearing: in 9,825 by card; out the refund, the void and the fees the payout kept
    assert usd.clearing_gl == 9_825 - 1_000 - 750 - 290
    assert usd.gl_debits == usd.gl_credits and usd.gl_records == len(journal)
    assert (usd.deposits_expected, usd.deposits_confirmed) == (9_000, 9_000)


def test_a_subledger_that_differs_shows_the_difference_by_department_with_its_reason():
    counters = counters_of(PAID)
    counters["col.amt"] += 300
    counters["dep.parking.amt"] += 300  # a parking payment the GL never saw

    (variance,) = close(counters, lines(PAID, FEES), [deposit()]).variances

    assert (variance.reason, variance.department, variance.amount) == ("collected_subledger_vs_gl", "parking", 300)
    assert "parking" in variance.words and "4300" in variance.words and "4000" in variance.words


def test_fees_an_unconfirmed_deposit_and_a_payout_settlement_never_recorded_are_each_named():
    counters = counters_of(PAID)
    counters["out.fees"] -= 25
    journal = lines(PAID, FEES, ProcessorFee("po_2", "USD", M.CARD, 140))
    found = close(counters, journal, [deposit(confirmed=False), deposit("cnt_1", 5_000, processor="counter")])

    by_reason = {v.reason: v for v in found.variances}
    assert set(by_reason) == {"fees_subledger_vs_gl", "payout_not_recorded", "deposit_unconfirmed"}
    assert by_reason["fees_subledger_vs_gl"].amount == -25
    assert (by_reason["payout_not_recorded"].amount, by_reason["payout_not_recorded"].refs) == (140, ("po_2",))
    assert (by_reason["deposit_unconfirmed"].amount, by_reason["deposit_unconfirmed"].refs) == (9_000, ("po_1",))
    (usd,) = found.currencies
    assert dict(usd.deposits_by_processor or {}) == {"counter": 5_000, "sandbox": 9_000}
    assert (usd.deposits_expected, usd.deposits_confirmed) == (14_000, 5_000)


def test_a_drawer_counted_over_or_short_is_a_variance_per_method_of_its_deposit():
    counter = DepositLine("cnt_1", "counter", 12_500, "USD", True, "T-01", {"cash": -300, "cheque": 0, "card": 0})
    even = DepositLine("cnt_2", "counter", 4_000, "USD", True, "T-02", {"cash": 0})
    found = close(counters_of(PAID), lines(PAID, FEES), [deposit(), counter, even])

    assert [(v.reason, v.amount, v.refs) for v in found.variances] == [("drawer_over_short", -300, ("cnt_1", "T-01"))]
    assert "T-01" in found.variances[0].words and "short" in found.variances[0].words
    assert found.currencies[0].drawers_over_short == -300


def test_a_journal_that_does_not_balance_is_a_variance_per_fund():
    journal = lines(PAID)
    broken = (*journal, JournalLine(99, "payment", "510", None, "4410", 0, 10, "USD", "stray", SourceRef()))

    found = close(counters_of(PAID), broken)

    unbalanced = [v for v in found.variances if v.reason == "journal_unbalanced"]
    assert [(v.refs, v.amount) for v in unbalanced] == [(("510",), -10)]


def test_a_department_s_close_keeps_its_own_collections_and_money_back_only():
    counters = counters_of(PAID)
    journal = lines(PAID, REFUND, FEES)

    parking = close(counters, journal, [deposit(confirmed=False)], department="parking")

    assert parking.variances == ()  # no deposit is a department's: the unconfirmed one is the agency's close's
    (usd,) = parking.currencies
    assert usd.by_department == (("parking", 4_000, 4_000),)
    assert dict(usd.money_back_gl) == {"refund": 1_000}
    assert (usd.fees_gl, usd.deposits_expected, usd.clearing_gl) == (None, None, None)
    shifted = close({**counters, "dep.parking.amt": 3_500}, journal, department="parking")
    assert [(v.reason, v.department, v.amount) for v in shifted.variances] == [
        ("collected_subledger_vs_gl", "parking", -500)
    ]


def test_a_day_with_nothing_has_zero_totals_and_no_variance():
    found = close({}, ())
    (usd,) = found.currencies
    assert (usd.collected_subledger, usd.collected_gl, usd.gl_records, found.variances) == (0, 0, 0, ())


def test_the_frozen_document_is_plain_json_and_its_hash_is_of_its_canonical_bytes():
    found = close(counters_of(PAID), lines(PAID, FEES), [deposit(confirmed=False)])
    at = datetime(2026, 3, 11, 12, tzinfo=UTC)
    document = close_document(found, closed_at=at, closed_by="system:daily_close")

    assert document["scope"] == "all" and document["covered_from"] == "2026-03-10"
    assert document["currencies"][0]["deposits"] == {
        "expected": 9_000,
        "confirmed": 0,
        "unconfirmed": 9_000,
        "by_processor": {"sandbox": 9_000},
        "drawers_over_short": 0,
    }
    assert [v["reason"] for v in document["variances"]] == ["deposit_unconfirmed"]
    again = close_document(found, closed_at=at, closed_by="system:daily_close")
    assert canonical(again) == canonical(document) and b" " not in canonical({"a": [1, 2]})
    assert document_hash(document) == document_hash(dict(reversed(list(document.items()))))
    assert document_hash({**document, "closed_by": "someone"}) != document_hash(document)


def test_the_gl_side_classifies_lines_by_the_chart_not_by_their_memo():
    journal = lines(PAID)
    gl = gl_totals(journal, CHART, "USD", None)
    assert dict(gl.collected) == {"parking": 4_000, UNALLOCATED: 600, "utilities": 5_000}
    assert gl.fees == 225 and gl.clearing == PAID.total
    assert gl_totals(journal, CHART, "CAD", None).records == 0


@pytest.mark.parametrize(
    ("counters", "expected"),
    [
        ({}, Subledger()),
        (
            {"col.amt": 900, "dep.water.amt": 500, "dep.unallocated.amt": 400, "dep.water.n": 1, "out.fees": 25},
            Subledger(900, {"unallocated": 400, "water": 500}, 25, 0),
        ),
        ({"out.refunded": 100, "out.fees_returned": 5, "out.reversed": 50}, Subledger(given_back=155)),
    ],
)
def test_the_subledger_is_read_from_the_daily_totals_counters(counters, expected):
    assert subledger_of(counters) == expected
