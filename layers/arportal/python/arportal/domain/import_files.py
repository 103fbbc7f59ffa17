"""Reading an import's file: bytes -> lines -> the records the batch service takes, each with its line number.

Two kinds of problem, kept apart on purpose:

- **The file cannot be read** (``FileFormatError``): not UTF-8, a line of an NDJSON file that is not a JSON
  object, a CSV header with a column the kind does not have or without a required one, a CSV row with another
  number of fields than the header, a file with no records. The import fails with the reason and the line, before
  anything is loaded: the whole file is read (and split) before the first chunk loads.
- **A record is wrong** (``FileRecord.errors``, or the batch service's answer later): a cell that is not an
  amount, an id that appeared earlier in the file (``duplicate_in_file``: the first line counts), or anything the
  batch service refuses. The record is in the error report; the others load.

Streaming: ``text_lines`` decodes the object as it arrives and every reader is a generator, so memory holds one
chunk, plus the source ids seen so far (to find duplicates across chunks).

Pure: no I/O.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from arportal.domain.import_columns import LAYOUTS, VERSION_COLUMN_NAMES, CsvLayout, record_of
from arportal.domain.imports import CHUNK_RECORDS, ImportFormat, ImportKind
from arportal.domain.source_records import RecordError, SourceKind

ID_FIELDS = {
    SourceKind.CUSTOMER: "customer_id",
    SourceKind.ACCOUNT: "account_number",
    SourceKind.INVOICE: "invoice_number",
    SourceKind.CREDIT_NOTE: "number",
    SourceKind.SALES_ORDER: "number",
}
_BOM = "\ufeff"


class FileFormatError(Exception):
    """The file cannot be read as the import's format: the import fails with ``code`` and ``message``."""

    def __init__(self, code: str, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.line = code, message, line


@dataclass(frozen=True)
class FileRecord:
    """One record of the file: ``line`` is where it starts (1 is the first line; a CSV's header is line 1)."""

    line: int
    record: object
    source_id: str | None
    rows: tuple[int, ...] = ()  # an invoice's or an order's CSV rows, one per line of it, in order
    errors: tuple[RecordError, ...] = ()  # refused before loading: it is not sent to the batch service

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "source_id": self.source_id, "record": self.record}
        if self.rows:
            out["rows"] = list(self.rows)
        if self.errors:
            out["errors"] = [
                {"code": e.code, "message": e.message, "field": e.field, "details": dict(e.details)}
                for e in self.errors
            ]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileRecord:
        errors = tuple(
            RecordError(str(e["code"]), str(e["message"]), e.get("field"), e.get("details") or {})
            for e in data.get("errors") or ()
        )
        return cls(int(data["line"]), data.get("record"), data.get("source_id"), tuple(data.get("rows") or ()), errors)


def text_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """The file's lines, each with its ``\\n`` (a CSV needs them for quoted line breaks); a leading byte order mark
    is dropped. Raises ``FileFormatError`` (``not_utf8``) at the first byte that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending, done, started = "", 0, False
    for chunk in chunks:
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            before = pending + chunk[: exc.start].decode("utf-8", errors="ignore")
            line = done + before.count("\n") + 1
            raise FileFormatError("not_utf8", f"line {line} is not UTF-8: save the file as UTF-8", line=line) from exc
        if not started and text:
            text, started = text.removeprefix(_BOM), True
        pending += text
        cut = pending.rfind("\n")
        if cut < 0:
            continue
        for line_text in _split(pending[: cut + 1]):
            done += 1
            yield line_text
        pending = pending[cut + 1 :]
    try:
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise FileFormatError("not_utf8", "the file ends in the middle of a character: save it as UTF-8") from exc
    if pending:
        yield pending.removeprefix(_BOM) if not started else pending


def _split(text: str) -> list[str]:
    """Lines ending in ``\\n`` only (``str.splitlines`` would also split at ``\\r``, form feeds and U+2028)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def read_records(
    lines: Iterable[str], kind: ImportKind, file_format: ImportFormat, *, currency: str
) -> Iterator[FileRecord]:
    """Every record of the file, in order; an id seen earlier in the file is refused (``duplicate_in_file``)."""
    found = _ndjson(lines, kind) if file_format is ImportFormat.NDJSON else _csv(lines, LAYOUTS[kind], currency)
    id_field = ID_FIELDS[kind.source_kind]
    first: dict[str, int] = {}
    any_record = False
    for record in found:
        any_record = True
        if record.source_id is not None:
            seen = first.setdefault(record.source_id, record.line)
            if seen != record.line:
                message = f"line {seen} has the same {id_field}; the first one counts"
                record = replace(  # noqa: PLW2901 - the same record, refused
                    record, errors=(RecordError("duplicate_in_file", message, id_field, {"first_line": seen}),)
                )
        yield record
    if not any_record:
        raise FileFormatError("no_records", "the file holds no records")


def chunked(records: Iterable[FileRecord], size: int = CHUNK_RECORDS) -> Iterator[list[FileRecord]]:
    chunk: list[FileRecord] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def encode_chunk(records: Iterable[FileRecord]) -> bytes:
    return "".join(json.dumps(r.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n" for r in records).encode()


def decode_chunk(body: bytes) -> list[FileRecord]:
    return [FileRecord.from_json(json.loads(line)) for line in body.decode().splitlines() if line.strip()]


# --- NDJSON -----------------------------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _ndjson(lines: Iterable[str], kind: ImportKind) -> Iterator[FileRecord]:
    id_field = ID_FIELDS[kind.source_kind]
    for number, text in enumerate(lines, start=1):
        stripped = text.strip()
        if not stripped:
            continue
        try:
            value = json.loads(stripped, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc) or "nested too deep"
            raise FileFormatError("malformed_line", f"line {number} is not JSON: {reason}", line=number) from exc
        if not isinstance(value, dict):
            raise FileFormatError(
                "malformed_line", f"line {number} is not a JSON object: one record per line", line=number
            )
        source_id = value.get(id_field)
        yield FileRecord(number, value, source_id if isinstance(source_id, str) and source_id else None)


# --- CSV --------------------------------------------------------------------------------------------------------


class _Counted:
    """The lines given to ``csv.reader``, counted, so each row knows the line it starts on."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.count = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        return line


def _csv(lines: Iterable[str], layout: CsvLayout, currency: str) -> Iterator[FileRecord]:
    counted = _Counted(lines)
    reader = csv.reader(counted, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError("no_records", "the file is empty: it needs a header row and records") from None
    except csv.Error as exc:
        raise FileFormatError("malformed_csv", f"line 1: {exc}", line=1) from exc
    names = check_header(header, layout)
    group: list[tuple[int, dict[str, str]]] = []
    while True:
        start = counted.count + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FileFormatError("malformed_csv", f"line {start}: {exc}", line=start) from exc
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            raise FileFormatError(
                "wrong_field_count",
                f"line {start} has {len(row)} fields; the header has {len(names)} (a comma inside a value needs "
                'the value in double quotes: "Springfield, IL")',
                line=start,
            )
        cells = dict(zip(names, row, strict=True))
        if group and not _same_record(layout, group[-1][1], cells):
            yield _record(layout, group, currency)
            group = []
        group.append((start, cells))
    if group:
        yield _record(layout, group, currency)


def _same_record(layout: CsvLayout, previous: Mapping[str, str], row: Mapping[str, str]) -> bool:
    if layout.grouped_by is None:
        return False
    key = row.get(layout.grouped_by, "").strip()
    return bool(key) and key == previous.get(layout.grouped_by, "").strip()


def _record(layout: CsvLayout, group: list[tuple[int, dict[str, str]]], currency: str) -> FileRecord:
    record, errors = record_of(layout, [cells for _, cells in group], currency=currency)
    source_id = group[0][1].get(layout.id_column, "").strip() or None
    rows = tuple(line for line, _ in group) if layout.grouped_by else ()
    return FileRecord(group[0][0], record, source_id, rows, errors)


def check_header(header: list[str], layout: CsvLayout) -> list[str]:
    """The header's column names (trimmed, lower case); a name the kind does not have, a name twice, or a required
    column missing fails the file, naming the column (and the closest known name)."""
    names = [name.strip().lower() for name in header]
    kind = layout.kind.value
    if len(names) == 1 and ";" in names[0]:
        raise FileFormatError(
            "malformed_csv", "the columns are separated by semicolons: save the file with commas", line=1
        )
    for position, name in enumerate(names, start=1):
        if not name:
            raise FileFormatError("unknown_column", f"column {position} of the header has no name", line=1)
        if names.count(name) > 1:
            raise FileFormatError("duplicate_column", f"the header has the column {name!r} twice", line=1)
        if layout.column(name) is None:
            close = difflib.get_close_matches(name, layout.names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise FileFormatError(
                "unknown_column",
                f"{name!r} is not a column of a {kind} import{hint}; see the template for the columns",
                line=1,
            )
    missing = [c.name for c in layout.columns if c.required and c.name not in names]
    if missing:
        raise FileFormatError(
            "missing_column",
            f"a {kind} import needs the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            line=1,
        )
    if not any(name in names for name in VERSION_COLUMN_NAMES):
        raise FileFormatError(
            "missing_column", "give each record its version: a source_version or an updated_at column", line=1
        )
    return names
