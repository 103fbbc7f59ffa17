"""The lockbox CSV: what the bank's lockbox service sends for each day's cheques, one row per cheque.

Layout (UTF-8, comma-separated, RFC 4180 quoting; the header row exactly as below, in any letter case)::

    batch,item,deposit_date,account_number,cheque_number,amount,payer_name,invoice_numbers,remittance
    101,1,2026-03-02,4400012345,20417,125.50,"Rivera, Ana",INV-000123;INV-000124,water and sewer Q1
    101,2,2026-03-02,4400012345,881,40.00,Harbor Diner LLC,INV-000200,
    TOTAL,2,165.50

- ``batch`` and ``item``: the bank's batch number and the cheque's place in it; with the date they are the line's
  reference (``<date>-<batch>-<item>``), unique per account and day.
- ``deposit_date``: ISO date (YYYY-MM-DD); ``account_number``: the lockbox account credited.
- ``amount``: decimal in US dollars (the file has no currency column: lockbox is a US service), positive.
- ``invoice_numbers``: the invoices the remittance stub names, separated by ``;`` (may be empty).
- The trailer ``TOTAL,<count>,<sum>`` is required: the number of cheques and their sum, both checked. A file
  without it is truncated.

One statement per account and deposit date, without balances (a lockbox file does not give them).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date

from arportal.domain.bank_files._common import minor_units, reject, unique_keys
from arportal.domain.bank_statements import AccountStatement, BankFile, BankFileFormat, BankLine, LineKind, line_key_of

HEADER = (
    "batch",
    "item",
    "deposit_date",
    "account_number",
    "cheque_number",
    "amount",
    "payer_name",
    "invoice_numbers",
    "remittance",
)
CURRENCY = "USD"
TYPE_CODE = "lockbox"


def is_lockbox_csv(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return tuple(cell.strip().lower() for cell in first.strip().split(",")) == HEADER


def parse_lockbox_csv(text: str) -> BankFile:
    rows = [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(cell.strip() for cell in row)]
    if not rows or tuple(cell.strip().lower() for cell in rows[0]) != HEADER:
        raise reject(f"lockbox CSV: the header must be {','.join(HEADER)}")
    body, trailer = rows[1:], None
    if body and body[-1][0].strip().upper() == "TOTAL":
        trailer = body.pop()
    if trailer is None:
        raise reject("truncated: the lockbox file has no TOTAL trailer")
    if any(row[0].strip().upper() == "TOTAL" for row in body):
        raise reject("lockbox CSV: a TOTAL row before the last row")
    by_statement: dict[tuple[str, date], list[BankLine]] = defaultdict(list)
    for number, row in enumerate(body, start=2):
        account, line = _line(row, where=f"row {number}")
        by_statement[(account, line.booking_date)].append(line)
    _check_trailer(trailer, [line for lines in by_statement.values() for line in lines])
    statements = tuple(
        AccountStatement(
            account_number=account,
            bank_id=None,
            currency=CURRENCY,
            statement_date=day,
            opening_balance=None,
            closing_balance=None,
            lines=unique_keys(lines),
        )
        for (account, day), lines in sorted(by_statement.items())
    )
    return BankFile(BankFileFormat.LOCKBOX_CSV, None, None, statements)


def _line(row: list[str], *, where: str) -> tuple[str, BankLine]:
    if len(row) != len(HEADER):
        raise reject(f"{where}: {len(row)} columns, the layout has {len(HEADER)}")
    batch, item, day_text, account, cheque, amount_text, payer, invoices, remittance = (c.strip() for c in row)
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise reject(f"{where}: deposit_date {day_text!r} is not YYYY-MM-DD") from None
    if not (batch and item and account):
        raise reject(f"{where}: batch, item and account_number are required")
    amount = minor_units(amount_text, CURRENCY, where=where)
    if amount <= 0:
        raise reject(f"{where}: a lockbox cheque of {amount_text}")
    reference = f"{day:%Y%m%d}-{batch}-{item}"
    remittance = " ".join(remittance.split())
    return account, BankLine(
        line_key=line_key_of(
            account_number=account,
            booking_date=day,
            amount=amount,
            currency=CURRENCY,
            type_code=TYPE_CODE,
            bank_reference=reference,
        ),
        booking_date=day,
        value_date=None,
        amount=amount,
        currency=CURRENCY,
        kind=LineKind.LOCKBOX,
        type_code=TYPE_CODE,
        bank_reference=reference,
        customer_reference=cheque or None,
        payer_name=" ".join(payer.split()) or None,
        remittance=remittance,
        invoice_numbers=tuple(number.strip() for number in invoices.split(";") if number.strip()),
    )


def _check_trailer(trailer: list[str], lines: list[BankLine]) -> None:
    if len(trailer) < 3:
        raise reject("lockbox CSV: the trailer must be TOTAL,<count>,<sum>")
    count_text, sum_text = trailer[1].strip(), trailer[2].strip()
    if not count_text.isdigit() or int(count_text) != len(lines):
        raise reject(f"lockbox CSV: the trailer says {count_text} cheques, the file has {len(lines)}")
    stated = minor_units(sum_text, CURRENCY, where="the trailer")
    actual = sum(line.amount for line in lines)
    if stated != actual:
        raise reject(f"lockbox CSV: the trailer's total {sum_text} is not the cheques' sum ({actual} cents)")
