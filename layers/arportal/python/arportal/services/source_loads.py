"""Loading a connected system's records in batches: customers, accounts, invoices, credit notes, sales orders and
documents, upserted by the source's own ids, with an answer per record.

One request, in order:
1. **Validate** each record alone (``domain/source_records.parse_record``): a malformed record is answered with
   its field errors and never blocks the others. A second record with the same source id in the request is
   ``duplicate_in_batch`` (the first one counts).
2. **Read** everything the batch needs at once (``SourceRecordStore.read``): each record's stored state, entity
   and audit head, and the customers and accounts the records name.
3. **Decide** each record in the order sent (``domain/upserts.decide``). What a record names may be in the
   ledger or earlier in the same request (a customer before its accounts, an account before its invoices).
4. **Write** in chunks of at most ``CHUNK_RECORDS`` records and one transaction each (``store.capacity()``
   actions). A document's bytes go to the documents bucket first, under a key that names their digest, so a
   retry writes the same object and a lost race leaves no record pointing at other bytes. When the transaction
   is refused because records lost a race, those are read again and decided again, and the chunk is written
   again; a record that loses twice is answered ``conflict`` (retryable), with whatever in the request depends
   on it. Budget: one write round trip per chunk, two when a race is lost.
5. **Answer** per record: created, updated, unchanged (``stale``, ``same_version`` or ``same_content``) or
   rejected with its errors. ``dry_run`` answers the same without writing anything.

Every write names the system (``system:<client name>``) on the record's state, its outbox event
(``<kind>.loaded``) and its audit record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from arportal.domain.audit_chain import Head
from arportal.domain.ids import new_id
from arportal.domain.models import Account, AuditEvent, Document, DocumentKind, Invoice
from arportal.domain.source_records import (
    MAX_RECORDS,
    RecordError,
    SourceDocument,
    SourceKind,
    SourceRecord,
    TooManyRecordsError,
    parse_record,
)
from arportal.domain.upserts import (
    Context,
    Decision,
    LoweredAmount,
    Outcome,
    References,
    Rejected,
    Unchanged,
    Upsert,
    VersionBump,
    decide,
    entity_id_for,
)
from arportal.ports import DocumentStore, SourceReads, SourceRecordStore, SourceTarget, SourceWrite
from arportal.services.documents import CONTENT_TYPES, storage_key

CHUNK_RECORDS = 25
FILE_WORKERS = 8
LOSSES_BEFORE_CONFLICT = 2
_ID_FIELDS = {
    SourceKind.CUSTOMER: "customer_id",
    SourceKind.ACCOUNT: "account_number",
    SourceKind.INVOICE: "invoice_number",
    SourceKind.CREDIT_NOTE: "number",
    SourceKind.SALES_ORDER: "number",
    SourceKind.DOCUMENT: "document_id",
}


@dataclass(frozen=True)
class LoadSettings:
    currency: str
    lowered: LoweredAmount = LoweredAmount.REJECT


@dataclass(frozen=True)
class RecordResult:
    index: int
    kind: SourceKind
    outcome: Outcome
    source_id: str | None = None
    entity_id: str | None = None
    errors: tuple[RecordError, ...] = ()
    reason: str | None = None  # unchanged: stale, same_version, same_content
    source_version: int | None = None
    stored_version: int | None = None
    retryable: bool = False


@dataclass(frozen=True)
class BatchResult:
    results: list[RecordResult]
    dry_run: bool

    @property
    def summary(self) -> dict[str, int]:
        counts = {outcome.value: 0 for outcome in Outcome}
        for result in self.results:
            counts[result.outcome.value] += 1
        return counts


@dataclass
class _Pending:
    """A valid record on its way: its decision, and the records earlier in the request it depends on."""

    index: int
    record: SourceRecord
    decision: Decision
    depends_on: tuple[int, ...] = ()
    head: Head | None = None
    losses: int = 0


@dataclass
class _Batch:
    """What the request has decided so far: customers and accounts that earlier records make exist."""

    customers: dict[str, int] = field(default_factory=dict)
    accounts: dict[tuple[str, str], tuple[int, Account]] = field(default_factory=dict)


def load_batch(
    kind: SourceKind,
    raw_records: Sequence[object],
    *,
    store: SourceRecordStore,
    files: DocumentStore,
    settings: LoadSettings,
    actor: str,
    now: datetime,
    dry_run: bool = False,
    request_id: str | None = None,
) -> BatchResult:
    """One kind of record, as ``POST /v1/integrations/<kind>:batch`` sends them."""
    return load_records(
        [(kind, raw) for raw in raw_records],
        store=store,
        files=files,
        settings=settings,
        actor=actor,
        now=now,
        dry_run=dry_run,
        request_id=request_id,
    )


def load_records(
    raw_records: Sequence[tuple[SourceKind, object]],
    *,
    store: SourceRecordStore,
    files: DocumentStore,
    settings: LoadSettings,
    actor: str,
    now: datetime,
    dry_run: bool = False,
    request_id: str | None = None,
    channel: str = "integration",
) -> BatchResult:
    """Records of any kinds in one request (what names another comes first: customers, accounts, then bills)."""
    if len(raw_records) > MAX_RECORDS:
        raise TooManyRecordsError(
            f"at most {MAX_RECORDS} records a request ({len(raw_records)} sent): split it, or use a bulk import",
            details={"records": len(raw_records), "limit": MAX_RECORDS},
        )
    results: dict[int, RecordResult] = {}
    valid = _validated(raw_records, results)
    context = Context(currency=settings.currency, actor=actor, now=now, lowered=settings.lowered, channel=channel)
    reads = _read(store, valid.values())
    pending = _decided(valid, reads, context, results)
    if not dry_run:
        _write(pending, store=store, files=files, context=context, results=results, request_id=request_id)
    for item in pending.values():
        results.setdefault(item.index, _result(item))
    return BatchResult([results[i] for i in sorted(results)], dry_run)


# --- 1. validate ------------------------------------------------------------------------------------------------


def _validated(raw_records: Sequence[tuple[SourceKind, object]], results: dict[int, RecordResult]) -> dict[int, Any]:
    valid: dict[int, SourceRecord] = {}
    first: dict[tuple[SourceKind, str], int] = {}
    for index, (kind, raw) in enumerate(raw_records):
        parsed = parse_record(kind, raw)
        source_id = _id_as_sent(kind, raw)
        if isinstance(parsed, list):
            results[index] = RecordResult(index, kind, Outcome.REJECTED, source_id, errors=tuple(parsed))
            continue
        problems = _content_type_errors(parsed)
        if problems:
            results[index] = RecordResult(index, kind, Outcome.REJECTED, parsed.source_id, errors=problems)
            continue
        key = (kind, parsed.source_id)
        if key in first:
            error = RecordError(
                "duplicate_in_batch",
                f"record {first[key]} of this request has the same {_ID_FIELDS[kind]}; the first one counts",
                _ID_FIELDS[kind],
                {"first_index": first[key]},
            )
            results[index] = RecordResult(index, kind, Outcome.REJECTED, parsed.source_id, errors=(error,))
            continue
        first[key] = index
        valid[index] = parsed
    return valid


def _id_as_sent(kind: SourceKind, raw: object) -> str | None:
    value = raw.get(_ID_FIELDS[kind]) if isinstance(raw, dict) else None
    return value if isinstance(value, str) and len(value) <= 128 else None


def _content_type_errors(record: SourceRecord) -> tuple[RecordError, ...]:
    if isinstance(record, SourceDocument) and record.content_type not in CONTENT_TYPES:
        accepted = ", ".join(sorted(CONTENT_TYPES))
        return (RecordError("unsupported_content_type", f"one of {accepted}", "content_type"),)
    return ()


# --- 2. read ----------------------------------------------------------------------------------------------------


def _target(record: SourceRecord) -> SourceTarget:
    return SourceTarget(record.record_kind, record.source_id, record.customer_ref, entity_id_for(record))


def _read(store: SourceRecordStore, records: Iterable[SourceRecord]) -> SourceReads:
    """Each record's state, entity and audit head, and the customers and accounts the records name."""
    targets: list[SourceTarget] = []
    customers: set[str] = set()
    accounts: set[tuple[str, str]] = set()
    for record in records:
        targets.append(_target(record))
        if record.record_kind in {SourceKind.ACCOUNT, SourceKind.DOCUMENT}:
            customers.add(record.customer_ref)
        account = getattr(record, "account_number", None)
        if account is not None and record.record_kind is not SourceKind.ACCOUNT:
            accounts.add((record.customer_ref, account))
    return store.read(targets, customers=customers, accounts=accounts)


# --- 3. decide --------------------------------------------------------------------------------------------------


def _decided(
    valid: dict[int, SourceRecord], reads: SourceReads, context: Context, results: dict[int, RecordResult]
) -> dict[int, _Pending]:
    batch = _Batch()
    pending: dict[int, _Pending] = {}
    for index in sorted(valid):
        item = _decide_one(index, valid[index], reads, context, batch)
        if isinstance(item.decision, Rejected):
            results[index] = _result(item)
            continue
        pending[index] = item
        _remember(item, batch)
    return pending


def _decide_one(index: int, record: SourceRecord, reads: SourceReads, context: Context, batch: _Batch) -> _Pending:
    depends: list[int] = []
    customer_known = record.customer_ref in reads.customers
    if not customer_known and record.customer_ref in batch.customers:
        customer_known = True
        depends.append(batch.customers[record.customer_ref])
    account = None
    number = getattr(record, "account_number", None)
    if number is not None and record.record_kind is not SourceKind.ACCOUNT:
        account = reads.accounts.get((record.customer_ref, number))
        if account is None and (record.customer_ref, number) in batch.accounts:
            at, account = batch.accounts[(record.customer_ref, number)]
            depends.append(at)
    target = _target(record)
    decision = decide(
        record,
        stored=reads.states.get(target.key),
        existing=reads.entities.get(target.key),
        references=References(customer_known=customer_known, account=account),
        context=context,
        storage_key=_document_key(record, target.entity_id),
    )
    return _Pending(index, record, decision, tuple(depends), reads.heads.get(target.key))


def _remember(item: _Pending, batch: _Batch) -> None:
    decision = item.decision
    if item.record.record_kind is SourceKind.CUSTOMER:
        batch.customers.setdefault(item.record.source_id, item.index)
    elif isinstance(decision, Upsert) and isinstance(decision.after, Account):
        batch.accounts[(item.record.customer_ref, item.record.source_id)] = (item.index, decision.after)


def _document_key(record: SourceRecord, document_id: str) -> str | None:
    if not isinstance(record, SourceDocument):
        return None
    extension = CONTENT_TYPES[record.content_type]
    name = f"{document_id}.{record.content_sha256[:16]}"  # the bytes' digest: another content, another object
    return storage_key(record.customer_id, DocumentKind(record.kind), name, extension)


# --- 4. write ---------------------------------------------------------------------------------------------------


def _write(
    pending: dict[int, _Pending],
    *,
    store: SourceRecordStore,
    files: DocumentStore,
    context: Context,
    results: dict[int, RecordResult],
    request_id: str | None,
) -> None:
    writing = [item for item in pending.values() if isinstance(item.decision, Upsert | VersionBump)]
    for chunk in _chunks(writing, store, context):
        chunk = [item for item in chunk if item.index not in results]  # noqa: PLW2901 - given up with what it needs
        _put_files(chunk, files)
        _commit(chunk, pending, store=store, context=context, results=results, request_id=request_id)


def _chunks(items: list[_Pending], store: SourceRecordStore, context: Context) -> Iterable[list[_Pending]]:
    chunk: list[_Pending] = []
    used = 0
    for item in items:
        if not isinstance(item.decision, Upsert | VersionBump):
            continue
        size = store.actions(SourceWrite(item.decision, context.actor, context.now))  # sized by what it writes
        if chunk and (len(chunk) == CHUNK_RECORDS or used + size > store.capacity()):
            yield chunk
            chunk, used = [], 0
        chunk.append(item)
        used += size
    if chunk:
        yield chunk


def _put_files(chunk: list[_Pending], files: DocumentStore) -> None:
    """The chunk's documents' bytes, a few at a time: a request of small documents is hundreds of objects, and
    one after the other they would take longer than the request may."""
    puts = []
    for item in chunk:
        decision, record = item.decision, item.record
        if isinstance(decision, Upsert) and isinstance(record, SourceDocument) and isinstance(decision.after, Document):
            metadata = {"customer-id": record.customer_id, "document-id": decision.state.entity_id}
            puts.append((decision.after.storage_key, record.content, record.content_type, metadata))
    if not puts:
        return
    with ThreadPoolExecutor(max_workers=min(FILE_WORKERS, len(puts))) as pool:
        done = [pool.submit(files.put, key, body, content_type=kind, metadata=meta) for key, body, kind, meta in puts]
        for future in done:
            future.result()  # the first failure is the request's: no record is written for bytes not stored


def _commit(
    chunk: list[_Pending],
    pending: dict[int, _Pending],
    *,
    store: SourceRecordStore,
    context: Context,
    results: dict[int, RecordResult],
    request_id: str | None,
) -> None:
    """Write ``chunk`` in one transaction; on a lost race, decide the losers again and write what is left again.
    A re-decided document keeps its storage key (the same bytes, the same id), so its file is already stored."""
    while chunk:
        lost = store.write([_write_of(item, context, request_id) for item in chunk])
        if not lost:
            return
        losers = [chunk[position] for position in lost]
        for item in losers:
            item.losses += 1
        _give_up([item for item in losers if item.losses >= LOSSES_BEFORE_CONFLICT], pending, results)
        again = [item for item in losers if item.index not in results]
        if again:
            reads = _read(store, (item.record for item in again))
            for item in again:
                _decide_again(item, reads, context, pending)
                if not isinstance(item.decision, Upsert | VersionBump):
                    results[item.index] = _result(item)
        chunk = [item for item in chunk if item.index not in results]


def _give_up(losers: list[_Pending], pending: dict[int, _Pending], results: dict[int, RecordResult]) -> None:
    """Answer ``conflict`` for records that lost twice, and for every record of the request that needs them."""
    failed = {item.index for item in losers}
    for item in losers:
        results[item.index] = _conflict(item, "another writer changed this record at the same time: send it again")
    for index in sorted(pending):
        item = pending[index]
        if index in results or not failed.intersection(item.depends_on):
            continue
        failed.add(index)
        needed = sorted(failed.intersection(item.depends_on))
        results[index] = _conflict(item, f"record {needed[0]} of this request, which this one needs, was not written")


def _conflict(item: _Pending, message: str) -> RecordResult:
    return RecordResult(
        item.index,
        item.record.record_kind,
        Outcome.REJECTED,
        item.record.source_id,
        errors=(RecordError("conflict", message),),
        source_version=item.record.version,
        retryable=True,
    )


def _decide_again(item: _Pending, reads: SourceReads, context: Context, pending: dict[int, _Pending]) -> None:
    """Decide a record that lost a race again from fresh reads; what it needs from earlier in the request is
    still there (written in an earlier chunk, or about to be in this one)."""
    batch = _Batch()
    for index in item.depends_on:
        if index in pending:
            _remember(pending[index], batch)
    redecided = _decide_one(item.index, item.record, reads, context, batch)
    item.decision, item.head = redecided.decision, redecided.head


# --- 5. answer --------------------------------------------------------------------------------------------------


def _write_of(item: _Pending, context: Context, request_id: str | None) -> SourceWrite:
    decision = item.decision
    if isinstance(decision, VersionBump):
        return SourceWrite(decision, context.actor, context.now)
    if not isinstance(decision, Upsert):
        raise TypeError("only upserts and version bumps are written")
    kind, state = item.record.record_kind, decision.state
    audit = AuditEvent(
        event_id=new_id("aud", now_ms=int(context.now.timestamp() * 1000)),
        entity_type=kind.value,
        entity_id=state.entity_id,
        action=f"{kind.value}.{decision.outcome.value}",
        actor=context.actor,
        at=context.now,
        before=decision.before.model_dump(mode="json") if decision.before is not None else None,
        after=decision.after.model_dump(mode="json"),
        reason=f"loaded {_THROUGH.get(context.channel, _THROUGH_API)} (source version {state.version})",
        request_id=request_id,
    )
    return SourceWrite(
        decision, context.actor, context.now, item.head, audit, (f"{kind.value}.loaded", _detail(item, context))
    )


_THROUGH_API = "through the integration API"
_THROUGH = {"staff": "from an import started in the staff console"}


def _detail(item: _Pending, context: Context) -> dict[str, Any]:
    decision = item.decision
    assert isinstance(decision, Upsert)
    detail: dict[str, Any] = {
        "kind": item.record.record_kind.value,
        "source_id": item.record.source_id,
        "entity_id": decision.state.entity_id,
        "customer_id": decision.state.customer_id,
        "outcome": decision.outcome.value,
        "source_version": decision.state.version,
        "channel": context.channel,
        "actor": context.actor,
    }
    after = decision.after
    if isinstance(after, Invoice):
        detail |= {
            "invoice_number": after.invoice_number,
            "account_number": after.account_number,
            "currency": after.currency,
            "amount": after.amount,
            "balance": after.balance,
            "due_date": after.due_date.isoformat(),
            "voided": after.voided,
        }
    if decision.credit is not None:
        detail["credit_note_id"] = decision.credit.credit_note_id
        detail["credit_amount"] = decision.credit.amount
    return detail


def _result(item: _Pending) -> RecordResult:
    decision, record = item.decision, item.record
    base = RecordResult(item.index, record.record_kind, decision.outcome, record.source_id)
    base = replace(base, source_version=record.version, entity_id=entity_id_for(record))
    match decision:
        case Upsert():
            return replace(base, entity_id=decision.state.entity_id)
        case VersionBump():
            return replace(base, reason=decision.reason, stored_version=decision.before_state.version)
        case Unchanged():
            return replace(base, reason=decision.reason, stored_version=decision.stored_version)
        case Rejected():
            return replace(base, errors=decision.errors, entity_id=None)
    raise TypeError(f"no answer for {type(decision).__name__}")
