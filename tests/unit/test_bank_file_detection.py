"""``parse`` tells the format from the content and enforces the limits before reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from arportal.domain.bank_files import MAX_BYTES, MAX_LINES, parse
from arportal.domain.bank_statements import BankFileFormat, BankFileRejected

DATA = Path(__file__).resolve().parents[1] / "data" / "bank_files"


def _refused(data: bytes) -> str:
    with pytest.raises(BankFileRejected) as refused:
        parse(data)
    return refused.value.message


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("bai2_operating_and_lockbox.bai", BankFileFormat.BAI2),
        ("camt053_v02_operating.xml", BankFileFormat.CAMT_053),
        ("camt053_v04_iban.xml", BankFileFormat.CAMT_053),
        ("camt053_v08_same_day.xml", BankFileFormat.CAMT_053),
        ("camt054_v08_intraday.xml", BankFileFormat.CAMT_054),
        ("lockbox_0302.csv", BankFileFormat.LOCKBOX_CSV),
    ],
)
def test_the_format_comes_from_the_content_not_the_name(name: str, fmt: BankFileFormat) -> None:
    assert parse((DATA / name).read_bytes(), filename="misleading.txt").format is fmt


def test_leading_whitespace_and_a_byte_order_mark_are_tolerated() -> None:
    data = b"\xef\xbb\xbf\r\n  " + (DATA / "bai2_operating_and_lockbox.bai").read_bytes()
    assert parse(data).format is BankFileFormat.BAI2


def test_an_unknown_format_is_refused() -> None:
    assert "not a known bank file format" in _refused(b"date,amount\n2026-03-02,10.00\n")
    assert "not UTF-8" in _refused(b"\xff\xfe\x00garbage")
    assert "empty" in _refused(b"  \n ")


def test_a_file_over_the_size_limit_is_refused_before_reading() -> None:
    assert "the limit is 10,485,760" in _refused(b"01," + b"x" * MAX_BYTES)


def test_a_file_over_the_line_limit_is_refused() -> None:
    assert "more than 100,000 lines" in _refused(b"01,\n" * (MAX_LINES + 1))
