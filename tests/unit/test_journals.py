"""The day's GL journal (``domain/journals.py``): each movement's entries, a mixed day, reversal batches."""

from __future__ import annotations

import random
from datetime import date

import pytest

from arportal.domain.chart_of_accounts import UnmappedCodeError
from arportal.domain.journal_movements import (
    CreditApplied,
    CreditSource,
    HeldCredit,
    InvoiceAdjusted,
    PaymentPosted,
    PaymentReturned,
    ProcessorFee,
    ReturnKind,
    RevenuePart,
    revenue_parts,
)
from arportal.domain.journals import (
    SourceRef,
    batch_id_for,
    build_journal,
    imbalances,
    reversal_of,
)
from arportal.domain.models import Invoice, InvoiceLine, LineKind
from arportal.domain.models import PaymentMethodType as M
from arportal.domain.staff_actions import AdjustmentKind
from tests.journal_support import CHART, entries

DAY = date(2026, 3, 12)
CARD_PAYMENT = PaymentPosted(
    "pay_1",
    "USD",
    M.CARD,
    parts=(
        RevenuePart("inv_u", "utilities", "WATER_BASE", 1_850),
        RevenuePart("inv_u", "utilities", "WATER_USAGE", 2_060),
        RevenuePart("inv_p", "property_tax", "PT_INSTALMENT_1", 10_000),
    ),
    fee=348,
)


def journal(*movements, batch_id="GL-springfield-20260312-01"):
    return build_journal(movements, CHART, batch_id=batch_id, business_date=DAY, agency="springfield")


def test_a_payment_debits_its_clearing_account_and_credits_each_fund_s_revenue_with_interfund_lines():
    lines = journal(CARD_PAYMENT).lines
    assert entries(lines) == [
        ("100", None, "1013", 14_258, 0),  # undeposited card funds: invoices and fee
        ("510", "utilities", "4410", 0, 1_850),
        ("510", "utilities", "4411", 0, 2_060),
        ("100", "property_tax", "4110", 0, 10_000),
        ("100", None, "4810", 0, 348),  # the convenience fee
        ("510", None, "1310", 3_910, 0),  # utilities is owed by the clearing fund ...
        ("100", None, "2110", 0, 3_910),  # ... which owes it
    ]
    assert [x.line_number for x in lines] == list(range(1, 8))
    assert {x.kind for x in lines} == {"payment"} and {x.currency for x in lines} == {"USD"}
    assert lines[1].source == SourceRef(payment_id="pay_1", invoice_id="inv_u")
    assert lines[0].source == lines[5].source == SourceRef(payment_id="pay_1")
    assert "WATER_BASE" in lines[1].memo and "inv_u" in lines[1].memo
    assert imbalances(lines) == {}


def test_a_payment_within_the_clearing_fund_needs_no_interfund_lines_and_credit_held_is_a_liability():
    payment = PaymentPosted(
        "pay_2",
        "USD",
        M.CASH,
        parts=(RevenuePart("inv_p", "property_tax", "PT_INSTALMENT_1", 5_000),),
        credit=HeldCredit("property_tax", 250, "cn_9"),
    )
    lines = journal(payment).lines
    assert entries(lines) == [
        ("100", None, "1011", 5_250, 0),
        ("100", "property_tax", "4110", 0, 5_000),
        ("100", "property_tax", "2250", 0, 250),
    ]
    assert lines[2].source == SourceRef(payment_id="pay_2", credit_note_id="cn_9")


def test_a_refund_debits_refunds_contra_revenue_and_the_credit_given_back_and_credits_clearing():
    refund = PaymentReturned(
        ReturnKind.REFUND,
        "pay_1",
        "USD",
        M.CARD,
        parts=(RevenuePart("inv_u", "utilities", "WATER_USAGE", 2_060),),
        credit=HeldCredit("utilities", 500, "cn_1"),
        refund_id="re_1",
    )
    lines = journal(refund).lines
    assert entries(lines) == [
        ("100", None, "1013", 0, 2_560),
        ("510", "utilities", "4910", 2_060, 0),
        ("510", "utilities", "2250", 500, 0),
        ("510", None, "2110", 0, 2_560),  # utilities owes the clearing fund what left it
        ("100", None, "1310", 2_560, 0),
    ]
    assert {x.kind for x in lines} == {"refund"}
    assert lines[1].source == SourceRef(payment_id="pay_1", invoice_id="inv_u", refund_id="re_1")
    assert lines[3].source == SourceRef(payment_id="pay_1", refund_id="re_1")


def test_a_reversal_reported_by_the_processor_debits_reversals_and_a_returned_fee():
    reversal = PaymentReturned(
        ReturnKind.REVERSAL,
        "pay_4",
        "USD",
        M.CARD,
        parts=(RevenuePart("inv_k", "parking", "PK_CITATION", 4_500),),
        fee=113,
        reported_by="processor",
    )
    lines = journal(reversal).lines
    assert entries(lines) == [
        ("100", None, "1013", 0, 4_613),
        ("220", "parking", "4920", 4_500, 0),
        ("100", None, "4810", 113, 0),
        ("220", None, "2110", 0, 4_500),
        ("100", None, "1310", 4_500, 0),
    ]
    assert "processor" in lines[0].memo and {x.kind for x in lines} == {"reversal"}


def test_a_void_undoes_the_posting_on_the_same_revenue_and_fee_accounts():
    void = PaymentReturned(
        ReturnKind.VOID,
        "pay_3",
        "USD",
        M.WALLET,
        parts=(RevenuePart("inv_p", "property_tax", "PT_INSTALMENT_1", 5_000),),
        fee=125,
    )
    assert entries(journal(void).lines) == [
        ("100", None, "1015", 0, 5_125),
        ("100", "property_tax", "4110", 5_000, 0),
        ("100", None, "4811", 125, 0),
    ]


def test_processor_fees_are_an_expense_netted_from_the_clearing_account():
    lines = journal(ProcessorFee("po_1", "USD", M.CARD, 321)).lines
    assert entries(lines) == [("100", None, "5310", 321, 0), ("100", None, "1013", 0, 321)]
    assert lines[0].source == SourceRef(payout_id="po_1") and lines[0].kind == "processor_fee"


@pytest.mark.parametrize(
    ("kind", "amount", "expected", "named"),
    [
        (AdjustmentKind.ADJUSTMENT, 700, [("4930", 0, 700), ("1210", 700, 0)], "adjustment"),
        (AdjustmentKind.ADJUSTMENT, -400, [("4930", 400, 0), ("1210", 0, 400)], "adjustment"),
        (AdjustmentKind.WRITE_OFF, 900, [("5810", 900, 0), ("1210", 0, 900)], "write_off"),
    ],
)
def test_adjustments_and_write_offs_go_to_the_department_s_receivable(kind, amount, expected, named):
    lines = journal(InvoiceAdjusted("adj_1", "inv_u", "utilities", "USD", kind, amount)).lines
    assert [(x.account, x.debit, x.credit) for x in lines] == expected
    assert {(x.fund, x.department, x.kind) for x in lines} == {("510", "utilities", named)}
    assert lines[0].source == SourceRef(invoice_id="inv_u", adjustment_id="adj_1")


def test_held_credit_applied_becomes_revenue_and_an_agency_credit_note_lowers_the_receivable():
    overpayment = CreditApplied(
        "capp_1",
        "USD",
        CreditSource.OVERPAYMENT,
        "cn_1",
        "parking",
        parts=(RevenuePart("inv_u", "utilities", "WATER_BASE", 300),),
    )
    assert entries(journal(overpayment).lines) == [
        ("220", "parking", "2250", 300, 0),
        ("510", "utilities", "4410", 0, 300),
        ("510", None, "1310", 300, 0),  # balanced against the credit's own fund
        ("220", None, "2110", 0, 300),
    ]
    note = CreditApplied(
        "capp_2",
        "USD",
        CreditSource.CREDIT_NOTE,
        "cn_2",
        "parking",
        (RevenuePart("inv_k", "parking", "PK_CITATION", 1_000),),
    )
    lines = journal(note).lines
    assert entries(lines) == [("220", "parking", "4930", 1_000, 0), ("220", "parking", "1210", 0, 1_000)]
    assert lines[0].source == SourceRef(invoice_id="inv_k", application_id="capp_2", credit_note_id="cn_2")


MIXED_DAY = (
    CARD_PAYMENT,
    PaymentPosted("pay_0", "CAD", M.ACH, parts=(RevenuePart("inv_c", "parking", "PK_LATE_PENALTY", 2_500),)),
    PaymentReturned(
        ReturnKind.REFUND, "pay_1", "USD", M.CARD, parts=(RevenuePart("inv_u", "utilities", "WATER_USAGE", 60),)
    ),
    PaymentReturned(
        ReturnKind.VOID,
        "pay_3",
        "USD",
        M.WALLET,
        parts=(RevenuePart("inv_p", "property_tax", "PT_INSTALMENT_1", 5_000),),
        fee=125,
    ),
    ProcessorFee("po_1", "USD", M.CARD, 321),
    ProcessorFee("po_2", "CAD", M.ACH, 45),
    InvoiceAdjusted("adj_2", "inv_k", "parking", "USD", AdjustmentKind.WRITE_OFF, 2_500),
    InvoiceAdjusted("adj_1", "inv_u", "utilities", "USD", AdjustmentKind.ADJUSTMENT, -400),
    CreditApplied(
        "capp_1",
        "USD",
        CreditSource.OVERPAYMENT,
        "cn_1",
        "utilities",
        (RevenuePart("inv_u", "utilities", "SEWER_USAGE", 77),),
    ),
)


def test_a_mixed_day_balances_per_fund_and_currency_in_a_canonical_order():
    day = journal(*MIXED_DAY)
    assert imbalances(day.lines) == {}
    assert day.currencies == ("CAD", "USD")
    for currency in day.currencies:
        records, debits, credits = day.control_totals(currency)
        assert debits == credits and records == sum(1 for x in day.lines if x.currency == currency)
    kinds = [x.kind for x in day.lines]
    first_of = {kind: kinds.index(kind) for kind in kinds}
    assert sorted(first_of, key=first_of.__getitem__) == [
        "payment",
        "refund",
        "void",
        "credit_applied",
        "adjustment",
        "write_off",
        "processor_fee",
    ]
    assert next(x.source.payment_id for x in day.lines if x.kind == "payment") == "pay_0"  # CAD before USD
    shuffled = list(MIXED_DAY)
    random.Random(7).shuffle(shuffled)
    assert journal(*shuffled) == day


def test_an_unmapped_code_fails_the_whole_journal_naming_it():
    stray = PaymentPosted("pay_9", "USD", M.CARD, parts=(RevenuePart("inv_x", "utilities", "SOLAR_RIDER", 100),))
    with pytest.raises(UnmappedCodeError, match="'SOLAR_RIDER'"):
        journal(*MIXED_DAY, stray)
    with pytest.raises(UnmappedCodeError, match="'library'"):
        journal(InvoiceAdjusted("adj_9", "inv_x", "library", "USD", AdjustmentKind.WRITE_OFF, 1))
    with pytest.raises(UnmappedCodeError, match="'debit'"):  # no convenience fee mapping for debit here
        journal(
            PaymentPosted("pay_8", "USD", M.DEBIT, parts=(RevenuePart("inv_p", "property_tax", "FEE", 100),), fee=1)
        )


def test_the_same_payment_twice_is_refused_rather_than_posted_twice():
    with pytest.raises(ValueError, match="pay_1 appears twice"):
        journal(CARD_PAYMENT, CARD_PAYMENT)


def test_a_reversal_batch_mirrors_every_line_and_nets_the_original_to_zero():
    original = journal(*MIXED_DAY)
    correction = reversal_of(original, batch_id=batch_id_for("springfield", DAY, 2), business_date=date(2026, 3, 13))
    assert correction.reverses == original.batch_id == "GL-springfield-20260312-01"
    assert correction.batch_id == "GL-springfield-20260312-02" and correction.business_date == date(2026, 3, 13)
    assert len(correction.lines) == len(original.lines)
    for before, after in zip(original.lines, correction.lines, strict=True):
        assert (after.debit, after.credit) == (before.credit, before.debit)
        assert (after.fund, after.account, after.source, after.line_number) == (
            before.fund,
            before.account,
            before.source,
            before.line_number,
        )
        assert after.memo.startswith("reversal of GL-springfield-20260312-01")
    net: dict[tuple[str, str, str], int] = {}
    for line in original.lines + correction.lines:
        key = (line.currency, line.fund, line.account)
        net[key] = net.get(key, 0) + line.debit - line.credit
    assert set(net.values()) == {0}


@pytest.mark.parametrize(
    "make",
    [
        lambda: RevenuePart("inv_1", "utilities", "WATER_BASE", 0),
        lambda: HeldCredit("utilities", -5),
        lambda: PaymentPosted("pay_1", "USD", M.CARD),
        lambda: PaymentPosted("pay_1", "USD", M.CREDIT, parts=(RevenuePart("i", "utilities", "FEE", 1),)),
        lambda: ProcessorFee("po_1", "USD", M.CARD, 0),
        lambda: InvoiceAdjusted("adj_1", "inv_1", "utilities", "USD", AdjustmentKind.WRITE_OFF, -10),
        lambda: InvoiceAdjusted("adj_1", "inv_1", "utilities", "USD", AdjustmentKind.ADJUSTMENT, 0),
    ],
)
def test_a_movement_that_moves_nothing_or_the_wrong_way_is_refused(make):
    with pytest.raises(ValueError):
        make()


def _invoice(*, paid: int = 0, credited: int = 0):
    lines = [
        InvoiceLine(description="Usage", fee_code="WATER_USAGE", unit_amount=4_000, amount=4_000),
        InvoiceLine(description="Base", fee_code="WATER_BASE", kind=LineKind.FEE, unit_amount=1_000, amount=1_000),
        InvoiceLine(description="Sewer", fee_code="SEWER_USAGE", unit_amount=3_000, amount=3_000),
        InvoiceLine(description="Late", fee_code="PK_LATE_PENALTY", kind=LineKind.PENALTY, unit_amount=500, amount=500),
    ]
    return Invoice(
        invoice_id="inv_u",
        invoice_number="UT-0001",
        customer_id="CUS-0001",
        account_number="UT-200001",
        department="utilities",
        issue_date=DAY,
        due_date=DAY,
        currency="USD",
        lines=lines,
        amount=8_500,
        paid=paid,
        credited=credited,
        balance=8_500 - paid - credited,
    )


def test_revenue_parts_follow_the_allocation_order_after_what_is_already_covered():
    # fees, then penalties, then principal (lines in their order): what paid + credited covers comes first
    assert [(p.fee_code, p.amount) for p in revenue_parts(_invoice(), 2_000)] == [
        ("WATER_BASE", 1_000),
        ("PK_LATE_PENALTY", 500),
        ("WATER_USAGE", 500),
    ]
    assert [(p.fee_code, p.amount) for p in revenue_parts(_invoice(paid=1_200, credited=600), 6_000)] == [
        ("WATER_USAGE", 3_700),
        ("SEWER_USAGE", 2_300),
    ]
    whole = revenue_parts(_invoice(), 8_500)
    assert sum(p.amount for p in whole) == 8_500 and {p.department for p in whole} == {"utilities"}
    with pytest.raises(ValueError, match="cannot take"):
        revenue_parts(_invoice(paid=8_000), 501)
