"""What importing bank files uses, built once per container from the settings: the bank-file store (ledger and
audit tables), the documents bucket for the raw bytes, the match book, and the three pure steps (the parser, the
matcher and the applying service); and the import use case wired to them for its three callers: the console
(``functions/staff_api/routes/finance_bank_files.py``), a connected system
(``functions/integration_api/routes/bank_files.py``) and the S3 drop (``functions/workflow_tasks/bank_files.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from arportal import clock
from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.bank_files import DynamoBankFileStore
    from arportal.adapters.dynamodb.match_book import DynamoMatchBook
    from arportal.adapters.s3_bank_files import S3BankFileObjects
    from arportal.domain.bank_accounts import BankAccount
    from arportal.domain.bank_matches import LineMatch, MatchBook, MatchSettings
    from arportal.domain.bank_statements import BankFile, BankLine
    from arportal.ports.bank_files import BankFilePage, BankFileRecord, StoredLine
    from arportal.services.bank_files import BankFileImport, BankFileTools


@built_once
def bank_file_store() -> DynamoBankFileStore:
    from arportal.adapters.dynamodb.bank_files import DynamoBankFileStore

    s = settings()
    return DynamoBankFileStore(s.ledger_table, s.audit_table)


@built_once
def bank_file_objects() -> S3BankFileObjects:
    from arportal.adapters.s3_bank_files import S3BankFileObjects

    return S3BankFileObjects(settings().documents_bucket)


@built_once
def match_books() -> DynamoMatchBook:
    from arportal.adapters.dynamodb.match_book import DynamoMatchBook

    s = settings()
    return DynamoMatchBook(s.ledger_table, s.audit_table)


def accounts() -> tuple[BankAccount, ...]:
    return settings().bank_accounts


# --- the pure steps (module functions, so a test can put a fake of a step that is not there yet) -------------


def parse(data: bytes, filename: str | None) -> BankFile:
    from arportal.domain.bank_files import parse as parse_file

    return parse_file(data, filename=filename)


def match(lines: Sequence[BankLine], book: MatchBook, match_settings: MatchSettings) -> list[LineMatch]:
    from arportal.domain.bank_matching import match as match_lines

    return match_lines(lines, book, match_settings)


def apply(decided: LineMatch, line: BankLine, *, file_id: str, account: BankAccount) -> dict[str, Any]:
    from arportal.wiring.bank_application import apply_line

    return apply_line(decided, line, file_id=file_id, account=account)


def tools() -> BankFileTools:
    from arportal.services.bank_files import BankFileTools

    s = settings()
    return BankFileTools(
        store=bank_file_store(),
        objects=bank_file_objects(),
        books=match_books(),
        # the module's functions as they are at this call (a test may replace a step that is not written yet)
        parse=parse,
        match=match,
        apply=apply,
        accounts=s.bank_accounts,
        settings=s.bank_matching,
        currency=s.currency,
    )


# --- the callers' use cases -------------------------------------------------------------------------------------


def receive(data: bytes, *, filename: str | None, source: str, actor: str) -> BankFileImport:
    from arportal.services.bank_files import Arrival, import_bank_file

    return import_bank_file(Arrival(data, filename, source, actor), tools(), now=clock.now())


def receive_drop(key: str) -> BankFileImport:
    """A file dropped in the import bucket under ``bank-files/inbox/``: read, then imported like an upload."""
    from arportal.services.bank_files import MAX_DROP_BYTES, Arrival, import_bank_file
    from arportal.wiring.imports import import_files

    data = import_files().get(key)
    filename = key.rsplit("/", 1)[-1] or None
    arrival = Arrival(data, filename, "s3", f"s3:{key}"[:200])
    return import_bank_file(arrival, tools(), now=clock.now(), max_bytes=MAX_DROP_BYTES)


def file(file_id: str) -> tuple[BankFileRecord, list[StoredLine]] | None:
    from arportal.services.bank_files import bank_file

    return bank_file(bank_file_store(), file_id)


def files(*, limit: int, cursor: str | None) -> BankFilePage:
    return bank_file_store().files(limit=limit, cursor=cursor)
