"""Bank matching, rule by rule: what each rule finds, its score and reasons, the tolerance, and what one run never
does twice (a deposit taken by two lines, a balance paid twice)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from arportal.domain import bank_matching_deposits as deposits
from arportal.domain import bank_matching_invoices as invoices
from arportal.domain.bank_matches import (
    ExpectedDeposit,
    KnownPayer,
    MatchBook,
    MatchOutcome,
    MatchSettings,
    MatchTarget,
    OpenInvoice,
    ReturnableDebit,
)
from arportal.domain.bank_matching import match
from arportal.domain.bank_matching_index import MatchIndex, number_key
from arportal.domain.bank_statements import BankLine, LineKind
from arportal.domain.remittance_reference import formatted, reference_for

DAY = date(2031, 3, 12)  # a Wednesday
SETTINGS = MatchSettings()
RIVERA, OKAFOR, NGUYEN = "CUS-000101", "CUS-000102", "CUS-000103"
PAYERS = (
    KnownPayer(RIVERA, "Jordan Rivera", reference_for(RIVERA), ("UT-200101",)),
    KnownPayer(OKAFOR, "Okafor Plumbing LLC", reference_for(OKAFOR), ("UT-200102",), aliases=("A OKAFOR TRADING",)),
    KnownPayer(NGUYEN, "Lan Nguyen", reference_for(NGUYEN), ("UT-200103",)),
)


def inv(n: int, customer: str, balance: int, due: date = date(2031, 2, 1)) -> OpenInvoice:
    account = {RIVERA: "UT-200101", OKAFOR: "UT-200102", NGUYEN: "UT-200103"}[customer]
    return OpenInvoice(customer, f"inv_{n:012d}", f"UT-2031-{n:05d}", account, balance, "USD", due)


INVOICES = (
    inv(1, RIVERA, 12_000, date(2031, 1, 10)),
    inv(2, RIVERA, 8_000, date(2031, 2, 10)),
    inv(3, OKAFOR, 45_000),
    inv(4, OKAFOR, 7_550, date(2031, 2, 20)),
    inv(5, NGUYEN, 7_550),
)
BOOK = MatchBook(invoices=INVOICES, payers=PAYERS)


def line(amount: int, kind: LineKind = LineKind.WIRE, key: str = "L1", **kw) -> BankLine:
    return BankLine(key, kw.pop("booking_date", DAY), None, amount, "USD", kind, "195", **kw)


def one(bank_line: BankLine, book: MatchBook = BOOK, settings: MatchSettings = SETTINGS):
    return match([bank_line], book, settings)[0]


# --- rule 3a: the remittance reference ----------------------------------------------------------------------------


def test_a_reference_pays_the_customers_invoices_oldest_first_and_holds_the_rest():
    result = one(line(25_000, remittance=f"Payment ref {formatted(reference_for(RIVERA)).lower()} ty"))
    assert result.outcome is MatchOutcome.MATCHED and result.best is not None
    assert result.best.score == 98 and result.best.customer_id == RIVERA
    assert [(a.invoice_id, a.amount) for a in result.best.allocations] == [
        ("inv_000000000001", 12_000),
        ("inv_000000000002", 8_000),
    ]
    assert any("held as credit" in r for r in result.best.reasons)
    assert any(formatted(reference_for(RIVERA)) in r for r in result.best.reasons)


def test_a_structured_reference_to_a_customer_with_nothing_open_is_credit():
    book = MatchBook(payers=PAYERS)
    result = one(line(5_000, structured_references=(reference_for(NGUYEN),)), book)
    assert result.outcome is MatchOutcome.MATCHED and result.best is not None
    assert result.best.target is MatchTarget.ACCOUNT_CREDIT and result.best.allocations == ()


def test_a_reference_with_a_wrong_check_digit_is_not_used():
    good = reference_for(RIVERA)
    wrong = good[:2] + f"{(int(good[2:4]) + 1) % 100:02d}" + good[4:]
    index = MatchIndex.build(BOOK)
    assert invoices.by_reference(index, line(20_000, remittance=f"ref {wrong}")) == []
    # ... so the line falls to the next rules: here the amount and the payer's name.
    result = one(line(20_000, remittance=f"ref {wrong}", payer_name="JORDAN RIVERA"))
    assert result.best is not None and all("reference" not in r for r in result.best.reasons)


# --- rule 3b: invoice or account number -----------------------------------------------------------------------------


def test_number_keys_ignore_case_spaces_and_leading_zeros():
    assert number_key("ut-2031-00003") == number_key("UT 2031 3") == number_key("UT2031-0003")


def test_an_invoice_number_in_the_text_with_the_exact_amount():
    result = one(line(45_000, remittance="for inv ut 2031 00003 thanks", payer_name="someone else"))
    assert result.outcome is MatchOutcome.MATCHED and result.best is not None
    assert result.best.score == 97 and result.best.allocations[0].invoice_id == "inv_000000000003"


def test_a_partial_payment_of_a_named_invoice():
    result = one(line(10_000, remittance="UT-2031-00003 part payment"))
    assert result.best is not None and result.best.score == 95
    assert result.best.allocations[0].amount == 10_000
    assert any("partial" in r for r in result.best.reasons)


def test_an_overpayment_goes_to_the_other_invoices_then_credit_and_is_only_suggested():
    result = one(line(60_000, remittance="UT-2031-00003"))
    assert result.outcome is MatchOutcome.SUGGESTED and result.best is not None
    assert result.best.score == 85
    assert [a.amount for a in result.best.allocations] == [45_000, 7_550]
    assert sum(a.amount for a in result.best.allocations) <= 60_000


def test_lockbox_stub_invoice_numbers():
    result = one(line(8_000, LineKind.LOCKBOX, invoice_numbers=("UT-2031-00002",)))
    assert result.best is not None and result.best.allocations[0].invoice_id == "inv_000000000002"


def test_an_account_number_in_the_text():
    result = one(line(20_000, remittance="ACCT UT 200101"))
    assert result.outcome is MatchOutcome.MATCHED and result.best is not None
    assert result.best.score == 95 and result.best.customer_id == RIVERA


# --- rule 3c: amount and payer name -------------------------------------------------------------------------------


def test_a_unique_amount_and_a_typod_name_is_applied():
    result = one(line(45_000, payer_name="OKAFR PLUMBING"))
    assert result.outcome is MatchOutcome.MATCHED and result.best is not None
    assert result.best.customer_id == OKAFOR and result.best.score == 92


def test_an_alias_confirmed_by_staff_scores_higher():
    result = one(line(45_000, payer_name="A. Okafor Trading"))
    assert result.best is not None and result.best.score == 96
    assert any("alias" in r for r in result.best.reasons)


def test_two_customers_with_that_amount_and_a_weak_name_is_only_suggested():
    result = one(line(7_550, payer_name="L NGUEN"))
    assert result.outcome is MatchOutcome.SUGGESTED
    assert {c.customer_id for c in result.suggestions} >= {NGUYEN}
    assert all(c.score < SETTINGS.auto_apply_score for c in result.suggestions)


def test_an_amount_without_a_payer_name_is_never_applied():
    result = one(line(45_000))
    assert result.outcome is MatchOutcome.SUGGESTED and result.best is not None and result.best.score == 60


def test_a_surname_alone_never_decides():
    result = one(line(45_000, payer_name="OKAFOR"))
    assert result.outcome is MatchOutcome.SUGGESTED


# --- rule 3d: one line for several invoices, several lines for one --------------------------------------------------


def test_one_line_paying_several_invoices_of_a_customer():
    result = one(line(45_000 + 7_550, payer_name="Okafor Plumbing"))
    assert result.outcome is MatchOutcome.MATCHED and result.best is not None
    assert sorted(a.invoice_id for a in result.best.allocations) == ["inv_000000000003", "inv_000000000004"]
    assert result.best.score == 92


def test_one_line_several_invoices_within_the_tolerance():
    off = line(45_000 + 7_550 - 30, payer_name="Okafor Plumbing")
    assert one(off).outcome is not MatchOutcome.MATCHED
    result = one(off, settings=replace(SETTINGS, amount_tolerance=50))
    assert result.outcome is MatchOutcome.MATCHED and result.best is not None and result.best.score == 90
    assert sum(a.amount for a in result.best.allocations) == off.amount  # the short-paid invoice stays open


def test_several_lines_paying_one_invoice():
    lines = [line(20_000, key="A", payer_name="Okafor Plumbing"), line(25_000, key="B", payer_name="OKAFOR PLUMBING")]
    results = match(lines, BOOK, SETTINGS)
    assert [r.outcome for r in results] == [MatchOutcome.MATCHED, MatchOutcome.MATCHED]
    assert all(r.best and r.best.allocations[0].invoice_id == "inv_000000000003" for r in results)
    assert any("other line" in reason for r in results if r.best for reason in r.best.reasons)


def test_balances_taken_by_one_line_are_not_offered_to_the_next():
    ref = reference_for(RIVERA)
    results = match([line(20_000, key="A", remittance=ref), line(20_000, key="B", remittance=ref)], BOOK, SETTINGS)
    second = results[1].best
    assert second is not None and second.target is MatchTarget.ACCOUNT_CREDIT and second.allocations == ()


# --- rules 1 and 2: deposits --------------------------------------------------------------------------------------

PAYOUT = ExpectedDeposit("po_1", "stripe", 123_456, "USD", date(2031, 3, 10), "TRACE-77")
SLIP = ExpectedDeposit("dep_1", "counter", 50_000, "USD", DAY)


def test_a_payout_with_its_trace_scores_100():
    result = one(line(123_456, LineKind.PROCESSOR_DEPOSIT, trace_number="trace-77"), MatchBook(deposits=(PAYOUT,)))
    assert result.best is not None and result.best.score == 100 and result.best.deposit_id == "po_1"


def test_a_payout_by_amount_loses_two_points_a_banking_day():
    book = MatchBook(deposits=(replace(PAYOUT, bank_trace_id=None),))
    result = one(line(123_456, LineKind.PROCESSOR_DEPOSIT), book)
    assert result.best is not None and result.best.score == 92  # Monday expected, Wednesday booked
    late = one(line(123_456, LineKind.PROCESSOR_DEPOSIT, booking_date=date(2031, 3, 13)), book)
    assert late.outcome is MatchOutcome.UNMATCHED  # three banking days: outside the window


def test_a_branch_deposit_matches_a_counter_slip_not_a_payout():
    book = MatchBook(deposits=(SLIP, replace(PAYOUT, amount=50_000, bank_trace_id=None)))
    result = one(line(50_000, LineKind.BRANCH_DEPOSIT), book)
    assert result.best is not None and result.best.deposit_id == "dep_1" and result.best.score == 96
    assert all(c.deposit_id == "dep_1" for c in result.suggestions)


def test_a_deposit_is_never_taken_by_two_lines():
    book = MatchBook(deposits=(SLIP,))
    results = match([line(50_000, LineKind.BRANCH_DEPOSIT, key=k) for k in "AB"], book, SETTINGS)
    assert [r.outcome for r in results] == [MatchOutcome.MATCHED, MatchOutcome.UNMATCHED]


def test_several_payouts_of_a_day_as_one_line():
    day_payouts = tuple(ExpectedDeposit(f"po_{i}", "stripe", 10_000 + i, "USD", DAY) for i in range(3))
    result = one(line(30_003, LineKind.PROCESSOR_DEPOSIT), MatchBook(deposits=day_payouts))
    assert result.outcome is MatchOutcome.MATCHED and result.best is not None
    assert result.best.deposit_ids == ("po_0", "po_1", "po_2") and result.best.score == 94


def test_an_unlabelled_credit_that_fits_a_deposit_is_only_suggested():
    book = MatchBook(deposits=(replace(PAYOUT, bank_trace_id=None, expected_on=DAY),))
    pool = deposits.DepositPool.build(book.deposits)
    found = deposits.one_deposit(line(123_456, LineKind.OTHER_CREDIT), pool, SETTINGS, frozenset())
    assert [c.score for c in found] == [85]


# --- rule 4: returns ----------------------------------------------------------------------------------------------

DEBIT = ReturnableDebit(RIVERA, "pay_01HRETURN0000000000000001", 12_000, "USD", date(2031, 3, 7), "091000019876543",
                        "txn_abc")  # fmt: skip


def test_a_return_naming_its_trace_reverses_the_payment():
    book = MatchBook(payers=PAYERS, debits=(DEBIT,))
    result = one(line(-12_000, LineKind.ACH_RETURN, return_code="R01", original_reference="091000019876543"), book)
    assert result.outcome is MatchOutcome.MATCHED and result.best is not None
    assert result.best.target is MatchTarget.RETURN and result.best.payment_id == DEBIT.payment_id
    assert result.best.return_code == "R01" and result.best.may_represent is True
    assert any("Insufficient funds" in r for r in result.best.reasons)


def test_an_unauthorized_return_may_not_be_represented():
    book = MatchBook(payers=PAYERS, debits=(DEBIT,))
    result = one(line(-12_000, LineKind.ACH_RETURN, return_code="R10", remittance="ORIG txn_abc"), book)
    assert result.best is not None and result.best.may_represent is False and result.best.score == 100


def test_a_presented_again_debit_counts_its_presentments_and_days_from_the_first():
    # The third presentment's return: no more; the second's, 181 days after the first presentment: no more either
    returned = line(-12_000, LineKind.ACH_RETURN, return_code="R01", original_reference="091000019876543")
    third = replace(DEBIT, presentments=3, first_presented_on=DEBIT.collected_on - timedelta(days=30))
    late = replace(DEBIT, presentments=2, first_presented_on=returned.booking_date - timedelta(days=181))
    for debit in (third, late):
        result = one(returned, MatchBook(payers=PAYERS, debits=(debit,)))
        assert result.best is not None and result.best.payment_id == DEBIT.payment_id
        assert result.best.may_represent is False


def test_a_return_without_a_reference_by_amount_date_and_name():
    book = MatchBook(payers=PAYERS, debits=(DEBIT,))
    result = one(line(-12_000, LineKind.ACH_RETURN, return_code="R09", payer_name="JORDAN RIVERA"), book)
    assert result.outcome is MatchOutcome.MATCHED and result.best is not None and result.best.score == 90
    weak = one(line(-12_000, LineKind.ACH_RETURN, return_code="R09", payer_name="J R"), book)
    assert weak.outcome is MatchOutcome.SUGGESTED


def test_fees_and_other_debits_are_ignored():
    result = one(line(-2_500, LineKind.OTHER_DEBIT, remittance=reference_for(RIVERA)))
    assert result.outcome is MatchOutcome.IGNORED and result.best is None


def test_suggestions_are_best_first_and_bounded():
    book = MatchBook(invoices=tuple(inv(10 + i, c, 9_900) for i, c in enumerate([RIVERA, OKAFOR, NGUYEN])))
    result = one(line(9_900), book, replace(SETTINGS, max_suggestions=2))
    assert result.outcome is MatchOutcome.SUGGESTED and len(result.suggestions) == 2
    assert [c.score for c in result.suggestions] == sorted((c.score for c in result.suggestions), reverse=True)


def test_a_debit_is_returned_once_in_a_run():
    book = MatchBook(payers=PAYERS, debits=(DEBIT,))
    twice = [line(-12_000, LineKind.ACH_RETURN, key=k, return_code="R01", original_reference="txn_abc") for k in "AB"]
    assert [r.outcome for r in match(twice, book, SETTINGS)] == [MatchOutcome.MATCHED, MatchOutcome.UNMATCHED]


def test_several_sets_of_invoices_fitting_one_line_are_only_suggested():
    book = MatchBook(invoices=(inv(20, OKAFOR, 1_000), inv(21, OKAFOR, 2_000), inv(22, OKAFOR, 3_000)), payers=PAYERS)
    result = one(line(4_000 + 0, payer_name="Okafor Plumbing"), book)  # 1,000 + 3,000 only
    assert result.outcome is MatchOutcome.MATCHED
    ambiguous = one(line(3_000 + 0, payer_name="Okafor Plumbing"), replace(book, invoices=book.invoices[:2]))
    assert ambiguous.best is not None and ambiguous.best.score == 92  # 1,000 + 2,000: one set
    both = MatchBook(invoices=(*book.invoices, inv(23, OKAFOR, 4_000)), payers=PAYERS)
    found = one(line(5_000, payer_name="Okafor Plumbing"), both)  # 1,000 + 4,000 or 2,000 + 3,000
    assert found.outcome is MatchOutcome.SUGGESTED and found.best is not None and found.best.score == 75


def test_two_equally_sure_candidates_are_neither_applied():
    twins = (KnownPayer(RIVERA, "Jordan Rivera", reference_for(RIVERA)),
             KnownPayer(NGUYEN, "Jordan Rivera", reference_for(NGUYEN)))  # fmt: skip
    book = MatchBook(invoices=(inv(30, RIVERA, 4_400), inv(31, NGUYEN, 4_400)), payers=twins)
    result = one(line(4_400, payer_name="JORDAN RIVERA"), book)
    assert result.outcome is MatchOutcome.SUGGESTED
    assert {c.customer_id for c in result.suggestions} == {RIVERA, NGUYEN}


def test_a_set_of_invoices_is_not_applied_when_a_namesake_owes_the_amount_on_one():
    twins = (KnownPayer(RIVERA, "Jordan Rivera", reference_for(RIVERA)),
             KnownPayer(NGUYEN, "Jordan Rivera", reference_for(NGUYEN)))  # fmt: skip
    invoices = (inv(40, RIVERA, 4_000), inv(41, RIVERA, 1_000), inv(42, NGUYEN, 5_000), inv(43, NGUYEN, 5_000))
    result = one(line(5_000, payer_name="JORDAN RIVERA"), MatchBook(invoices=invoices, payers=twins))
    assert result.outcome is MatchOutcome.SUGGESTED
    assert {c.customer_id for c in result.suggestions} == {RIVERA, NGUYEN}
