"""Batch upserts as a use case: validated one by one, decided in order, written in chunks of one transaction, a
lost race decided again from fresh reads, ``conflict`` for a record that loses twice and for what needs it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from arportal.domain.models import Account, Customer, Invoice
from arportal.domain.source_records import MAX_RECORDS, SourceKind, TooManyRecordsError
from arportal.domain.upserts import Outcome
from arportal.ports import SourceWrite
from arportal.services.source_loads import CHUNK_RECORDS, BatchResult, LoadSettings, load_batch, load_records
from tests import source_records_support as s
from tests.clock import SESSION_NOW
from tests.source_load_fakes import InMemorySourceRecords, NoFiles

SETTINGS = LoadSettings(currency="USD")


def load(
    store: InMemorySourceRecords,
    kind: SourceKind,
    records: Sequence[object],
    *,
    dry_run: bool = False,
    files: NoFiles | None = None,
) -> BatchResult:
    return load_batch(
        kind,
        records,
        store=store,
        files=files or NoFiles(),
        settings=SETTINGS,
        actor="system:billing",
        now=SESSION_NOW,
        dry_run=dry_run,
    )


def outcomes(batch: BatchResult) -> list[str]:
    return [r.outcome.value for r in batch.results]


def codes(batch: BatchResult) -> list[list[str]]:
    return [[e.code for e in r.errors] for r in batch.results]


def world(store: InMemorySourceRecords) -> tuple[str, str]:
    cid, acct = s.customer_id(), s.account_number()
    store.add(Customer(customer_id=cid, name="Ada", created_at=SESSION_NOW))
    store.add(
        Account(
            account_number=acct,
            customer_id=cid,
            department="utilities",
            description="Water",
            opened_on=date(2020, 1, 1),
        )
    )
    return cid, acct


def test_a_bad_record_never_blocks_the_good_ones() -> None:
    store = InMemorySourceRecords()
    cid, acct = world(store)
    good = s.invoice(cid, acct)
    batch = load(
        store,
        SourceKind.INVOICE,
        [good, s.invoice(cid, acct, amounts=(-1,)), {**good}, "x", s.invoice(cid, acct, currency="CAD")],
    )
    assert outcomes(batch) == ["created", "rejected", "rejected", "rejected", "rejected"]
    assert codes(batch)[2] == ["duplicate_in_batch"] and codes(batch)[4] == ["wrong_currency"]
    assert batch.results[2].errors[0].details == {"first_index": 0}
    assert batch.summary == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 4}
    assert len(store.states) == 1 and len(store.events) == 1  # a rejected record leaves nothing behind


def test_the_same_batch_twice_changes_nothing() -> None:
    store = InMemorySourceRecords()
    cid, acct = world(store)
    records = [s.invoice(cid, acct) for _ in range(30)]
    assert set(outcomes(load(store, SourceKind.INVOICE, records))) == {"created"}
    transactions = len(store.transactions)
    again = load(store, SourceKind.INVOICE, records)
    assert set(outcomes(again)) == {"unchanged"} and {r.reason for r in again.results} == {"same_version"}
    assert len(store.transactions) == transactions


def test_what_a_record_names_may_come_earlier_in_the_request() -> None:
    store = InMemorySourceRecords()
    cid, acct = s.customer_id(), s.account_number()
    records = [
        (SourceKind.ACCOUNT, s.account(cid)),  # before its customer: unknown
        (SourceKind.CUSTOMER, s.customer(cid)),
        (SourceKind.ACCOUNT, s.account(cid, acct)),
        (SourceKind.INVOICE, s.invoice(cid, acct)),
        (SourceKind.INVOICE, s.invoice(cid, s.account_number())),
    ]
    batch = load_records(records, store=store, files=NoFiles(), settings=SETTINGS, actor="system:b", now=SESSION_NOW)
    assert outcomes(batch) == ["rejected", "created", "created", "created", "rejected"]
    assert codes(batch)[0] == ["unknown_customer"] and codes(batch)[4] == ["unknown_account"]


def test_dry_run_answers_the_same_and_writes_nothing() -> None:
    store = InMemorySourceRecords()
    cid, acct = world(store)
    records = [s.invoice(cid, acct), s.invoice(cid, acct, due_date="2000-01-01")]
    dry = load(store, SourceKind.INVOICE, records, dry_run=True)
    assert dry.dry_run and outcomes(dry) == ["created", "rejected"]
    assert store.transactions == [] and store.states == {}
    assert outcomes(load(store, SourceKind.INVOICE, records)) == outcomes(dry)


def test_chunks_hold_at_most_25_records_and_one_transactions_actions() -> None:
    store = InMemorySourceRecords()
    cid, acct = world(store)
    load(store, SourceKind.INVOICE, [s.invoice(cid, acct) for _ in range(60)])
    assert [len(t) for t in store.transactions] == [20, 20, 20]  # 5 actions each: 100 a transaction
    small = InMemorySourceRecords(transaction_actions=1_000)
    cid, acct = world(small)
    load(small, SourceKind.INVOICE, [s.invoice(cid, acct) for _ in range(60)])
    assert [len(t) for t in small.transactions] == [CHUNK_RECORDS, CHUNK_RECORDS, 10]


def test_too_many_records() -> None:
    with pytest.raises(TooManyRecordsError) as refused:
        load(InMemorySourceRecords(), SourceKind.CUSTOMER, [s.customer()] * (MAX_RECORDS + 1))
    assert refused.value.code == "too_many_records"


def _pay_first_invoice(store: InMemorySourceRecords, writes: Sequence[SourceWrite]) -> None:
    """Another writer (a payment) moves the first invoice of the write on, once."""
    store.interfere = None
    decision = writes[0].decision
    key = (decision.state.kind, decision.state.customer_id, decision.state.entity_id)
    invoice = store.entities[key]
    assert isinstance(invoice, Invoice)
    store.entities[key] = invoice.model_copy(
        update={"paid": 1_000, "balance": invoice.balance - 1_000, "version": invoice.version + 1}
    )


def test_a_lost_race_is_decided_again_from_fresh_reads() -> None:
    store = InMemorySourceRecords()
    cid, acct = world(store)
    records = [s.invoice(cid, acct, amounts=(5_000,)) for _ in range(3)]
    load(store, SourceKind.INVOICE, records)
    store.interfere = _pay_first_invoice
    raised = [{**r, "source_version": 2, "amount": 6_000, "lines": s.lines(6_000)} for r in records]
    batch = load(store, SourceKind.INVOICE, raised)
    assert outcomes(batch) == ["updated"] * 3
    invoices = [e for e in store.entities.values() if isinstance(e, Invoice)]
    paid = next(i for i in invoices if i.paid)
    assert (paid.amount, paid.paid, paid.balance) == (6_000, 1_000, 5_000)  # the payment kept, the new amount taken
    assert [len(t) for t in store.transactions[-2:]] == [3, 3]  # the chunk, then the chunk again


def test_a_record_that_loses_twice_is_a_retryable_conflict_and_so_is_what_needs_it() -> None:
    cid, acct = s.customer_id(), s.account_number()
    store = InMemorySourceRecords(always_lose={cid})
    records: list[tuple[SourceKind, Any]] = [
        (SourceKind.CUSTOMER, s.customer(cid)),
        (SourceKind.ACCOUNT, s.account(cid, acct)),
        (SourceKind.CUSTOMER, s.customer()),
    ]
    batch = load_records(records, store=store, files=NoFiles(), settings=SETTINGS, actor="system:b", now=SESSION_NOW)
    assert outcomes(batch) == ["rejected", "rejected", "created"]
    assert codes(batch)[:2] == [["conflict"], ["conflict"]]
    assert all(r.retryable for r in batch.results[:2])
    assert [len(t) for t in store.transactions] == [3, 3, 1]  # lost, lost again: given up with what needs it


def test_documents_bytes_are_stored_under_their_digest_before_the_record() -> None:
    store, files = InMemorySourceRecords(), NoFiles()
    cid, _ = world(store)
    batch = load(store, SourceKind.DOCUMENT, [s.document(cid, "TAX-1")], files=files)
    assert outcomes(batch) == ["created"]
    ((key, body),) = files.objects.items()
    assert key.startswith(f"customers/{cid}/tax-forms/{batch.results[0].entity_id}.") and body == s.PDF
    changed = load(store, SourceKind.DOCUMENT, [s.document(cid, "TAX-1", body=b"%PDF new", version=2)], files=files)
    assert outcomes(changed) == ["updated"] and len(files.objects) == 2  # the old bytes stay until the record moves
    dry = load(store, SourceKind.DOCUMENT, [s.document(cid, "TAX-2")], files=files, dry_run=True)
    assert outcomes(dry) == ["created"] and len(files.objects) == 2


def test_unsupported_content_type() -> None:
    store = InMemorySourceRecords()
    cid, _ = world(store)
    batch = load(store, SourceKind.DOCUMENT, [s.document(cid, content_type="text/html")])
    assert codes(batch) == [["unsupported_content_type"]]


def test_events_and_audit_name_the_system() -> None:
    store = InMemorySourceRecords()
    cid, acct = world(store)
    load(store, SourceKind.INVOICE, [s.invoice(cid, acct)])
    ((write,),) = store.transactions
    assert write.audit is not None and write.audit.actor == "system:billing"
    assert write.audit.action == "invoice.created" and write.audit.entity_type == "invoice"
    assert write.event is not None
    detail_type, detail = write.event
    assert detail_type == "invoice.loaded"
    assert detail["channel"] == "integration" and detail["outcome"] == "created" and detail["amount"] == 5_000


@pytest.mark.parametrize("kind", list(SourceKind))
def test_every_kind_loads_and_answers_unchanged_the_second_time(kind: SourceKind) -> None:
    store = InMemorySourceRecords()
    cid, acct = world(store)
    raw: dict[SourceKind, Any] = {
        SourceKind.CUSTOMER: s.customer(),
        SourceKind.ACCOUNT: s.account(cid),
        SourceKind.INVOICE: s.invoice(cid, acct),
        SourceKind.CREDIT_NOTE: s.credit_note(cid, acct),
        SourceKind.SALES_ORDER: s.sales_order(cid, acct),
        SourceKind.DOCUMENT: s.document(cid),
    }
    assert outcomes(load(store, kind, [raw[kind]])) == [Outcome.CREATED.value]
    assert outcomes(load(store, kind, [raw[kind]])) == [Outcome.UNCHANGED.value]
