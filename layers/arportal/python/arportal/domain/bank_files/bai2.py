"""BAI2 (BAI Cash Management Balance Reporting Specifications, version 2) into a ``BankFile``.

Records: 01 file header, 02 group header (one bank's report as of a date), 03 account (number, currency and the
summary/status list: 010 opening ledger, 015 closing ledger, ...), 16 transaction detail, 88 continuation,
49 account trailer, 98 group trailer, 99 file trailer. Every trailer's control total and record count is
verified and a file that ends before its 99 is truncated: either refuses the whole file.

Continuations are joined by what they continue, which is where the PyPI ``bai2`` package goes wrong (it glues
an 88 to any record's last field): an 88 after an 03 carries more summary fields; after a 16 it carries the
rest of the fixed fields if the 16 broke off before them, else more free text (joined with a space).
A physical record may end in ``/`` (the rest of its fields defaulted); CRLF, LF, padding to 80 columns and
blank lines are tolerated. Amounts are unsigned (status amounts may carry a sign) in the currency's minor
units; the type code says credit (100-399, 900-959) or debit (400-699, 960-999).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from arportal.domain.bank_files._common import (
    names_processor,
    original_trace_in,
    payer_in,
    reject,
    return_code_in,
    trace_in,
    unique_keys,
)
from arportal.domain.bank_files.bai2_records import (
    Record,
    check,
    check_count,
    created,
    parse_amount,
    parse_date,
    parse_detail,
    read_records,
    summary,
)
from arportal.domain.bank_statements import AccountStatement, BankFile, BankFileFormat, BankLine, LineKind, line_key_of

OPENING_LEDGER = "010"
CLOSING_LEDGER = "015"
LOCKBOX_CODES = frozenset({115, 116, 118})
ACH_CREDIT_CODES = frozenset({142, 145, 165, 166, 169})
WIRE_CODES = frozenset({195, 196, 206, 208})
BRANCH_DEPOSIT_CODES = frozenset({175, 301})
RETURN_CODES = frozenset({555})


def classify_type_code(code: int, *, credit: bool, text: str, payer: str | None) -> LineKind:
    """A BAI2 type code's kind; ACH credits naming a card processor are its payouts."""
    if credit:
        if code in LOCKBOX_CODES:
            return LineKind.LOCKBOX
        if code in WIRE_CODES:
            return LineKind.WIRE
        if code in BRANCH_DEPOSIT_CODES:
            return LineKind.BRANCH_DEPOSIT
        if names_processor(payer, text):
            return LineKind.PROCESSOR_DEPOSIT
        return LineKind.ACH_CREDIT if code in ACH_CREDIT_CODES else LineKind.OTHER_CREDIT
    if code in RETURN_CODES or return_code_in(text):
        return LineKind.ACH_RETURN
    return LineKind.OTHER_DEBIT


def _line(record: Record, *, account: str, currency: str, as_of: date) -> BankLine | None:
    where = f"line {record.number}"
    detail = parse_detail(record)
    type_code, amount_text, funds = detail.fields[0], detail.fields[1], detail.fields[2].upper()
    if not re.fullmatch(r"\d{3}", type_code):
        raise reject(f"{where}: type code {type_code!r} is not three digits")
    magnitude = parse_amount(amount_text, where=where)
    if magnitude == 0:
        return None  # informational (e.g. 890): counted in the totals, no movement
    code = int(type_code)
    if 100 <= code <= 399 or 900 <= code <= 959:
        credit = True
    elif 400 <= code <= 699 or 960 <= code <= 999:
        credit = False
    else:
        raise reject(f"{where}: type code {type_code} is neither a credit nor a debit detail")
    amount = magnitude if credit else -magnitude
    value_date = parse_date(detail.fields[3], where=where) if funds == "V" and detail.fields[3] else None
    bank_reference = detail.fields[-2] or None
    customer_reference = detail.fields[-1] or None
    text = detail.text
    payer = payer_in(text)
    kind = classify_type_code(code, credit=credit, text=text, payer=payer)
    return BankLine(
        line_key=line_key_of(
            account_number=account,
            booking_date=as_of,
            amount=amount,
            currency=currency,
            type_code=type_code,
            bank_reference=bank_reference,
            customer_reference=customer_reference,
            remittance=text,
        ),
        booking_date=as_of,
        value_date=value_date,
        amount=amount,
        currency=currency,
        kind=kind,
        type_code=type_code,
        bank_reference=bank_reference,
        customer_reference=customer_reference,
        trace_number=trace_in(text),
        payer_name=payer,
        remittance=text,
        return_code=return_code_in(text) if kind is LineKind.ACH_RETURN else None,
        original_reference=original_trace_in(text) if kind is LineKind.ACH_RETURN else None,
    )


@dataclass
class _Account:
    record: Record
    currency: str
    total: int
    balances: dict[str, int]
    records: int
    lines: list[BankLine] = field(default_factory=list)


@dataclass
class _Group:
    record: Record
    bank_id: str | None
    currency: str
    as_of: date
    records: int
    total: int = 0
    accounts: int = 0


def parse_bai2(data: bytes) -> BankFile:
    # BAI2 is ASCII; Latin-1 decodes any byte, so a stray accented payer name does not refuse the file.
    found = read_records(data.decode("latin-1"))
    if not found or found[0].code != "01":
        raise reject("not a BAI2 file: the first record is not a file header (01)")
    reader = _Reader(found[0])
    for record in found[1:]:
        if reader.done:
            raise reject(f"line {record.number}: records after the file trailer (99)")
        reader.read(record)
    if not reader.done:
        raise reject("truncated: the file ends before its file trailer (99)")
    return reader.bank_file()


class _Reader:
    """Walks the records in order, keeping the open group and account and the running totals and counts."""

    def __init__(self, header: Record) -> None:
        fields = header.fields()
        if len(fields) < 5:
            raise reject(f"line {header.number}: the file header (01) lacks its fields")
        self.file_id = fields[4] or None
        self.created = created(fields[2], fields[3], where=f"line {header.number}")
        self.records, self.total, self.groups = header.physical, 0, 0
        self.group: _Group | None = None
        self.account: _Account | None = None
        self.statements: list[AccountStatement] = []
        self.done = False

    def bank_file(self) -> BankFile:
        return BankFile(BankFileFormat.BAI2, self.file_id, self.created, tuple(self.statements))

    def read(self, record: Record) -> None:
        self.records += record.physical
        if self.group is not None:
            self.group.records += record.physical
        if self.account is not None:
            self.account.records += record.physical
        handler = {
            "02": self._group_header,
            "03": self._account_header,
            "16": self._detail,
            "49": self._account_trailer,
            "98": self._group_trailer,
            "99": self._file_trailer,
        }.get(record.code)
        if handler is None:
            raise reject(f"line {record.number}: record {record.code} is not a BAI2 record")
        handler(record, f"line {record.number}")

    def _group_header(self, record: Record, where: str) -> None:
        if self.group is not None:
            raise reject(f"{where}: a group header (02) inside a group that has no trailer (98)")
        fields = [*record.fields(), "", "", "", "", "", ""]
        self.group = _Group(
            record,
            bank_id=fields[1] or None,
            currency=fields[5] or "USD",
            as_of=parse_date(fields[3], where=where),
            records=record.physical,
        )

    def _account_header(self, record: Record, where: str) -> None:
        if self.group is None or self.account is not None:
            raise reject(f"{where}: an account (03) outside a group, or before the last account's trailer (49)")
        fields = [*record.fields(), ""]
        if not fields[0]:
            raise reject(f"{where}: an account record (03) without an account number")
        total, balances = summary(record)
        self.account = _Account(record, fields[1] or self.group.currency, total, balances, record.physical)

    def _detail(self, record: Record, where: str) -> None:
        if self.account is None or self.group is None:
            raise reject(f"{where}: a transaction (16) outside an account")
        self.account.total += parse_amount(parse_detail(record).fields[1], where=where)
        line = _line(
            record, account=_account_number(self.account), currency=self.account.currency, as_of=self.group.as_of
        )
        if line is not None:
            self.account.lines.append(line)

    def _account_trailer(self, record: Record, where: str) -> None:
        if self.account is None or self.group is None:
            raise reject(f"{where}: an account trailer (49) without its account (03)")
        check("account", record, self.account.total, self.account.records)
        self.statements.append(_statement(self.account, self.group))
        self.group.total += self.account.total
        self.group.accounts += 1
        self.account = None

    def _group_trailer(self, record: Record, where: str) -> None:
        if self.group is None or self.account is not None:
            raise reject(f"{where}: a group trailer (98) with an account still open, or no group")
        check("group", record, self.group.total, self.group.records, count_at=2)
        check_count("group", "accounts", record, self.group.accounts)
        self.total += self.group.total
        self.groups += 1
        self.group = None

    def _file_trailer(self, record: Record, where: str) -> None:
        if self.group is not None:
            raise reject(f"{where}: the file trailer (99) comes before the group's trailer (98)")
        check("file", record, self.total, self.records, count_at=2)
        check_count("file", "groups", record, self.groups)
        self.done = True


def _account_number(account: _Account) -> str:
    return account.record.fields()[0]


def _statement(account: _Account, group: _Group) -> AccountStatement:
    return AccountStatement(
        account_number=_account_number(account),
        bank_id=group.bank_id,
        currency=account.currency,
        statement_date=group.as_of,
        opening_balance=account.balances.get(OPENING_LEDGER),
        closing_balance=account.balances.get(CLOSING_LEDGER),
        lines=unique_keys(account.lines),
    )
