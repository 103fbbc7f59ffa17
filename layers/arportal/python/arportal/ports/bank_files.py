"""What importing a bank file needs (``services/bank_files.py``): the file's record and its lines in the ledger, the
raw bytes in S3, the match book read from the ledger, and the four pure steps (parse, match, apply) it is handed.

A file is recorded once per content (``file_id`` from its SHA-256), a line once per ``line_key`` whatever file
brought it; every write that claims something is conditional, so two imports of one file at once, or an import
resumed after a crash, apply no line twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from arportal.domain.bank_accounts import BankAccount
from arportal.domain.bank_matches import LineMatch, MatchBook, MatchSettings
from arportal.domain.bank_statements import BankFile, BankLine
from arportal.domain.models import AuditEvent

IMPORTING, IMPORTED = "importing", "imported"
# A line's status: received (stored, not matched yet) -> matched | suggested | unmatched | ignored; the unmatched
# queue's decisions move it to decided (services/bank_application.py).
RECEIVED = "received"


@dataclass(frozen=True)
class BankFileCounts:
    lines: int = 0  # lines in the file
    matched: int = 0  # new lines applied without a person
    suggested: int = 0  # new lines in the unmatched queue with suggestions
    unmatched: int = 0  # new lines in the unmatched queue with none
    ignored: int = 0  # new lines that are not receivables (bank fees, transfers out): recorded only
    already_seen: int = 0  # lines an earlier file brought: neither matched nor applied again

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class BankFileRecord:
    file_id: str
    sha256: str
    format: str
    size: int
    object_key: str  # the raw bytes in the documents bucket
    received_at: datetime
    received_by: str  # staff:<sub>, system:<client>, or s3:<key> for the drop
    source: str  # console | integration | s3
    filename: str | None
    file_reference: str | None  # BAI2 file id / camt MsgId
    accounts: tuple[str, ...]  # the configured account ids its statements are for
    status: str = IMPORTING
    counts: BankFileCounts = field(default_factory=BankFileCounts)


@dataclass(frozen=True)
class StoredLine:
    line: BankLine
    file_id: str  # the file that first brought it
    account_id: str
    status: str
    match: LineMatch | None = None
    applied: dict[str, Any] | None = None  # what applying it did (services/bank_application.py's AppliedLine)


@dataclass(frozen=True)
class BankFilePage:
    items: list[BankFileRecord]
    next_cursor: str | None


class BankFileStore(Protocol):
    def file(self, file_id: str) -> BankFileRecord | None: ...

    def claim_file(self, record: BankFileRecord) -> BankFileRecord | None:
        """Record the file as importing; None when it was claimed, else the record already there (a duplicate,
        or an import of the same bytes under way or interrupted)."""
        ...

    def finish_file(self, file_id: str, counts: BankFileCounts, *, at: datetime) -> None: ...

    def files(self, *, limit: int, cursor: str | None) -> BankFilePage:
        """Newest first."""
        ...

    def receive_line(self, line: BankLine, *, file_id: str, account_id: str, at: datetime) -> StoredLine | None:
        """Store the line once by its key (a conditional put); None when this call stored it, else the line as
        an earlier file (or an interrupted import of this one) stored it."""
        ...

    def mention_line(self, line_key: str, *, file_id: str) -> None:
        """Note that this file carried a line an earlier file brought (so the file's page lists it too)."""
        ...

    def decide_line(self, line_key: str, *, file_id: str, status: str, match: LineMatch, at: datetime) -> bool:
        """received -> status with the match, only by the file that received it; False when already decided."""
        ...

    def line_applied(self, line_key: str, applied: dict[str, Any], *, at: datetime) -> None: ...

    def lines_of(self, file_id: str) -> list[StoredLine]:
        """Every line the file carried: those it brought first, and those an earlier file brought (one query of the
        file's own partition, and a read of each of the latter)."""
        ...

    def line(self, line_key: str) -> StoredLine | None: ...

    def record_refusal(self, event: AuditEvent) -> None:
        """An audit record of a refused file: nothing else of it is stored."""
        ...


class BankFileObjects(Protocol):
    def put(self, key: str, body: bytes) -> None:
        """Write once: the key is the content's hash, so writing it again writes the same bytes."""
        ...


class MatchBookSource(Protocol):
    def book_for(self, lines: Sequence[BankLine], *, window_days: int, currency: str) -> MatchBook:
        """What the ledger expects or holds open that these lines could be: looked up by what each line says,
        never by scanning what is open."""
        ...


Parse = Callable[[bytes, str | None], BankFile]
Match = Callable[[Sequence[BankLine], MatchBook, MatchSettings], list[LineMatch]]


class ApplyLine(Protocol):
    def __call__(self, decided: LineMatch, line: BankLine, *, file_id: str, account: BankAccount) -> dict[str, Any]:
        """Apply a MATCHED line (services/bank_application.py); answers what it did, as JSON. Called again for a
        line whose import stopped after deciding it: applying is idempotent per line_key."""
        ...
