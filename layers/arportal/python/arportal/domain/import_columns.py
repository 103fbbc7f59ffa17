"""The CSV columns of each kind of bulk import, and how a row (or, for invoices and sales orders, a group of rows)
becomes the record the batch service takes.

One column set per kind, documented in ``docs/integrations.md`` and served as a template
(``GET /v1/integrations/imports/templates/<kind>.csv``): a header row and one example row. The choices, for a
person exporting from a legacy system rather than a developer:

- **Names, not positions**: the header names the columns, in any order. A column the kind does not have, or a
  required column missing, fails the import before anything loads. Optional columns may be left out.
- **Amounts are decimals** in the agency's currency (``12.34``), converted exactly to minor units; more decimals
  than the currency has (``12.345`` in USD) is refused, never rounded. No currency signs, no thousands separators.
- **Dates are ISO** (``2026-03-31``); ``updated_at`` is an ISO instant with its offset (``2026-03-31T09:00:00Z``).
- **Invoices and sales orders take one row per line.** The rows of one invoice share its ``invoice_number`` and
  come one after another; the invoice's own columns (customer, dates, ...) must say the same on each of its rows,
  and its amount is the sum of its lines (there is no total column to get wrong).
- An empty cell is an absent value: the field's default, or ``required`` when the field must be given.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from arportal.domain.imports import ImportKind
from arportal.domain.money import exponent
from arportal.domain.source_records import RecordError

ValueType = Literal["text", "amount"]
_AMOUNT = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
LINES = "lines"


@dataclass(frozen=True)
class Column:
    name: str
    field: str  # where the cell goes in the record: "name", "address.city", "lines.amount" (each row's line)
    required: bool
    example: str
    meaning: str
    value: ValueType = "text"

    @property
    def per_line(self) -> bool:
        return self.field.startswith(LINES + ".")


@dataclass(frozen=True)
class CsvLayout:
    kind: ImportKind
    columns: tuple[Column, ...]
    meaning: str
    grouped_by: str | None = None  # invoices, sales orders: the column whose rows make one record
    total_field: str | None = None  # ... and the record field that is the sum of its lines

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def id_column(self) -> str:
        return self.columns[0].name

    def column_for(self, field: str | None) -> tuple[str | None, int | None]:
        """The column a record field (as the batch service names it in an error) came from, and for a line's field
        the line's position: ``lines.2.amount`` -> (``line_amount``, 2)."""
        if field is None:
            return None, None
        parts = field.split(".")
        position = None
        if parts[0] == LINES and len(parts) >= 3 and parts[1].isdigit():
            position, parts = int(parts[1]), [LINES, *parts[2:]]
        joined = ".".join(parts)
        for column in self.columns:
            if column.field == joined:
                return column.name, position
        if joined == self.total_field:
            return next(c.name for c in self.columns if c.field == f"{LINES}.amount"), None
        return field, position


_VERSION_COLUMNS = (
    Column(
        "source_version",
        "source_version",
        False,
        "1",
        "The record's version in your system, a whole number that grows with each change (or use updated_at)",
    ),
    Column(
        "updated_at",
        "updated_at",
        False,
        "",
        "Or: when your system last changed the record, ISO with its offset (2026-03-31T09:00:00Z); one of the two",
    ),
)
VERSION_COLUMN_NAMES = tuple(c.name for c in _VERSION_COLUMNS)


def _address(prefix: str, field: str, what: str) -> tuple[Column, ...]:
    return (
        Column(f"{prefix}line1", f"{field}.line1", False, "12 Elm Street", f"{what}: street and number"),
        Column(f"{prefix}line2", f"{field}.line2", False, "", f"{what}: second line (apartment, suite)"),
        Column(f"{prefix}city", f"{field}.city", False, "Springfield", f"{what}: city"),
        Column(f"{prefix}region", f"{field}.region", False, "IL", f"{what}: state or region"),
        Column(f"{prefix}postal_code", f"{field}.postal_code", False, "62701", f"{what}: ZIP or postal code"),
        Column(f"{prefix}country", f"{field}.country", False, "US", f"{what}: two-letter country code (default US)"),
    )


def _bill_columns(what: str) -> tuple[Column, ...]:
    return (
        Column("customer_id", "customer_id", True, "CUS-0001ABCD", f"The customer the {what} is for"),
        Column("account_number", "account_number", True, "UT-000123", "The customer's account it is billed on"),
        Column("department", "department", True, "utilities", "The account's department code"),
    )


def _line_columns() -> tuple[Column, ...]:
    return (
        Column("line_description", "lines.description", True, "Water usage, 12 kgal", "What the line charges for"),
        Column("line_fee_code", "lines.fee_code", True, "WATER_USAGE", "The fee code (capitals, digits, _)"),
        Column("line_kind", "lines.kind", False, "principal", "principal (default), fee or penalty"),
        Column("line_quantity", "lines.quantity", False, "1", "How many units (default 1)"),
        Column(
            "line_unit_amount",
            "lines.unit_amount",
            False,
            "45.60",
            "The price of one unit, a decimal (default: line_amount / line_quantity when exact)",
            "amount",
        ),
        Column("line_amount", "lines.amount", True, "45.60", "The line's amount: quantity x unit amount", "amount"),
    )


_PERIOD = (
    Column("period_start", "period_start", False, "2026-01-01", "The service period's first day (with period_end)"),
    Column("period_end", "period_end", False, "2026-02-28", "The service period's last day"),
)
_CURRENCY = Column("currency", "currency", False, "USD", "ISO currency code; default: the agency's (the only one)")

LAYOUTS: dict[ImportKind, CsvLayout] = {
    ImportKind.CUSTOMERS: CsvLayout(
        ImportKind.CUSTOMERS,
        (
            Column(
                "customer_id", "customer_id", True, "CUS-0001ABCD", "Your id of the customer (CUS- and 4-20 A-Z/0-9)"
            ),
            Column("name", "name", True, "Ada Lovelace", "The person's or the business's name"),
            Column("kind", "kind", False, "individual", "individual (default) or business"),
            Column("email", "email", False, "ada@example.org", "Where receipts and reminders go"),
            Column("phone", "phone", False, "+1 217 555 0100", "A phone number"),
            *_address("address_", "address", "Postal address"),
            *_VERSION_COLUMNS,
        ),
        "One row per customer.",
    ),
    ImportKind.ACCOUNTS: CsvLayout(
        ImportKind.ACCOUNTS,
        (
            Column("account_number", "account_number", True, "UT-000123", "Your account number (AB-1234, 2-4 letters)"),
            Column("customer_id", "customer_id", True, "CUS-0001ABCD", "The customer who holds it (loaded first)"),
            Column("department", "department", True, "utilities", "The department code (lower case)"),
            Column("description", "description", True, "Water and sewer service", "What the account is for"),
            Column("status", "status", False, "active", "active (default), suspended or closed"),
            Column("opened_on", "opened_on", True, "2020-01-01", "When it was opened"),
            *_address("service_address_", "service_address", "Service address"),
            *_VERSION_COLUMNS,
        ),
        "One row per account; its customer must exist (load customers first).",
    ),
    ImportKind.INVOICES: CsvLayout(
        ImportKind.INVOICES,
        (
            Column("invoice_number", "invoice_number", True, "UT-2026-00001", "Your invoice number"),
            *_bill_columns("invoice"),
            Column("issue_date", "issue_date", True, "2026-03-01", "When it was issued"),
            Column("due_date", "due_date", True, "2026-03-31", "When it is due (not before issue_date)"),
            _CURRENCY,
            *_PERIOD,
            Column("status", "status", False, "open", "open (default) or void: a cancelled bill, kept"),
            *_VERSION_COLUMNS,
            *_line_columns(),
        ),
        "One row per invoice line; the rows of one invoice come together and repeat its invoice columns. "
        "The invoice's amount is the sum of its lines.",
        grouped_by="invoice_number",
        total_field="amount",
    ),
    ImportKind.CREDIT_NOTES: CsvLayout(
        ImportKind.CREDIT_NOTES,
        (
            Column("credit_note_number", "number", True, "CN-2026-0001", "Your credit note number"),
            *_bill_columns("credit note"),
            _CURRENCY,
            Column("amount", "amount", True, "12.50", "The credit, a positive decimal", "amount"),
            Column("reason", "reason", True, "Leak adjustment", "Why it was given"),
            Column("issued_on", "issued_on", True, "2026-03-05", "When it was issued"),
            *_VERSION_COLUMNS,
        ),
        "One row per credit note.",
    ),
    ImportKind.SALES_ORDERS: CsvLayout(
        ImportKind.SALES_ORDERS,
        (
            Column("order_number", "number", True, "SO-2026-0001", "Your sales order number"),
            *_bill_columns("order"),
            Column("order_date", "order_date", True, "2026-03-01", "When it was ordered"),
            _CURRENCY,
            *_PERIOD,
            *_VERSION_COLUMNS,
            *_line_columns(),
        ),
        "One row per order line, like invoices; the order's total is the sum of its lines.",
        grouped_by="order_number",
        total_field="total",
    ),
}


def template(kind: ImportKind) -> list[list[str]]:
    """The template's rows: the header, and one example row (two lines of one invoice for the grouped kinds)."""
    layout = LAYOUTS[kind]
    rows = [list(layout.names), [c.example for c in layout.columns]]
    if layout.grouped_by:
        second = {
            "line_description": "Sewer service",
            "line_fee_code": "SEWER",
            "line_unit_amount": "30.00",
            "line_amount": "30.00",
        }
        rows.append([second.get(c.name, c.example) for c in layout.columns])
    return rows


# --- a row (or a group of rows) -> a record -------------------------------------------------------------------


def to_minor(text: str, currency: str) -> int | RecordError:
    """``12.34`` -> 1234 in a two-decimal currency, exactly; more decimals than the currency has is an error."""
    cleaned = text.strip()
    if not _AMOUNT.fullmatch(cleaned):
        return RecordError(
            "invalid_amount",
            f"{text!r} is not an amount: digits and a decimal point only, e.g. 1234.50 (no signs, "
            "no thousands separators)",
        )
    places = exponent(currency)
    _, _, decimals = cleaned.partition(".")
    if len(decimals) > places:
        return RecordError(
            "too_many_decimals",
            f"{text} has {len(decimals)} decimals; {currency} amounts have at most {places}",
            details={"decimals": len(decimals), "allowed": places},
        )
    try:
        return int(Decimal(cleaned).scaleb(places))
    except InvalidOperation:  # unreachable after the pattern; kept so a surprise is a record error, not a crash
        return RecordError("invalid_amount", f"{text!r} is not an amount")


def record_of(
    layout: CsvLayout, rows: Sequence[Mapping[str, str]], *, currency: str
) -> tuple[dict[str, Any], tuple[RecordError, ...]]:
    """One record from its rows (one row, or an invoice's rows) and the errors of the cells that could not be read,
    each naming the record field as the batch service would (``lines.1.amount``; ``CsvLayout.column_for`` maps it
    back to its column and row).

    ``currency`` is the agency's: the amounts' decimals are those of the row's ``currency`` cell, or of this."""
    first = rows[0]
    row_currency = first.get("currency", "").strip() or currency
    errors: list[RecordError] = []
    record: dict[str, Any] = {}
    for column in layout.columns:
        if column.per_line:
            continue
        value = first.get(column.name, "").strip()
        if any(other.get(column.name, "").strip() != value for other in rows[1:]):
            errors.append(
                RecordError(
                    "rows_disagree",
                    f"the rows of {first.get(layout.id_column, '').strip()} say different things in {column.name}",
                    column.field,
                )
            )
        if value:
            _put(record, column.field, column, value, currency=row_currency, errors=errors)
    if layout.column("currency") is not None:
        record.setdefault("currency", row_currency)  # the column is optional: the agency's currency
    if layout.grouped_by:
        lines = [_line(layout, row, row_currency, position, errors) for position, row in enumerate(rows)]
        record[LINES] = lines
        amounts = [line.get("amount") for line in lines]
        if layout.total_field and all(isinstance(a, int) for a in amounts):
            record[layout.total_field] = sum(a for a in amounts if isinstance(a, int))
    return record, tuple(errors)


def _put(
    target: dict[str, Any], field: str, column: Column, value: str, *, currency: str, errors: list[RecordError]
) -> None:
    """Set ``column``'s cell at ``column.field`` (below ``lines.`` for a line's cell) in ``target``; an amount that
    cannot be read is an error naming ``field``."""
    converted: object = value
    if column.value == "amount":
        minor = to_minor(value, currency)
        if isinstance(minor, RecordError):
            errors.append(RecordError(minor.code, minor.message, field, minor.details))
            return
        converted = minor
    path = column.field.split(".")
    if path[0] == LINES:
        path = path[1:]
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = converted


def _line(
    layout: CsvLayout, row: Mapping[str, str], currency: str, position: int, errors: list[RecordError]
) -> dict[str, Any]:
    line: dict[str, Any] = {}
    for column in layout.columns:
        value = row.get(column.name, "").strip()
        if column.per_line and value:
            field = f"{LINES}.{position}.{column.field.split('.', 1)[1]}"
            _put(line, field, column, value, currency=currency, errors=errors)
    amount = line.get("amount")
    if "unit_amount" not in line and isinstance(amount, int):
        quantity = str(line.get("quantity", "1"))
        count = int(quantity) if quantity.isdigit() and int(quantity) > 0 else None
        if count is not None and amount % count == 0:
            line["unit_amount"] = amount // count
        elif count is not None:
            errors.append(
                RecordError(
                    "unit_amount_required",
                    f"give line_unit_amount: line_amount is not {count} times a whole amount",
                    f"{LINES}.{position}.unit_amount",
                )
            )
    return line
