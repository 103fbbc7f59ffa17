"""CSV exports that open correctly in a spreadsheet.

UTF-8 with a byte-order mark (Excel otherwise guesses the encoding wrong), a header row, RFC 4180 quoting, CRLF
line ends, amounts as plain decimals with the currency in its own column, and cells that a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@`` first) prefixed with an apostrophe (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import Response

from arportal.domain.money import Money
from arportal.domain.spreadsheet_cells import safe_cell


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], object]


def money_cell(minor: int, currency: str) -> str:
    """``12.50`` for 1250 USD: a number a spreadsheet sums, never a float's rounding."""
    return str(Money(minor, currency).to_decimal())


def render_csv(rows: Iterable[Any], columns: Sequence[Column]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([safe_cell(c.value(row)) for c in columns])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def csv_response(rows: Iterable[Any], columns: Sequence[Column], filename: str) -> Response[bytes]:
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=render_csv(rows, columns),
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
