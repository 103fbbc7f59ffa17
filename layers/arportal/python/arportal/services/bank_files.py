"""Importing a bank file (docs/bank-files.md, "Import"): whatever way it came (the console, a connected system,
the S3 drop), the same steps.

1. **Once per content.** The file's id is its SHA-256: the same bytes again answer the first import's result with
   ``duplicate: true`` and change nothing.
2. **Refused whole, or not at all.** The parser refuses a file it cannot trust (a control total off, truncated, a
   DTD); every statement must be for one of the agency's configured accounts, in its currency. A refusal stores
   nothing but an audit record (``bank_file.refused``): no raw bytes, no file record, no line.
3. **Kept.** The raw bytes go to the documents bucket under ``bank-files/<yyyy>/<mm>/<dd>/<sha256>``, and the file
   is recorded (``importing``) before any line is.
4. **Each line once.** A line is stored by its ``line_key`` only if absent: a line an earlier file brought is
   counted ``already_seen`` and never matched or applied again.
5. **Matched, then applied.** The new lines are matched against a book the ledger gives for those lines only; a
   line's outcome is written only if it is still ``received`` (so of two imports at once one decides it), and a
   MATCHED line is then applied. An import that stops half way is finished by sending the same file again: the
   lines it received are matched, the lines it decided but did not apply are applied (applying is idempotent per
   line), and the rest stand.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from arportal.domain.bank_accounts import BankAccount, account_for
from arportal.domain.bank_matches import LineMatch, MatchOutcome, MatchSettings
from arportal.domain.bank_statements import BankFile, BankFileRejected, BankLine
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.ports.bank_files import (
    IMPORTED,
    RECEIVED,
    ApplyLine,
    BankFileCounts,
    BankFileObjects,
    BankFileRecord,
    BankFileStore,
    Match,
    MatchBookSource,
    Parse,
    StoredLine,
)

MAX_FILE_BYTES = 10 * 1024 * 1024  # API Gateway's own limit; bigger files go through the S3 drop
MAX_DROP_BYTES = 100 * 1024 * 1024  # the S3 drop's: a day's statement of a large agency is a few MB
FILE_ID_PREFIX = "bkf_"


@dataclass(frozen=True)
class BankFileTools:
    store: BankFileStore
    objects: BankFileObjects
    books: MatchBookSource
    parse: Parse
    match: Match
    apply: ApplyLine
    accounts: tuple[BankAccount, ...]
    settings: MatchSettings
    currency: str


@dataclass(frozen=True)
class BankFileImport:
    record: BankFileRecord
    duplicate: bool


@dataclass(frozen=True)
class Arrival:
    data: bytes
    filename: str | None
    source: str  # console | integration | s3
    actor: str


def file_id_of(sha256: str) -> str:
    return f"{FILE_ID_PREFIX}{sha256[:40]}"


def object_key(sha256: str, at: datetime) -> str:
    return f"bank-files/{at:%Y/%m/%d}/{sha256}"


def import_bank_file(
    arrival: Arrival, tools: BankFileTools, *, now: datetime, max_bytes: int = MAX_FILE_BYTES
) -> BankFileImport:
    sha256 = hashlib.sha256(arrival.data).hexdigest()
    file_id = file_id_of(sha256)
    earlier = tools.store.file(file_id)
    if earlier is not None and earlier.status == IMPORTED:
        return BankFileImport(earlier, duplicate=True)
    try:
        if len(arrival.data) > max_bytes:
            raise BankFileRejected(f"the file is {len(arrival.data)} bytes; at most {max_bytes} are taken")
        parsed = tools.parse(arrival.data, arrival.filename)
        accounts = statement_accounts(parsed, tools.accounts)
    except BankFileRejected as refused:
        tools.store.record_refusal(_refusal(file_id, sha256, arrival, refused.message, now))
        raise
    key = object_key(sha256, now)
    tools.objects.put(key, arrival.data)
    record = BankFileRecord(
        file_id=file_id,
        sha256=sha256,
        format=parsed.format.value,
        size=len(arrival.data),
        object_key=key,
        received_at=now,
        received_by=arrival.actor,
        source=arrival.source,
        filename=arrival.filename,
        file_reference=parsed.file_reference,
        accounts=tuple(sorted({a.account_id for a in accounts.values()})),
    )
    there = tools.store.claim_file(record)
    if there is not None:
        if there.status == IMPORTED:  # the same bytes, imported in the meantime
            return BankFileImport(there, duplicate=True)
        record = there  # an import of these bytes that stopped half way (or runs now): finish it
    counts = _import_lines(parsed, accounts, record.file_id, tools, now)
    tools.store.finish_file(record.file_id, counts, at=now)
    return BankFileImport(replace(record, status=IMPORTED, counts=counts), duplicate=False)


def statement_accounts(parsed: BankFile, configured: Sequence[BankAccount]) -> dict[str, BankAccount]:
    """Each statement's configured account, by the statement's account number; refuses the file for the first
    statement that is for no configured account, or in another currency than its account's."""
    found: dict[str, BankAccount] = {}
    for statement in parsed.statements:
        account = account_for(configured, statement.account_number)
        if account is None:
            raise BankFileRejected(
                f"a statement is for account {mask(statement.account_number)}, which is not one of the agency's "
                "bank accounts (the deployment config's bankAccounts): nothing in the file was applied"
            )
        if statement.currency != account.currency:
            raise BankFileRejected(
                f"the statement for account {account.account_id} is in {statement.currency}; the account is in "
                f"{account.currency}: nothing in the file was applied"
            )
        found[statement.account_number] = account
    return found


def mask(account_number: str) -> str:
    return f"••••{account_number.strip()[-4:]}"


def _import_lines(
    parsed: BankFile, accounts: dict[str, BankAccount], file_id: str, tools: BankFileTools, now: datetime
) -> BankFileCounts:
    to_match: list[BankLine] = []
    to_apply: list[tuple[LineMatch, BankLine]] = []
    account_of: dict[str, BankAccount] = {}
    tally: Counter[str] = Counter()
    for statement in parsed.statements:
        account = accounts[statement.account_number]
        for line in statement.lines:
            if line.line_key in account_of:  # the file repeats a line: one movement, counted once
                tally["already_seen"] += 1
                continue
            account_of[line.line_key] = account
            stored = tools.store.receive_line(line, file_id=file_id, account_id=account.account_id, at=now)
            if stored is None or (stored.file_id == file_id and stored.status == RECEIVED):
                to_match.append(line)
            elif stored.file_id != file_id:
                tally["already_seen"] += 1
                tools.store.mention_line(line.line_key, file_id=file_id)
            else:  # decided by an earlier, interrupted import of this very file
                tally[stored.status] += 1
                if stored.status == MatchOutcome.MATCHED.value and stored.applied is None and stored.match:
                    to_apply.append((stored.match, line))
    if to_match:
        book = tools.books.book_for(
            to_match, window_days=tools.settings.deposit_window_banking_days, currency=tools.currency
        )
        by_key = {line.line_key: line for line in to_match}
        for decided in tools.match(to_match, book, tools.settings):
            if not tools.store.decide_line(
                decided.line_key, file_id=file_id, status=decided.outcome.value, match=decided, at=now
            ):
                continue  # another import of this file decided it first; that one applies it
            tally[decided.outcome.value] += 1
            if decided.outcome is MatchOutcome.MATCHED:
                to_apply.append((decided, by_key[decided.line_key]))
    for decided, line in to_apply:
        applied = tools.apply(decided, line, file_id=file_id, account=account_of[line.line_key])
        tools.store.line_applied(line.line_key, applied, at=now)
    return BankFileCounts(
        lines=len(parsed.lines),
        matched=tally[MatchOutcome.MATCHED.value],
        suggested=tally[MatchOutcome.SUGGESTED.value],
        unmatched=tally[MatchOutcome.UNMATCHED.value],
        ignored=tally[MatchOutcome.IGNORED.value],
        already_seen=tally["already_seen"],
    )


def _refusal(file_id: str, sha256: str, arrival: Arrival, reason: str, now: datetime) -> AuditEvent:
    return AuditEvent(
        event_id=new_id("aud"),
        entity_type="bank_file",
        entity_id=file_id,
        action="bank_file.refused",
        actor=arrival.actor,
        at=now,
        after={"sha256": sha256, "size": len(arrival.data), "filename": arrival.filename, "source": arrival.source},
        reason=reason,
    )


def bank_file(store: BankFileStore, file_id: str) -> tuple[BankFileRecord, list[StoredLine]] | None:
    record = store.file(file_id)
    return None if record is None else (record, store.lines_of(file_id))
