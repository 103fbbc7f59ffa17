"""GL journal batches: a day's journal built and stored once, read back byte for byte, marked imported, corrected.

A batch is stored once and never changed (only marked imported): the CSV and JSON files go to the audit bucket,
whose Object Lock retention keeps anyone (an administrator included, in production) from rewriting them for
years, under keys that carry their SHA-256 (two builders racing write different objects and only the one whose
``JOURNAL#`` item was created is ever referenced); then the item is created on condition it does not exist; then
the hashes and control totals enter the hash-chained audit trail (entity ``journal``). Building a day again
returns its first batch, same id, same bytes.

A correction is filed by one finance user with a reason and decided by another (never the requester). Approved,
it stores two more batches of the day: the reversal of the batch (every line mirrored) and a new batch built
from the ledger as it stands, each stored and hashed as above. Deciding again after a failure finds the
batches already stored by what they reverse and replace, and finishes the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from arportal.domain.chart_of_accounts import ChartOfAccounts
from arportal.domain.errors import BusinessRuleError, ConflictError, ForbiddenError, NotFoundError
from arportal.domain.gl_variance import receipts_of_journal
from arportal.domain.ids import new_id
from arportal.domain.journal_files import JournalFile, journal_csv, journal_json, sha256
from arportal.domain.journals import Journal, JournalLine, SourceRef, batch_id_for, build_journal, reversal_of
from arportal.domain.models import AuditEvent
from arportal.ports import AuditLog, AuditReader
from arportal.ports.journals import JournalBatch, JournalCorrection, JournalFiles, JournalStore
from arportal.services.journal_day import JournalSources, day_movements

ENTITY = "journal"
SYSTEM = "system:journal"


class SelfDecisionError(ForbiddenError):
    code = "self_approval"


class CorrectionNotPendingError(ConflictError):
    code = "correction_not_pending"


class JournalFileAltered(ConflictError):
    """A stored file whose bytes no longer match the hash stored (and chained) with its batch."""

    code = "journal_file_altered"


@dataclass(frozen=True)
class JournalBooks:
    """What storing and reading batches needs."""

    store: JournalStore
    files: JournalFiles
    audit: AuditLog
    agency: str
    trail: AuditReader | None = None  # to find a batch whose audit record was never written (see ``build_day``)


@dataclass(frozen=True)
class Built:
    batch: JournalBatch
    created: bool  # False: the day had been built; this is its first batch


def build_day(
    books: JournalBooks, sources: JournalSources, chart: ChartOfAccounts, day: date, *, now: datetime
) -> Built:
    """The day's journal, built and stored once; the day's first batch when it exists already."""
    existing = books.store.day(books.agency, day)
    if existing:
        _ensure_audited(books, existing[0], now=now)
        return Built(existing[0], created=False)
    journal = _from_ledger(books, sources, chart, day, sequence=1)
    batch, created = store_journal(books, journal, sequence=1, actor=SYSTEM, now=now)
    return Built(batch, created)


def regenerates_identically(
    books: JournalBooks, sources: JournalSources, chart: ChartOfAccounts, batch_id: str
) -> bool:
    """Whether the day's journal, built again from the ledger as it stands, gives the very bytes of a stored batch
    (its CSV and JSON hashes): the proof that an exported batch is the ledger's and nothing else. Exact while no
    later change touched the day's invoices (the fee-code split reads them as stored)."""
    found = batch(books, batch_id)
    again = _from_ledger(books, sources, chart, found.business_date, sequence=found.sequence)
    return (journal_csv(again).sha256, journal_json(again).sha256) == (found.csv_sha256, found.json_sha256)


def store_journal(
    books: JournalBooks,
    journal: Journal,
    *,
    sequence: int,
    actor: str,
    now: datetime,
    replaces: str | None = None,
) -> tuple[JournalBatch, bool]:
    csv_file, json_file = journal_csv(journal), journal_json(journal)
    prefix = f"journals/{journal.business_date:%Y/%m/%d}/{journal.batch_id}"
    for file in (csv_file, json_file):
        extension = file.filename.rsplit(".", 1)[1]
        books.files.put(
            f"{prefix}/{file.sha256}.{extension}",
            file.data,
            content_type=file.content_type,
            metadata={"batch-id": journal.batch_id, "sha256": file.sha256},
        )
    batch = JournalBatch(
        batch_id=journal.batch_id,
        business_date=journal.business_date,
        agency=journal.agency,
        sequence=sequence,
        reverses=journal.reverses,
        replaces=replaces,
        csv_key=f"{prefix}/{csv_file.sha256}.csv",
        json_key=f"{prefix}/{json_file.sha256}.json",
        csv_sha256=csv_file.sha256,
        json_sha256=json_file.sha256,
        totals=tuple((c, *journal.control_totals(c)) for c in journal.currencies),
        created_at=now,
        created_by=actor,
        receipts=tuple(sorted(receipts_of_journal(journal).items())),
    )
    if not books.store.create(batch):
        stored = books.store.get(journal.batch_id)
        if stored is None:
            raise ConflictError(f"journal batch {journal.batch_id} was created and is gone")
        return stored, False
    books.audit.record(_audit(batch, "journal.reversed" if batch.reverses else "journal.created", actor, now))
    return batch, True


def _ensure_audited(books: JournalBooks, batch: JournalBatch, *, now: datetime) -> None:
    """A batch stored by a run that stopped before its audit record (the record follows the item's creation, so
    a lost race never chains a batch that is not the one stored) gets it when the day is built again."""
    if books.trail is not None and not books.trail.history(ENTITY, batch.batch_id, limit=1):
        action = "journal.reversed" if batch.reverses else "journal.created"
        books.audit.record(_audit(batch, action, batch.created_by, now))


def day_batches(books: JournalBooks, day: date) -> list[tuple[JournalBatch, Journal]]:
    return [(batch, stored_journal(books, batch)) for batch in books.store.day(books.agency, day)]


def batch(books: JournalBooks, batch_id: str) -> JournalBatch:
    found = books.store.get(batch_id)
    if found is None:
        raise NotFoundError(f"no journal batch {batch_id}")
    return found


def batch_file(books: JournalBooks, batch_id: str, file_format: str) -> JournalFile:
    """The stored file, as stored; refused if its bytes no longer hash to what was recorded."""
    found = batch(books, batch_id)
    key, digest = (found.csv_key, found.csv_sha256) if file_format == "csv" else (found.json_key, found.json_sha256)
    data = books.files.get(key)
    if sha256(data) != digest:
        raise JournalFileAltered(f"the {file_format} file of {batch_id} does not match its recorded hash")
    content_type = "text/csv; charset=utf-8" if file_format == "csv" else "application/json"
    return JournalFile(f"{batch_id}.{file_format}", content_type, data)


def stored_journal(books: JournalBooks, found: JournalBatch) -> Journal:
    return journal_from_json(batch_file(books, found.batch_id, "json").data)


def mark_imported(books: JournalBooks, batch_id: str, *, actor: str, now: datetime) -> JournalBatch:
    batch(books, batch_id)
    marked = books.store.mark_imported(batch_id, by=actor, at=now)
    if marked.imported_at == now and marked.imported_by == actor:
        books.audit.record(_audit(marked, "journal.imported", actor, now))
    return marked


def request_correction(
    books: JournalBooks, batch_id: str, *, reason: str, actor: str, now: datetime
) -> JournalCorrection:
    target = batch(books, batch_id)
    if target.reverses:
        raise BusinessRuleError(f"{batch_id} is a reversal batch: correct the batch it reverses instead")
    if any(b.reverses == batch_id for b in books.store.day(books.agency, target.business_date)):
        raise ConflictError(f"{batch_id} has been reversed already: correct the batch that replaced it")
    correction = JournalCorrection(new_id("jfx"), batch_id, reason, actor, now)
    books.store.file_correction(correction)
    return correction


def decide_correction(
    books: JournalBooks,
    sources: JournalSources,
    chart: ChartOfAccounts,
    correction_id: str,
    *,
    approve: bool,
    actor: str,
    now: datetime,
) -> JournalCorrection:
    correction = books.store.correction(correction_id)
    if correction is None:
        raise NotFoundError(f"no journal correction {correction_id}")
    if correction.requested_by == actor:
        raise SelfDecisionError("a correction is decided by another finance user than the one who asked for it")
    status = "approved" if approve else "rejected"
    if correction.status == "pending" and not books.store.decide_correction(
        correction_id, status=status, by=actor, at=now
    ):
        correction = books.store.correction(correction_id) or correction
    if correction.status not in ("pending", status):
        raise CorrectionNotPendingError(f"correction {correction_id} was {correction.status} already")
    if approve and correction.new_batch_id is None:
        _carry_out(books, sources, chart, correction, actor=actor, now=now)
    return books.store.correction(correction_id) or correction


def _carry_out(
    books: JournalBooks,
    sources: JournalSources,
    chart: ChartOfAccounts,
    correction: JournalCorrection,
    *,
    actor: str,
    now: datetime,
) -> None:
    original = batch(books, correction.batch_id)
    day = original.business_date
    batches = books.store.day(books.agency, day)
    reversal_id = next((b.batch_id for b in batches if b.reverses == original.batch_id), None)
    if reversal_id is None:
        sequence = max(b.sequence for b in batches) + 1
        reversal = reversal_of(stored_journal(books, original), batch_id=batch_id_for(books.agency, day, sequence))
        store_journal(books, reversal, sequence=sequence, actor=actor, now=now)
        reversal_id = reversal.batch_id
    reversal_batch = batch(books, reversal_id)
    replacement = next((b for b in books.store.day(books.agency, day) if b.replaces == original.batch_id), None)
    if replacement is None:
        sequence = reversal_batch.sequence + 1
        journal = _from_ledger(books, sources, chart, day, sequence=sequence)
        replacement, _ = store_journal(
            books, journal, sequence=sequence, actor=actor, now=now, replaces=original.batch_id
        )
    books.store.correction_done(
        correction.correction_id, reversal_batch_id=reversal_id, new_batch_id=replacement.batch_id
    )


def _from_ledger(
    books: JournalBooks, sources: JournalSources, chart: ChartOfAccounts, day: date, *, sequence: int
) -> Journal:
    movements = day_movements(sources, day)
    batch_id = batch_id_for(books.agency, day, sequence)
    return build_journal(movements, chart, batch_id=batch_id, business_date=day, agency=books.agency)


def journal_from_json(data: bytes) -> Journal:
    """A stored JSON file back as the journal it was written from (``journal_json`` of it gives the same bytes)."""
    document = json.loads(data)
    lines = tuple(
        JournalLine(
            int(x["line"]),
            x["kind"],
            x["fund"],
            x["department"],
            x["account"],
            int(x["debit"]),
            int(x["credit"]),
            x["currency"],
            x["memo"],
            SourceRef(**x["source"]),
        )
        for x in document["lines"]
    )
    return Journal(
        document["batch_id"],
        date.fromisoformat(document["business_date"]),
        document["agency"],
        lines,
        reverses=document["reverses"],
    )


def _audit(batch: JournalBatch, action: str, actor: str, now: datetime) -> AuditEvent:
    return AuditEvent(
        event_id=new_id("aud"),
        entity_type=ENTITY,
        entity_id=batch.batch_id,
        action=action,
        actor=actor,
        at=now,
        after={
            "business_date": batch.business_date.isoformat(),
            "csv_sha256": batch.csv_sha256,
            "json_sha256": batch.json_sha256,
            "csv_key": batch.csv_key,
            "json_key": batch.json_key,
            "totals": [dict(zip(("currency", "records", "debits", "credits"), t, strict=True)) for t in batch.totals],
            "reverses": batch.reverses,
            "replaces": batch.replaces,
            "imported_at": batch.imported_at.isoformat() if batch.imported_at else None,
            "imported_by": batch.imported_by,
        },
    )
