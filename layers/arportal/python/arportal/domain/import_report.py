"""An import's error report: one CSV row per problem of a rejected record (``line, source_id, field, code,
message``), for the person who fixes the file.

For a CSV import the report speaks the file's language: ``field`` is the column (``line_amount``, not
``lines.2.amount``) and ``line`` is the row the problem is on (the invoice's third row for its third line). The
report opens in a spreadsheet: UTF-8 with a byte order mark, RFC 4180 quoting, and a cell that a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@`` first) prefixed with an apostrophe, since source ids and messages
quote what the file said.

Pure: no I/O.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from arportal.domain.import_columns import LAYOUTS
from arportal.domain.import_files import FileRecord
from arportal.domain.imports import ImportFormat, ImportKind
from arportal.domain.source_records import RecordError
from arportal.domain.spreadsheet_cells import safe_cell

HEADER = ("line", "source_id", "field", "code", "message")


@dataclass(frozen=True)
class ErrorRow:
    line: int
    source_id: str | None
    field: str | None
    code: str
    message: str


def error_rows(
    record: FileRecord, errors: Sequence[RecordError], kind: ImportKind, file_format: ImportFormat
) -> list[ErrorRow]:
    """The report's rows for one rejected record (at least one, even for a rejection without a field error)."""
    layout = LAYOUTS[kind] if file_format is ImportFormat.CSV else None
    rows = []
    for error in errors or (RecordError("rejected", "the record was refused"),):
        field, line = error.field, record.line
        if layout is not None:
            field, position = layout.column_for(error.field)
            if position is not None and position < len(record.rows):
                line = record.rows[position]
        rows.append(ErrorRow(line, record.source_id, field, error.code, error.message))
    return rows


def encode_rows(rows: Iterable[ErrorRow]) -> bytes:
    """A chunk's error file (``imports/<id>/errors/<n>.ndjson``)."""
    return "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in rows).encode()


def decode_rows(body: bytes) -> list[ErrorRow]:
    return [ErrorRow(**json.loads(line)) for line in body.decode().splitlines() if line.strip()]


def csv_header() -> bytes:
    return "\ufeff".encode() + _csv_line(HEADER)


def csv_rows(rows: Iterable[ErrorRow]) -> bytes:
    return b"".join(_csv_line((str(r.line), r.source_id, r.field, r.code, r.message)) for r in rows)


def _csv_line(cells: Sequence[str | None]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([safe_cell(c) for c in cells])
    return buffer.getvalue().encode()
