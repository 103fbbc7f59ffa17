"""CSV cells open as text in a spreadsheet: a formula is neutralised, a negative amount stays a number."""

from __future__ import annotations

import pytest

from arportal.api.csv_export import Column, render_csv
from arportal.domain.import_report import ErrorRow, csv_rows
from arportal.domain.spreadsheet_cells import safe_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("-12.50", "-12.50"),
        ("+3", "+3"),
        ("Ada", "Ada"),
        (None, ""),
        (1250, "1250"),
    ],
)
def test_a_cell_that_starts_like_a_formula_is_text_unless_it_is_a_number(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_the_exports_and_the_import_error_report_both_neutralise_formulas() -> None:
    exported = render_csv([{"name": "=1+1"}], [Column("name", lambda row: row["name"])]).decode("utf-8-sig")
    assert "'=1+1" in exported
    row = ErrorRow(line=3, source_id="=1+1", field="name", code="invalid", message="@bad")
    report = csv_rows([row]).decode()
    assert "'=1+1" in report and "'@bad" in report
