"""The lockbox CSV (layout in arportal/domain/bank_files/lockbox_csv.py): the golden file, and its refusals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from arportal.domain.bank_files import parse
from arportal.domain.bank_statements import BankFileFormat, BankFileRejected, LineKind

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "bank_files" / "lockbox_0302.csv"
HEADER = "batch,item,deposit_date,account_number,cheque_number,amount,payer_name,invoice_numbers,remittance\n"


def _refused(text: str) -> str:
    with pytest.raises(BankFileRejected) as refused:
        parse(text.encode())
    return refused.value.message


def test_the_golden_file_one_line_per_cheque() -> None:
    bank_file = parse(GOLDEN.read_bytes())
    assert bank_file.format is BankFileFormat.LOCKBOX_CSV
    (statement,) = bank_file.statements
    assert (statement.account_number, statement.statement_date, statement.currency) == (
        "4400067890",
        date(2026, 3, 2),
        "USD",
    )
    assert statement.opening_balance is None and statement.closing_balance is None
    first, second, third = statement.lines
    assert first.line_key == "4400067890:20260302-101-1"
    assert (first.kind, first.amount, first.customer_reference) == (LineKind.LOCKBOX, 12_550, "20417")
    assert (first.payer_name, first.remittance) == ("Rivera, Ana", "water and sewer, Q1")  # quoted commas
    assert first.invoice_numbers == ("INV-000123", "INV-000124")
    assert (second.invoice_numbers, second.remittance) == (("INV-000200",), "")
    assert (third.amount, third.payer_name, third.invoice_numbers) == (100_000, "Lakeside Apartments LLC", ())


def test_rows_of_two_accounts_or_days_make_two_statements() -> None:
    text = HEADER + "1,1,2026-03-02,111,9,1.00,A,,\n1,1,2026-03-03,111,9,2.00,A,,\n1,1,2026-03-02,222,9,3,B,,\n"
    statements = parse((text + "TOTAL,3,6.00\n").encode()).statements
    assert [(s.account_number, s.statement_date) for s in statements] == [
        ("111", date(2026, 3, 2)),
        ("111", date(2026, 3, 3)),
        ("222", date(2026, 3, 2)),
    ]


def test_an_altered_amount_fails_the_trailer_total() -> None:
    altered = GOLDEN.read_text(encoding="utf-8-sig").replace(",125.50,", ",125.51,")
    assert "trailer's total 1165.50 is not the cheques' sum (116551 cents)" in _refused(altered)


def test_a_wrong_count_or_a_missing_trailer_is_refused() -> None:
    golden = GOLDEN.read_text(encoding="utf-8-sig")
    assert "says 4 cheques, the file has 3" in _refused(golden.replace("TOTAL,3,", "TOTAL,4,"))
    assert "truncated" in _refused(golden.rsplit("TOTAL", 1)[0])


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("1,1,03/02/2026,111,9,1.00,A,,", "not YYYY-MM-DD"),
        ("1,1,2026-03-02,111,9,1.005,A,,", "more decimals"),
        ("1,1,2026-03-02,111,9,-1.00,A,,", "a lockbox cheque of -1.00"),
        ("1,1,2026-03-02,,9,1.00,A,,", "required"),
        ("1,1,2026-03-02,111,9,1.00,A,", "8 columns"),
    ],
)
def test_bad_rows_are_refused(row: str, reason: str) -> None:
    assert reason in _refused(f"{HEADER}{row}\nTOTAL,1,1.00\n")


def test_a_total_row_in_the_middle_is_refused() -> None:
    text = HEADER + "TOTAL,0,0\n1,1,2026-03-02,111,9,1.00,A,,\nTOTAL,1,1.00\n"
    assert "TOTAL row before the last row" in _refused(text)
