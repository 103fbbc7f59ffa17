"""Reading BAI2 records: physical lines into logical records (an 88 joined to what it continues), fields,
amounts, dates, funds-availability fields, an 03's summary list and the trailers' control totals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from arportal.domain.bank_files._common import reject

_AMOUNT = re.compile(r"^[+-]?\d+$")


@dataclass
class Record:
    code: str
    number: int  # physical line of its first record, for the reasons
    parts: list[tuple[str, bool]] = field(default_factory=list)  # each physical record's content, ended by "/"?

    @property
    def physical(self) -> int:
        return len(self.parts)

    def fields(self) -> list[str]:
        return [value.strip() for content, _ in self.parts for value in content.split(",")]


def read_records(text: str) -> list[Record]:
    records: list[Record] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        code, _, content = line.partition(",")
        code = code.strip()
        content = content.rstrip()
        ended = content.endswith("/")
        content = content.removesuffix("/")
        if code == "88":
            if not records:
                raise reject(f"line {number}: a continuation (88) with nothing to continue")
            records[-1].parts.append((content, ended))
        elif re.fullmatch(r"\d{2}", code):
            records.append(Record(code, number, [(content, ended)]))
        else:
            raise reject(f"line {number}: {code[:10]!r} is not a BAI2 record code")
    return records


def parse_amount(value: str, *, where: str, signed: bool = False) -> int:
    if value == "":
        return 0
    if not _AMOUNT.match(value) or (not signed and value[0] in "+-"):
        raise reject(f"{where}: amount {value!r} is not a whole number of minor units")
    return int(value)


def parse_count(value: str, *, where: str) -> int:
    if not value.isdigit():
        raise reject(f"{where}: count {value!r} is not a number")
    return int(value)


def parse_date(value: str, *, where: str) -> date:
    try:
        return datetime.strptime(value, "%y%m%d").replace(tzinfo=UTC).date()
    except ValueError:
        raise reject(f"{where}: date {value!r} is not YYMMDD") from None


def funds_extra(fields: list[str], at: int, *, where: str) -> int:
    """How many fields follow a funds type at ``fields[at]``: S three amounts, V a date and a time, D a count
    and that many (days, amount) pairs; 0/1/2/Z/blank none."""
    funds = fields[at].upper() if at < len(fields) else ""
    if funds == "S":
        return 3
    if funds == "V":
        return 2
    if funds == "D":
        if at + 1 >= len(fields):
            return 1
        return 1 + 2 * parse_count(fields[at + 1], where=where)
    if funds in {"", "0", "1", "2", "Z"}:
        return 0
    raise reject(f"{where}: funds type {funds!r} is not one of 0, 1, 2, S, V, D, Z")


@dataclass(frozen=True)
class Detail:
    fields: list[str]
    text: str


def parse_detail(record: Record) -> Detail:
    """A 16's fixed fields (type, amount, funds type and its extras, bank and customer reference) and its text."""
    where = f"line {record.number}"
    fields: list[str] = []
    texts: list[str] = []

    def needed() -> int:
        if len(fields) < 3:
            return 3
        return 3 + funds_extra(fields, 2, where=where) + 2

    for content, ended in record.parts:
        if len(fields) >= needed():
            texts.append(content)
            continue
        rest: str | None = content
        while rest is not None and len(fields) < needed():
            head, comma, tail = rest.partition(",")
            fields.append(head.strip())
            rest = tail if comma else None
        if rest is not None:
            texts.append(rest)
        elif ended:  # "/" defaults the fields not given; what follows in an 88 is text
            fields.extend([""] * (needed() - len(fields)))
    fields.extend([""] * (needed() - len(fields)))
    return Detail(fields, " ".join(" ".join(texts).split()))


def summary(record: Record) -> tuple[int, dict[str, int]]:
    """An 03's (control-total contribution, {type code: amount}) from its repeating summary groups."""
    where = f"line {record.number}"
    fields = record.fields()
    total, at = 0, 2
    amounts: dict[str, int] = {}
    while at < len(fields):
        type_code = fields[at]
        if not type_code:
            at += 1  # a trailing empty field before "/"
            continue
        if not re.fullmatch(r"\d{3}", type_code):
            raise reject(f"{where}: summary type code {type_code!r} is not three digits")
        amount = parse_amount(fields[at + 1] if at + 1 < len(fields) else "", where=where, signed=True)
        total += amount
        amounts.setdefault(type_code, amount)
        funds_at = at + 3
        at = funds_at + 1 + (funds_extra(fields, funds_at, where=where) if funds_at < len(fields) else 0)
    return total, amounts


def check(what: str, record: Record, expected_total: int, expected_records: int, *, count_at: int = 1) -> None:
    fields = record.fields()
    where = f"line {record.number}"
    if len(fields) <= count_at:
        raise reject(f"{where}: the {what} trailer lacks its control total or record count")
    stated_total = parse_amount(fields[0], where=where, signed=True)
    if stated_total != expected_total:
        raise reject(f"{where}: {what} control total {stated_total} but its records add up to {expected_total}")
    stated_records = parse_count(fields[count_at], where=where)
    if stated_records != expected_records:
        raise reject(f"{where}: {what} says {stated_records} records but has {expected_records}")


def check_count(what: str, of: str, record: Record, expected: int) -> None:
    stated = parse_count(record.fields()[1], where=f"line {record.number}")
    if stated != expected:
        raise reject(f"line {record.number}: {what} trailer says {stated} {of} but has {expected}")


def created(day: str, time: str, *, where: str) -> datetime:
    on = parse_date(day, where=where)
    hours, minutes = (0, 0)
    if re.fullmatch(r"\d{4}", time) and time not in {"2400", "9999"}:
        hours, minutes = int(time[:2]), int(time[2:])
        if hours > 23 or minutes > 59:
            raise reject(f"{where}: time {time!r} is not HHMM")
    # BAI2 times are the bank's local time and say no zone; kept as written, labelled UTC.
    return datetime(on.year, on.month, on.day, hours, minutes, tzinfo=UTC)
