"""BAI2: the golden file read line by line, continuation records joined by what they continue, funds types, type
codes to kinds, and every refusal (control totals, record counts, truncation, structure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from arportal.domain.bank_files import parse
from arportal.domain.bank_files.bai2 import classify_type_code
from arportal.domain.bank_statements import BankFileFormat, BankFileRejected, LineKind

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "bank_files" / "bai2_operating_and_lockbox.bai"


def _golden() -> str:
    return GOLDEN.read_bytes().decode("latin-1")


def _bai2(*records: str, summary: int = 0) -> bytes:
    """A one-group, one-account file around ``records`` (03 first, then 16s and 88s) with correct trailers: the
    control total is the 16 amounts plus ``summary``, the sum of the amounts the test wrote in the 03."""
    total = summary
    for record in records:
        fields = record.rstrip("/").split(",")
        if fields[0] == "16" and fields[2].isdigit():
            total += int(fields[2])
    account = [*records, f"49,{total},{len(records) + 1}/"]
    group = ["02,AGENCY,121000248,1,260302,0000,USD,2/", *account]
    group.append(f"98,{total},1,{len(group) + 1}/")
    lines = ["01,121000248,AGENCY,260303,0100,F1,80,,2/", *group]
    lines.append(f"99,{total},1,{len(lines) + 1}/")
    return "\n".join(lines).encode()


def test_the_golden_file_gives_two_accounts_with_their_balances() -> None:
    bank_file = parse(GOLDEN.read_bytes())
    assert bank_file.format is BankFileFormat.BAI2
    assert bank_file.file_reference == "0302A"
    assert bank_file.created_at == datetime(2026, 3, 3, 6, 15, tzinfo=UTC)
    operating, lockbox = bank_file.statements
    assert (operating.account_number, operating.bank_id, operating.currency) == ("4400012345", "121000248", "USD")
    assert operating.statement_date == date(2026, 3, 2)
    assert (operating.opening_balance, operating.closing_balance) == (2_500_000, 3_093_620)
    assert (operating.credits, operating.debits) == (620_120, 26_500)
    assert [line.line_key for line in lockbox.lines] == ["4400067890:LBX0302001"]
    assert lockbox.lines[0].kind is LineKind.LOCKBOX and lockbox.lines[0].amount == 16_550


def test_each_line_of_the_golden_file() -> None:
    lines = {line.bank_reference: line for line in parse(GOLDEN.read_bytes()).lines}
    ach = lines["ACH0302001"]
    assert (ach.amount, ach.kind, ach.type_code) == (125_000, LineKind.ACH_CREDIT, "165")
    assert ach.customer_reference == "INV-000123"
    assert ach.payer_name == "ACME WIDGETS"
    assert ach.trace_number == "091000012345678"
    # the 88 continues the text with a space, not glued on with a comma
    assert ach.remittance.endswith("ENTRY DESCR:UTILITY TRACE:091000012345678")

    payout = lines["ACH0302002"]
    assert payout.kind is LineKind.PROCESSOR_DEPOSIT and payout.amount == 348_620
    assert payout.trace_number == "021000021111111"  # after the S funds type's three amounts

    wire = lines["FW0302003"]
    assert (wire.kind, wire.value_date, wire.payer_name) == (LineKind.WIRE, date(2026, 3, 1), "HARBOR DINER LLC")
    assert wire.trace_number == "20260301QMGFT015000123"
    assert "  " not in wire.remittance  # odd spacing collapsed

    deposit = lines["DEP0302004"]  # D funds type: a count then (days, amount) pairs
    assert (deposit.kind, deposit.amount, deposit.customer_reference) == (
        LineKind.BRANCH_DEPOSIT,
        46_500,
        "SLIP 000881",
    )

    returned = lines["RET0302005"]
    assert (returned.kind, returned.amount, returned.return_code) == (LineKind.ACH_RETURN, -25_000, "R01")
    assert returned.original_reference == "091000010000042"
    assert returned.trace_number is None  # the original's trace is not this line's trace

    fee = lines["FEE0302006"]
    assert (fee.kind, fee.amount, fee.type_code, fee.remittance) == (
        LineKind.OTHER_DEBIT,
        -1_500,
        "698",
        "ACCOUNT ANALYSIS FEE",
    )


def test_an_03_continuation_continues_the_summary_list() -> None:
    bank_file = parse(
        _bai2("03,555,USD,010,100,,/", "88,015,350,,/", "16,165,250,0,R1,,PAY/", summary=450),
    )
    (statement,) = bank_file.statements
    assert (statement.opening_balance, statement.closing_balance) == (100, 350)


def test_summary_funds_types_add_fields_that_are_skipped_not_read_as_type_codes() -> None:
    bank_file = parse(_bai2("03,555,USD,100,500,2,S,100,200,200,010,40,,D,1,0,40,015,540,,V,260302,,/", summary=1080))
    (statement,) = bank_file.statements
    assert (statement.opening_balance, statement.closing_balance) == (40, 540)


def test_a_16_broken_before_its_references_continues_them_in_the_88() -> None:
    (line,) = parse(_bai2("03,555,USD/", "16,165,250,0", "88,BANKREF,CUSTREF,FIRST WORDS", "88,MORE WORDS")).lines
    assert (line.bank_reference, line.customer_reference) == ("BANKREF", "CUSTREF")
    assert line.remittance == "FIRST WORDS MORE WORDS"


def test_a_slash_defaults_the_rest_of_a_16_so_the_88_is_text() -> None:
    (line,) = parse(_bai2("03,555,USD/", "16,165,250,0/", "88,ONLY TEXT, WITH A COMMA")).lines
    assert line.bank_reference is None and line.customer_reference is None
    assert line.remittance == "ONLY TEXT, WITH A COMMA"


def test_a_line_without_bank_reference_has_a_stable_hashed_key_and_twins_stay_two() -> None:
    file = _bai2("03,555,USD/", "16,301,500,0,,,CHEQUE", "16,301,500,0,,,CHEQUE")
    first, second = parse(file).lines
    assert first.line_key.startswith("555:h") and second.line_key == f"{first.line_key}~2"
    assert [line.line_key for line in parse(file).lines] == [first.line_key, second.line_key]


def test_an_informational_zero_amount_detail_is_counted_but_is_no_line() -> None:
    assert parse(_bai2("03,555,USD/", "16,890,0,0,,,NOTE", "16,165,7,0,A,,X")).lines[0].amount == 7


def test_currency_defaults_from_the_group_and_the_account_may_override() -> None:
    bank_file = parse(_bai2("03,555,,/", "16,165,7,0,A,,X"))
    assert bank_file.statements[0].currency == "USD"
    assert parse(_bai2("03,555,CAD/", "16,165,7,0,A,,X")).lines[0].currency == "CAD"


@pytest.mark.parametrize(
    ("code", "credit", "text", "kind"),
    [
        (165, True, "ORIG CO NAME:ACME", LineKind.ACH_CREDIT),
        (166, True, "", LineKind.ACH_CREDIT),
        (169, True, "ORIG CO NAME:STRIPE ENTRY DESCR:TRANSFER", LineKind.PROCESSOR_DEPOSIT),
        (195, True, "B/O: X", LineKind.WIRE),
        (208, True, "", LineKind.WIRE),
        (301, True, "", LineKind.BRANCH_DEPOSIT),
        (115, True, "", LineKind.LOCKBOX),
        (399, True, "", LineKind.OTHER_CREDIT),
        (555, False, "", LineKind.ACH_RETURN),
        (451, False, "ACH RETURN R03 NO ACCOUNT", LineKind.ACH_RETURN),
        (475, False, "CHECK 1001", LineKind.OTHER_DEBIT),
        (699, False, "", LineKind.OTHER_DEBIT),
    ],
)
def test_type_codes_map_to_kinds(code: int, credit: bool, text: str, kind: LineKind) -> None:
    assert classify_type_code(code, credit=credit, text=text, payer=None) is kind


# --- refusals ---------------------------------------------------------------------------------------------------


def _refused(data: bytes | str) -> str:
    with pytest.raises(BankFileRejected) as refused:
        parse(data.encode("latin-1") if isinstance(data, str) else data)
    return refused.value.message


def test_an_altered_amount_fails_the_account_control_total() -> None:
    altered = _golden().replace("16,165,125000,", "16,165,125001,")
    assert "account control total 6886860 but its records add up to 6886861" in _refused(altered)


def test_an_altered_trailer_total_is_refused_at_each_level() -> None:
    assert "group control total" in _refused(_golden().replace("98,6936510,", "98,6936511,"))
    assert "file control total" in _refused(_golden().replace("99,6936510,", "99,6936511,"))


def test_a_dropped_record_fails_the_record_count() -> None:
    dropped = _golden().replace("88,TRACE:021000021111111\n", "")
    assert "account says 13 records but has 12" in _refused(dropped)


def test_wrong_numbers_of_accounts_or_groups_are_refused() -> None:
    assert "says 3 accounts but has 2" in _refused(_golden().replace("98,6936510,2,", "98,6936510,3,"))
    assert "says 2 groups but has 1" in _refused(_golden().replace("99,6936510,1,", "99,6936510,2,"))


def test_a_truncated_file_is_refused() -> None:
    truncated = _golden().split("98,")[0]
    assert "truncated" in _refused(truncated)


def test_records_after_the_file_trailer_are_refused() -> None:
    assert "after the file trailer" in _refused(_golden() + "16,165,1,0,X,,Y\n")


@pytest.mark.parametrize(
    ("records", "reason"),
    [
        (("03,555,USD/", "16,165,12.50,0,A,,X"), "not a whole number"),
        (("03,555,USD/", "16,16X,1250,0,A,,X"), "not three digits"),
        (("03,555,USD/", "16,765,1250,0,A,,X"), "neither a credit nor a debit"),
        (("03,555,USD/", "16,165,1250,Q,A,,X"), "funds type"),
        (("03,555,USD/", "17,165,1250,0,A,,X"), "not a BAI2 record"),
        (("03,,USD/", "16,165,1250,0,A,,X"), "without an account number"),
    ],
)
def test_malformed_records_are_refused_with_the_line(records: tuple[str, ...], reason: str) -> None:
    message = _refused(_bai2(*records))
    assert reason in message and "line " in message


def test_a_detail_outside_an_account_is_refused() -> None:
    text = "01,A,B,260302,0100,F1,80,,2/\n02,B,A,1,260302,0000,USD,2/\n16,165,1,0,X,,Y\n"
    assert "outside an account" in _refused(text)


def test_the_filename_names_the_file_in_the_reason() -> None:
    with pytest.raises(BankFileRejected, match=r"^day\.bai: truncated"):
        parse(_golden().split("98,")[0].encode(), filename="day.bai")
