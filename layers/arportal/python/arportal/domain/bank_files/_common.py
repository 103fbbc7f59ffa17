"""What the three parsers share: refusing a file, reading what free bank text says of a movement (payer, trace,
NACHA return code, processor), amounts in minor units, and keys unique within a file."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from arportal.domain.bank_statements import BankFileRejected, BankLine
from arportal.domain.money import exponent

MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 100_000

# Card processors whose payouts reach the agency's account as ACH credits; the originator name says which.
# "ARPORTAL SANDBOX" is the sandbox processor's payout originator in the demo bank files.
PROCESSOR_NAMES = (
    "STRIPE",
    "ADYEN",
    "BRAINTREE",
    "PAYPAL",
    "SQUARE INC",
    "AUTHORIZE.NET",
    "WORLDPAY",
    "PAYMENTECH",
    "ELAVON",
    "HEARTLAND PAYMENT",
    "GLOBAL PAYMENTS",
    "ARPORTAL SANDBOX",
)

_RETURN_WORDS = re.compile(r"\b(RETURN|RETURNED|RTN|RET)\b", re.IGNORECASE)
_RETURN_CODE = re.compile(r"\bR(\d{2})\b")
_ORIGINAL_TRACE = re.compile(r"\bORIG(?:INAL)?\.?\s*TRACE(?:\s*(?:NO|NUMBER|#))?\s*[:=]?\s*([0-9]{7,15})\b", re.I)
_TRACE = re.compile(r"(?<!ORIG )(?<!ORIGINAL )\b(?:TRACE|TRN|IMAD)(?:\s*(?:NO|NUMBER|#))?\s*[:=]\s*([0-9A-Z]{7,22})\b")
# The payer's name runs to the next "LABEL:" (multi-word labels named, so "ENTRY" is not taken for the name),
# a double space or the end of the text.
_PAYER = re.compile(
    r"\b(?:ORIG CO NAME|ORIGINATOR|ORIG NAME|B/O|ORG|DEBTOR)\s*[:=]\s*(.+?)"
    r"(?=\s+(?:CO ENTRY DESCR|ENTRY DESCR|ORIG CO NAME|ORIG ID|ORIG TRACE|IND ID|IND NAME|RETURN REASON|DESC DATE"
    r"|[A-Z/.#]+)\s*[:=]|\s{2,}|$)",
    re.IGNORECASE,
)


def reject(reason: str) -> BankFileRejected:
    return BankFileRejected(reason)


def names_processor(*texts: str | None) -> bool:
    joined = " ".join(text.upper() for text in texts if text)
    return any(name in joined for name in PROCESSOR_NAMES)


def return_code_in(text: str) -> str | None:
    """A NACHA return reason (R01..R99) named in a return's text; None unless the text speaks of a return."""
    if not _RETURN_WORDS.search(text):
        return None
    found = _RETURN_CODE.search(text.upper())
    return f"R{found.group(1)}" if found else None


def original_trace_in(text: str) -> str | None:
    found = _ORIGINAL_TRACE.search(text)
    return found.group(1) if found else None


def trace_in(text: str) -> str | None:
    found = _TRACE.search(_ORIGINAL_TRACE.sub(" ", text.upper()))
    return found.group(1) if found else None


def payer_in(text: str) -> str | None:
    found = _PAYER.search(text)
    return found.group(1).strip() or None if found else None


def minor_units(text: str, currency: str, *, where: str) -> int:
    """A decimal amount as written in XML or CSV ("1234.5") in minor units; more decimals than the currency has
    is refused, never rounded."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise reject(f"{where}: amount {text!r} is not a number") from None
    if not value.is_finite():
        raise reject(f"{where}: amount {text!r} is not a number")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise reject(f"{where}: amount {text!r} has more decimals than {currency} allows")
    return int(scaled)


def unique_keys(lines: list[BankLine]) -> tuple[BankLine, ...]:
    """Two movements the bank describes identically and without a reference (two equal cheques from one payer on
    one day) are two lines: the second and later get an ordinal, stable as long as the bank keeps its order."""
    seen: Counter[str] = Counter()
    result = []
    for line in lines:
        seen[line.line_key] += 1
        count = seen[line.line_key]
        result.append(line if count == 1 else replace(line, line_key=f"{line.line_key}~{count}"))
    return tuple(result)


def count_lines(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n") + 1
