"""The import's steps (``services/bank_files.py``) with in-memory stores: refused files store nothing but their
audit record, each line is claimed once, an import that stopped half way is finished by sending the file again,
and a line decided by another import of the same file is neither counted nor applied twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from arportal.domain.bank_accounts import BankAccount, Receives
from arportal.domain.bank_matches import Candidate, LineMatch, MatchBook, MatchOutcome, MatchSettings, MatchTarget
from arportal.domain.bank_statements import (
    AccountStatement,
    BankFile,
    BankFileFormat,
    BankFileRejected,
    BankLine,
    LineKind,
)
from arportal.domain.models import AuditEvent
from arportal.ports.bank_files import IMPORTED, RECEIVED, BankFileCounts, BankFilePage, BankFileRecord, StoredLine
from arportal.services.bank_files import Arrival, BankFileTools, import_bank_file, statement_accounts

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
OPERATING = BankAccount(
    "operating", "Operating", "First Bank", "4400123456", "011000015", "USD", frozenset({Receives.WIRES})
)


class MemoryStore:
    def __init__(self) -> None:
        self.files: dict[str, BankFileRecord] = {}
        self.lines: dict[str, StoredLine] = {}
        self.mentions: list[tuple[str, str]] = []
        self.refusals: list[AuditEvent] = []

    def file(self, file_id: str) -> BankFileRecord | None:
        return self.files.get(file_id)

    def claim_file(self, record: BankFileRecord) -> BankFileRecord | None:
        if record.file_id in self.files:
            return self.files[record.file_id]
        self.files[record.file_id] = record
        return None

    def finish_file(self, file_id: str, counts: BankFileCounts, *, at: datetime) -> None:
        self.files[file_id] = replace(self.files[file_id], status=IMPORTED, counts=counts)

    def files_page(self) -> BankFilePage:
        return BankFilePage(list(self.files.values()), None)

    def receive_line(self, line: BankLine, *, file_id: str, account_id: str, at: datetime) -> StoredLine | None:
        if line.line_key in self.lines:
            return self.lines[line.line_key]
        self.lines[line.line_key] = StoredLine(line, file_id, account_id, RECEIVED)
        return None

    def mention_line(self, line_key: str, *, file_id: str) -> None:
        self.mentions.append((file_id, line_key))

    def decide_line(self, line_key: str, *, file_id: str, status: str, match: LineMatch, at: datetime) -> bool:
        stored = self.lines[line_key]
        if stored.status != RECEIVED or stored.file_id != file_id:
            return False
        self.lines[line_key] = replace(stored, status=status, match=match)
        return True

    def line_applied(self, line_key: str, applied: dict[str, Any], *, at: datetime) -> None:
        self.lines[line_key] = replace(self.lines[line_key], applied=applied)

    def record_refusal(self, event: AuditEvent) -> None:
        self.refusals.append(event)


class Objects:
    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}

    def put(self, key: str, body: bytes) -> None:
        self.kept[key] = body


class NoBook:
    def book_for(self, lines: Sequence[BankLine], *, window_days: int, currency: str) -> MatchBook:
        return MatchBook()


def line(key: str, amount: int, kind: LineKind = LineKind.WIRE) -> BankLine:
    return BankLine(f"4400123456:{key}", date(2026, 3, 2), None, amount, "USD", kind, "195", bank_reference=key)


def file_of(*lines: BankLine, account: str = "4400123456", currency: str = "USD") -> BankFile:
    statement = AccountStatement(account, "011000015", currency, date(2026, 3, 2), None, None, lines)
    return BankFile(BankFileFormat.BAI2, "F1", None, (statement,))


def matcher(lines: Sequence[BankLine], book: MatchBook, settings: MatchSettings) -> list[LineMatch]:
    """Amounts ending in 1 are matched, in 2 suggested, others unmatched; debits ignored."""
    out = []
    for ln in lines:
        candidate = Candidate(MatchTarget.INVOICES, 95 if ln.amount % 10 == 1 else 60, ("test",), customer_id="C")
        outcome = (
            MatchOutcome.IGNORED
            if ln.amount < 0
            else MatchOutcome.MATCHED
            if ln.amount % 10 == 1
            else MatchOutcome.SUGGESTED
            if ln.amount % 10 == 2
            else MatchOutcome.UNMATCHED
        )
        best = candidate if outcome in (MatchOutcome.MATCHED, MatchOutcome.SUGGESTED) else None
        out.append(LineMatch(ln.line_key, outcome, best, (best,) if best else ()))
    return out


class Harness:
    def __init__(self, parsed: BankFile, *, fail_applying: set[str] | None = None) -> None:
        self.store, self.objects, self.applied = MemoryStore(), Objects(), []
        self.parsed, self.fail_applying = parsed, fail_applying or set()

    def apply(self, decided: LineMatch, ln: BankLine, *, file_id: str, account: BankAccount) -> dict[str, Any]:
        if ln.line_key in self.fail_applying:
            self.fail_applying.discard(ln.line_key)
            raise RuntimeError("the ledger went away")
        self.applied.append(ln.line_key)
        return {"outcome": "applied", "account": account.account_id}

    def parse(self, data: bytes, filename: str | None) -> BankFile:
        if data.startswith(b"BAD"):
            raise BankFileRejected("a control total is off")
        return self.parsed

    def tools(self) -> BankFileTools:
        return BankFileTools(
            store=self.store, objects=self.objects, books=NoBook(), parse=self.parse, match=matcher,
            apply=self.apply, accounts=(OPERATING,), settings=MatchSettings(), currency="USD",
        )  # fmt: skip

    def send(self, data: bytes = b"FILE") -> Any:
        return import_bank_file(Arrival(data, "f.bai", "console", "staff:x"), self.tools(), now=NOW)


def test_counts_each_outcome_and_applies_only_the_matched_lines() -> None:
    h = Harness(file_of(line("A", 101), line("B", 202), line("C", 300), line("D", -55, LineKind.OTHER_DEBIT)))
    done = h.send()
    assert done.record.counts == BankFileCounts(lines=4, matched=1, suggested=1, unmatched=1, ignored=1)
    assert h.applied == ["4400123456:A"]
    assert h.store.lines["4400123456:A"].applied == {"outcome": "applied", "account": "operating"}
    assert list(h.objects.kept) == [f"bank-files/2026/03/02/{done.record.sha256}"]
    assert done.record.file_id == "bkf_" + done.record.sha256[:40] and not done.duplicate


def test_the_same_bytes_again_answer_the_first_import_and_apply_nothing() -> None:
    h = Harness(file_of(line("A", 101)))
    first = h.send()
    again = h.send()
    assert again.duplicate and again.record == h.store.files[first.record.file_id]
    assert h.applied == ["4400123456:A"]


def test_a_line_an_earlier_file_brought_is_already_seen_and_mentioned() -> None:
    h = Harness(file_of(line("A", 101)))
    h.send(b"FIRST")
    h.parsed = file_of(line("A", 101), line("E", 401), line("E", 401))  # the file repeats E too
    second = h.send(b"SECOND")
    assert (second.record.counts.already_seen, second.record.counts.matched, second.record.counts.lines) == (2, 1, 3)
    assert h.applied == ["4400123456:A", "4400123456:E"]
    assert h.store.mentions == [(second.record.file_id, "4400123456:A")]


def test_an_import_that_stopped_half_way_is_finished_by_sending_the_file_again() -> None:
    h = Harness(file_of(line("A", 101), line("B", 111), line("C", 300)), fail_applying={"4400123456:B"})
    with pytest.raises(RuntimeError):
        h.send()
    (record,) = h.store.files.values()
    assert record.status == "importing" and h.applied == ["4400123456:A"]
    done = h.send()
    assert not done.duplicate and done.record.status == IMPORTED
    assert h.applied == ["4400123456:A", "4400123456:B"]  # A is not applied twice; B, decided but not applied, is
    assert done.record.counts == BankFileCounts(lines=3, matched=2, unmatched=1)


def test_a_line_another_import_of_the_file_decided_first_is_left_to_it() -> None:
    h = Harness(file_of(line("A", 101)))
    taken = h.store.decide_line
    h.store.decide_line = lambda *a, **k: False  # type: ignore[method-assign]
    done = h.send()
    assert h.applied == [] and done.record.counts.matched == 0
    h.store.decide_line = taken  # type: ignore[method-assign]


@pytest.mark.parametrize(
    ("data", "parsed", "reason"),
    [
        (b"BAD", file_of(), "control total"),
        (b"FILE", file_of(line("A", 101), account="99887766"), "••••7766"),
        (b"FILE", file_of(line("A", 101), currency="EUR"), "in EUR"),
    ],
)
def test_a_refused_file_stores_nothing_but_its_audit_record(data: bytes, parsed: BankFile, reason: str) -> None:
    h = Harness(parsed)
    with pytest.raises(BankFileRejected) as refused:
        h.send(data)
    assert reason in refused.value.message
    assert (h.store.files, h.store.lines, h.objects.kept, h.applied) == ({}, {}, {}, [])
    (audit,) = h.store.refusals
    assert (audit.action, audit.entity_type, audit.reason) == ("bank_file.refused", "bank_file", refused.value.message)


def test_too_large_is_refused_before_parsing() -> None:
    h = Harness(file_of(line("A", 101)))
    with pytest.raises(BankFileRejected, match="at most 3 are taken"):
        import_bank_file(Arrival(b"FILE", None, "s3", "s3:k"), h.tools(), now=NOW, max_bytes=3)
    assert h.store.files == {}


def test_statement_accounts_ignore_leading_zeros_and_spaces() -> None:
    parsed = file_of(line("A", 101), account="0004400 123456")
    assert statement_accounts(parsed, [OPERATING]) == {"0004400 123456": OPERATING}
