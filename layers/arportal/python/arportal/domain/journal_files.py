"""A GL journal as the files an ERP imports: CSV (header, detail, trailer) and JSON; the same journal, the same bytes.

CSV, UTF-8 without a byte-order mark (an ERP's import reads bytes, not a spreadsheet), CRLF line ends; the first cell
of each record says what it is. One section per currency, in currency order (an agency's journal has one)::

    H,<batch_id>,<business date YYYY-MM-DD>,<agency>,<currency>,<reverses: the batch reversed, or empty>
    D,<line>,<fund>,<department>,<account>,<debit>,<credit>,<currency>,<kind>,<memo>,<payment_id>,...,<payout_id>
    T,<detail records>,<total debits>,<total credits>

Amounts are decimal strings of major units (``12.50`` for 1250 minor units of USD, ``Money.to_decimal``): an ERP and a
spreadsheet read them as numbers, never through a float. Every text cell passes ``safe_cell``: a memo repeats ids
and codes a connected system sent, and a finance user opens the file in a spreadsheet too.

JSON: the journal with its amounts in minor units (as the API answers), keys sorted, no spaces, so equal journals
serialise to equal bytes. ``sha256`` of the bytes is what the close enters in the audit chain.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass

from arportal.domain.journals import SOURCE_FIELDS, Journal, JournalLine
from arportal.domain.money import Money
from arportal.domain.spreadsheet_cells import safe_cell

CSV_DETAIL_COLUMNS = (
    "record",
    "line",
    "fund",
    "department",
    "account",
    "debit",
    "credit",
    "currency",
    "kind",
    "memo",
    *SOURCE_FIELDS,
)


@dataclass(frozen=True)
class JournalFile:
    filename: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return sha256(self.data)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def journal_csv(journal: Journal) -> JournalFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for currency in journal.currencies or (None,):
        header = [journal.batch_id, journal.business_date.isoformat(), journal.agency, currency, journal.reverses]
        writer.writerow(["H", *(safe_cell(cell) for cell in header)])
        lines = [line for line in journal.lines if line.currency == currency]
        for line in lines:
            writer.writerow(["D", *_detail(line)])
        records, debits, credits = journal.control_totals(currency) if currency else (0, 0, 0)
        writer.writerow(["T", str(records), _amount(debits, currency), _amount(credits, currency)])
    return JournalFile(f"{journal.batch_id}.csv", "text/csv; charset=utf-8", buffer.getvalue().encode("utf-8"))


def journal_json(journal: Journal) -> JournalFile:
    document = {
        "batch_id": journal.batch_id,
        "business_date": journal.business_date.isoformat(),
        "agency": journal.agency,
        "reverses": journal.reverses,
        "lines": [_json_line(line) for line in journal.lines],
        "totals": [
            dict(zip(("currency", "records", "debits", "credits"), (c, *journal.control_totals(c)), strict=True))
            for c in journal.currencies
        ],
    }
    data = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return JournalFile(f"{journal.batch_id}.json", "application/json", data)


def _detail(line: JournalLine) -> list[str]:
    text = [line.fund, line.department, line.account]
    cells = [str(line.line_number), *(safe_cell(cell) for cell in text)]
    cells += [_amount(line.debit, line.currency), _amount(line.credit, line.currency)]
    cells += [safe_cell(cell) for cell in (line.currency, line.kind, line.memo)]
    return cells + [safe_cell(getattr(line.source, name)) for name in SOURCE_FIELDS]


def _amount(minor: int, currency: str | None) -> str:
    return str(Money(minor, currency).to_decimal()) if currency else "0"


def _json_line(line: JournalLine) -> dict[str, object]:
    return {
        "line": line.line_number,
        "kind": line.kind,
        "fund": line.fund,
        "department": line.department,
        "account": line.account,
        "debit": line.debit,
        "credit": line.credit,
        "currency": line.currency,
        "memo": line.memo,
        "source": line.source.as_dict(),
    }
