"""Reading an import's file (``domain/import_files.py``, ``domain/import_columns.py``, ``domain/import_report.py``):
what fails the whole file, what rejects one record, amounts as exact decimals, invoices grouped from their rows,
and the error report in the file's own terms (columns and rows)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from arportal.domain.import_columns import LAYOUTS, template, to_minor
from arportal.domain.import_files import (
    FileFormatError,
    FileRecord,
    chunked,
    decode_chunk,
    encode_chunk,
    read_records,
    text_lines,
)
from arportal.domain.import_report import csv_header, csv_rows, error_rows
from arportal.domain.imports import ImportFormat, ImportKind, chunk_key, chunk_number
from arportal.domain.source_records import RecordError, SourceKind, parse_record

INVOICE_HEADER = "invoice_number,customer_id,account_number,department,issue_date,due_date,source_version,"
INVOICE_HEADER += "line_description,line_fee_code,line_amount\n"


def pieces(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def read(text: str | bytes, kind: ImportKind = ImportKind.CUSTOMERS, fmt: str = "csv") -> list[FileRecord]:
    data = text.encode() if isinstance(text, str) else text
    return list(read_records(text_lines(pieces(data, 7)), kind, ImportFormat(fmt), currency="USD"))


def invoice_row(number: str, amount: str, *, issue: str = "2026-03-01", line: str = "Water") -> str:
    return f"{number},CUS-0001ABCD,UT-000123,utilities,{issue},2026-03-31,1,{line},WATER_USAGE,{amount}\n"


# --- lines -----------------------------------------------------------------------------------------------------


def test_lines_survive_any_cut_of_the_bytes_and_a_byte_order_mark_is_dropped() -> None:
    data = "\ufeffcustomer_id,name\r\nCUS-0001,Zoë\r\n\u2028x,y\n".encode()
    for size in range(1, len(data) + 1):
        assert list(text_lines(pieces(data, size))) == ["customer_id,name\r\n", "CUS-0001,Zoë\r\n", "\u2028x,y\n"]


def test_a_file_that_is_not_utf8_fails_at_its_line() -> None:
    with pytest.raises(FileFormatError) as failed:
        list(text_lines(pieces(b"customer_id,name\nCUS-0001,Zo\xeb\n", 4)))
    assert (failed.value.code, failed.value.line) == ("not_utf8", 2)


# --- NDJSON ----------------------------------------------------------------------------------------------------


def test_ndjson_keeps_each_record_s_line_and_skips_blank_lines() -> None:
    found = read('{"customer_id": "CUS-0001ABCD"}\n\n{"name": "x"}\n', fmt="ndjson")
    assert [(r.line, r.source_id) for r in found] == [(1, "CUS-0001ABCD"), (3, None)]


@pytest.mark.parametrize("line", ['{"customer_id": ', "[1, 2]", '"text"', '{"amount": NaN}'])
def test_an_ndjson_line_that_is_not_a_json_object_fails_the_file(line: str) -> None:
    with pytest.raises(FileFormatError) as failed:
        read(f'{{"customer_id": "CUS-0001ABCD"}}\n{line}\n', fmt="ndjson")
    assert failed.value.code == "malformed_line" and "line 2" in failed.value.message


def test_an_id_seen_earlier_in_the_file_is_rejected_and_the_first_counts() -> None:
    found = read(
        '{"customer_id": "CUS-0001"}\n{"customer_id": "CUS-0002"}\n{"customer_id": "CUS-0001"}\n', fmt="ndjson"
    )
    assert [r.errors for r in found[:2]] == [(), ()]
    (error,) = found[2].errors
    assert (error.code, error.field, dict(error.details)) == ("duplicate_in_file", "customer_id", {"first_line": 1})


def test_an_empty_file_fails() -> None:
    for fmt, text in (("ndjson", "\n\n"), ("csv", ""), ("csv", "customer_id,name,source_version\n")):
        with pytest.raises(FileFormatError) as failed:
            read(text, fmt=fmt)
        assert failed.value.code == "no_records"


# --- CSV: the header --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "code", "says"),
    [
        ("customer_id,nmae,source_version", "unknown_column", "did you mean 'name'?"),
        ("customer_id,source_version", "missing_column", "name"),
        ("customer_id,name", "missing_column", "source_version or an updated_at"),
        ("customer_id,name,name,source_version", "duplicate_column", "'name' twice"),
        ("customer_id;name;source_version", "malformed_csv", "semicolons"),
        ("customer_id,,source_version", "unknown_column", "column 2"),
    ],
)
def test_a_wrong_header_fails_the_file(header: str, code: str, says: str) -> None:
    with pytest.raises(FileFormatError) as failed:
        read(f"{header}\nCUS-0001ABCD,Ada,1\n")
    assert (failed.value.code, failed.value.line) == (code, 1)
    assert says in failed.value.message


def test_column_names_are_trimmed_and_any_case_in_any_order() -> None:
    (record,) = read(" Source_Version , NAME,customer_id\n1,Ada Lovelace,CUS-0001ABCD\n")
    assert record.record == {"customer_id": "CUS-0001ABCD", "name": "Ada Lovelace", "source_version": "1"}
    parsed = parse_record(SourceKind.CUSTOMER, record.record)
    assert not isinstance(parsed, list) and parsed.version == 1


def test_a_row_with_another_number_of_fields_fails_the_file() -> None:
    with pytest.raises(FileFormatError) as failed:
        read("customer_id,name,source_version\nCUS-0001ABCD,Springfield, IL,1\n")
    assert (failed.value.code, failed.value.line) == ("wrong_field_count", 2)
    assert "double quotes" in failed.value.message


def test_quoted_line_breaks_keep_the_line_numbers_of_the_rows_after_them() -> None:
    text = "customer_id,name,address_line1,address_city,address_region,address_postal_code,source_version\n"
    text += 'CUS-0001ABCD,"Ada\nLovelace",1 Main,Springfield,IL,62701,1\n\nCUS-0002ABCD,Grace,,,,,1\n'
    first, second = read(text)
    assert (first.line, second.line) == (2, 5)
    assert first.record["address"] == {  # type: ignore[index]
        "line1": "1 Main",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
    }
    assert "address" not in second.record  # type: ignore[operator]


# --- CSV: amounts and invoices ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("12.34", "USD", 1234),
        ("12.3", "USD", 1230),
        ("12", "USD", 1200),
        ("0.10", "USD", 10),
        ("1500", "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("99999999999.99", "USD", 9_999_999_999_999),
        ("-5.00", "USD", -500),
    ],
)
def test_amounts_are_decimals_converted_exactly(text: str, currency: str, expected: int) -> None:
    assert to_minor(text, currency) == expected


@pytest.mark.parametrize(
    ("text", "currency", "code"),
    [
        ("12.345", "USD", "too_many_decimals"),
        ("1500.5", "JPY", "too_many_decimals"),
        ("1,234.00", "USD", "invalid_amount"),
        ("$12", "USD", "invalid_amount"),
        ("1e3", "USD", "invalid_amount"),
        ("12.", "USD", "invalid_amount"),
    ],
)
def test_an_amount_that_is_not_exact_is_refused_never_rounded(text: str, currency: str, code: str) -> None:
    refused = to_minor(text, currency)
    assert isinstance(refused, RecordError) and refused.code == code


def test_an_invoice_is_its_consecutive_rows_and_its_amount_their_sum() -> None:
    text = INVOICE_HEADER + invoice_row("INV-1", "45.60") + invoice_row("INV-1", "30", line="Sewer")
    text += invoice_row("INV-2", "0.99")
    first, second = read(text, ImportKind.INVOICES)
    assert (first.line, first.rows, second.line, second.rows) == (2, (2, 3), 4, (4,))
    assert first.record["amount"] == 7560 and first.record["currency"] == "USD"  # type: ignore[index]
    assert [line["amount"] for line in first.record["lines"]] == [4560, 3000]  # type: ignore[index]
    assert first.record["lines"][0]["unit_amount"] == 4560  # type: ignore[index]
    parsed = parse_record(SourceKind.INVOICE, first.record)
    assert not isinstance(parsed, list), parsed


def test_an_invoice_whose_rows_disagree_or_come_apart_is_rejected() -> None:
    text = INVOICE_HEADER + invoice_row("INV-1", "1.00") + invoice_row("INV-1", "2.00", issue="2026-03-02")
    text += invoice_row("INV-2", "1.00") + invoice_row("INV-1", "3.00")
    disagree, fine, apart = read(text, ImportKind.INVOICES)
    assert [(e.code, e.field) for e in disagree.errors] == [("rows_disagree", "issue_date")]
    assert fine.errors == ()
    assert [(e.code, dict(e.details)) for e in apart.errors] == [("duplicate_in_file", {"first_line": 2})]


def test_a_line_s_unit_amount_defaults_to_its_amount_over_its_quantity_when_exact() -> None:
    header = INVOICE_HEADER.replace("line_amount\n", "line_quantity,line_amount\n")
    text = header + invoice_row("INV-1", "3,30.00") + invoice_row("INV-2", "3,10.00")  # quantity 3
    exact, inexact = read(text, ImportKind.INVOICES)
    assert exact.record["lines"][0] == {  # type: ignore[index]
        "description": "Water",
        "fee_code": "WATER_USAGE",
        "quantity": "3",
        "amount": 3000,
        "unit_amount": 1000,
    }
    assert [(e.code, e.field) for e in inexact.errors] == [("unit_amount_required", "lines.0.unit_amount")]


# --- chunks and the report --------------------------------------------------------------------------------------


def test_chunks_round_trip_and_are_named_by_number() -> None:
    records = read(INVOICE_HEADER + invoice_row("INV-1", "1.005") + invoice_row("INV-2", "1"), ImportKind.INVOICES)
    assert [len(c) for c in chunked(records * 3, 4)] == [4, 2]
    assert decode_chunk(encode_chunk(records)) == records
    assert chunk_key("imp_1", 12) == "imports/imp_1/chunks/00012.ndjson"
    assert chunk_number("imp_1", chunk_key("imp_1", 12)) == 12
    with pytest.raises(ValueError, match="not a chunk"):
        chunk_number("imp_1", "imports/imp_2/chunks/00012.ndjson")


def test_the_report_names_the_csv_column_and_the_row_of_the_line() -> None:
    text = INVOICE_HEADER + invoice_row("INV-1", "1.00") + invoice_row("INV-1", "2.00") + invoice_row("INV-1", "3")
    (record,) = read(text, ImportKind.INVOICES)
    errors = [
        RecordError("negative_amount", "an amount is never negative", "lines.2.amount"),
        RecordError("due_before_issue", "due_date is before issue_date", "due_date"),
        RecordError("wrong_currency", "USD only", None),
    ]
    rows = error_rows(record, errors, ImportKind.INVOICES, ImportFormat.CSV)
    assert [(r.line, r.field, r.code) for r in rows] == [
        (4, "line_amount", "negative_amount"),
        (2, "due_date", "due_before_issue"),
        (2, None, "wrong_currency"),
    ]
    same = error_rows(record, errors[:1], ImportKind.INVOICES, ImportFormat.NDJSON)
    assert [(r.line, r.field) for r in same] == [(2, "lines.2.amount")]
    assert LAYOUTS[ImportKind.CREDIT_NOTES].column_for("number") == ("credit_note_number", None)


def test_the_report_is_a_spreadsheet_safe_csv() -> None:
    rows = error_rows(FileRecord(7, {}, "=HYPERLINK(1)"), [RecordError("bad", "x, \"y\"", "a")], ImportKind.CUSTOMERS,
                      ImportFormat.NDJSON)  # fmt: skip
    text = (csv_header() + csv_rows(rows)).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["line", "source_id", "field", "code", "message"],
        ["7", "'=HYPERLINK(1)", "a", "bad", 'x, "y"'],
    ]


@pytest.mark.parametrize("kind", list(ImportKind))
def test_every_template_reads_back_as_valid_records(kind: ImportKind) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(template(kind))
    found = read(buffer.getvalue(), kind)
    assert len(found) == 1 and found[0].errors == ()
    parsed = parse_record(kind.source_kind, found[0].record)
    assert not isinstance(parsed, list), parsed
