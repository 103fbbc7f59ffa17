"""Bank files into the one ``BankFile`` model: BAI2, ISO 20022 camt.053/camt.054, and the lockbox CSV.

``parse`` tells the format from the content (never from the name): BAI2 begins with its file header record
``01,``; camt is XML whose document element is in a ``urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN`` or
``camt.054`` namespace; the lockbox CSV by its header row. Anything else, anything over 10 MB or 100,000 lines,
and any file failing its own control totals, is refused whole with the reason (``BankFileRejected``).
Pure: bytes in, a model out; the caller stores, hashes and de-duplicates.
"""

from __future__ import annotations

from arportal.domain.bank_files._common import MAX_BYTES, MAX_LINES, count_lines, reject
from arportal.domain.bank_files.bai2 import parse_bai2
from arportal.domain.bank_files.camt import parse_camt
from arportal.domain.bank_files.lockbox_csv import is_lockbox_csv, parse_lockbox_csv
from arportal.domain.bank_statements import BankFile, BankFileRejected

__all__ = ["MAX_BYTES", "MAX_LINES", "parse"]

_BOM = b"\xef\xbb\xbf"


def parse(data: bytes, *, filename: str | None = None) -> BankFile:
    """The file's statements; ``filename`` only names the file in a refusal's reason."""
    prefix = f"{filename}: " if filename else ""
    try:
        return _parse(data)
    except BankFileRejected as refused:
        raise BankFileRejected(f"{prefix}{refused.message}") from None
    except ValueError as malformed:
        # what the parsers' own checks did not name (a bad ISO date, a currency code the model refuses)
        raise BankFileRejected(f"{prefix}malformed: {malformed}") from None


def _parse(data: bytes) -> BankFile:
    if len(data) > MAX_BYTES:
        raise reject(f"the file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    if not data.strip():
        raise reject("the file is empty")
    if count_lines(data) > MAX_LINES:
        raise reject(f"the file has more than {MAX_LINES:,} lines")
    head = data.removeprefix(_BOM).lstrip()
    if head.startswith(b"01,") or head.startswith(b"01 ,"):
        return parse_bai2(head)
    if head.startswith(b"<"):
        return parse_camt(head)  # refuses a DTD first, then anything but a camt.053/camt.054 document
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        raise reject("not a known bank file format (and not UTF-8 text)") from None
    if is_lockbox_csv(text):
        return parse_lockbox_csv(text)
    raise reject("not a known bank file format: BAI2 (01 record), camt.053/camt.054 XML or the lockbox CSV")
