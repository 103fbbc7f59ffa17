"""Batch upserts for random histories (``domain/upserts.py`` through ``services/source_loads.py``, in memory):

- an older version never overwrites a newer one, whatever the order the versions arrive in;
- a batch sent twice changes nothing the second time (each record unchanged, or rejected again for the same
  reason), and writes nothing;
- whatever the source says an invoice now costs, the platform's money stays: ``paid`` and ``credited`` are kept,
  ``balance = amount - paid - credited >= 0``, and a lowered amount is refused or turned into exactly the credit
  that was paid over.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from arportal.domain.models import Account, Customer, Invoice, InvoiceLine, LineKind
from arportal.domain.source_records import SourceInvoice, SourceKind, parse_record
from arportal.domain.status import invoice_status_for
from arportal.domain.upserts import (
    Context,
    LoweredAmount,
    References,
    Rejected,
    Upsert,
    VersionBump,
    decide,
    state_of,
)
from arportal.services.source_loads import LoadSettings, load_batch
from tests import source_records_support as s
from tests.clock import SESSION_NOW
from tests.source_load_fakes import InMemorySourceRecords, NoFiles

CID, ACCT = "CUS-PROP0001", "UT-200001"
ACCOUNT = Account(
    account_number=ACCT, customer_id=CID, department="utilities", description="Water", opened_on=date(2020, 1, 1)
)


def _store() -> InMemorySourceRecords:
    store = InMemorySourceRecords()
    store.add(Customer(customer_id=CID, name="Ada", created_at=SESSION_NOW))
    store.add(ACCOUNT)
    return store


def _load(store: InMemorySourceRecords, records: list[Any]) -> list[str]:
    batch = load_batch(
        SourceKind.INVOICE,
        records,
        store=store,
        files=NoFiles(),
        settings=LoadSettings("USD"),
        actor="system:prop",
        now=SESSION_NOW,
    )
    return [r.outcome.value for r in batch.results]


def _invoices(store: InMemorySourceRecords) -> list[Invoice]:
    return [e for e in store.entities.values() if isinstance(e, Invoice)]


@settings(max_examples=60, deadline=None)
@given(
    versions=st.lists(st.integers(0, 50), min_size=1, max_size=8, unique=True),
    amounts=st.lists(st.sampled_from([1_000, 2_000, 3_000]), min_size=8, max_size=8),
    data=st.data(),
)
def test_an_older_version_never_overwrites_a_newer_one(versions: list[int], amounts: list[int], data: Any) -> None:
    store = _store()
    sent = {v: s.invoice(CID, ACCT, "UT-PROP-1", amounts=(amounts[i],), version=v) for i, v in enumerate(versions)}
    arrivals = data.draw(st.lists(st.sampled_from(versions), min_size=len(versions), max_size=3 * len(versions)))
    arrivals += data.draw(st.permutations(versions))  # every version arrives at least once
    for version in arrivals:
        _load(store, [sent[version]])
    newest = max(versions)
    ((invoice,),) = [_invoices(store)]
    assert store.states[(SourceKind.INVOICE, "UT-PROP-1")].version == newest
    assert invoice.amount == sent[newest]["amount"]


@st.composite
def batches(draw: Any) -> list[Any]:
    numbers = draw(st.lists(st.sampled_from(["UT-B-1", "UT-B-2", "UT-B-3", "UT-B-4"]), min_size=1, max_size=6))
    records: list[Any] = []
    for number in numbers:
        raw = s.invoice(CID, ACCT, number, amounts=(draw(st.integers(0, 5_000)),), version=draw(st.integers(0, 3)))
        flaw = draw(st.sampled_from([None, None, "currency", "due", "amount", "customer"]))
        if flaw == "currency":
            raw["currency"] = "EUR"
        elif flaw == "due":
            raw["due_date"] = "2000-01-01"
        elif flaw == "amount":
            raw["amount"] += 1
        elif flaw == "customer":
            raw["customer_id"] = "CUS-NOBODY00"
        records.append(raw)
    return records


@settings(max_examples=60, deadline=None)
@given(first=batches(), batch=batches())
def test_the_same_batch_twice_changes_nothing_the_second_time(first: list[Any], batch: list[Any]) -> None:
    store = _store()
    _load(store, first)  # whatever was there before
    once = _load(store, batch)
    transactions, states = len(store.transactions), dict(store.states)
    twice = _load(store, batch)
    assert all(outcome in {"unchanged", "rejected"} for outcome in twice)
    assert [o == "rejected" for o in twice] == [o == "rejected" for o in once]
    assert len(store.transactions) == transactions and store.states == states


@settings(max_examples=200, deadline=None)
@given(
    original=st.integers(1, 50_000),
    paid_share=st.integers(0, 100),
    credited_share=st.integers(0, 100),
    adjustment=st.integers(0, 2_000),
    new_amounts=st.lists(st.integers(0, 30_000), min_size=1, max_size=3),
    lowered=st.sampled_from(list(LoweredAmount)),
)
def test_the_platforms_money_stays_and_the_balance_adds_up(  # noqa: PLR0917 - hypothesis passes each drawn value
    original: int, paid_share: int, credited_share: int, adjustment: int, new_amounts: list[int], lowered: LoweredAmount
) -> None:
    first = parse_record(SourceKind.INVOICE, s.invoice(CID, ACCT, "UT-PROP-2", amounts=(original,)))
    assert isinstance(first, SourceInvoice)
    context = Context(currency="USD", actor="system:prop", now=SESSION_NOW, lowered=lowered)
    created = decide(first, stored=None, existing=None, references=References(True, ACCOUNT), context=context)
    assert isinstance(created, Upsert) and isinstance(created.after, Invoice)
    total = original + adjustment
    paid = total * paid_share // 100
    credited = (total - paid) * credited_share // 100
    lines = list(created.after.lines)
    if adjustment:
        lines.append(
            InvoiceLine(
                description="Adjustment",
                fee_code="ADJUSTMENT",
                kind=LineKind.ADJUSTMENT,
                unit_amount=adjustment,
                amount=adjustment,
            )
        )
    balance = total - paid - credited
    existing = created.after.model_copy(
        update={
            "lines": lines,
            "amount": total,
            "paid": paid,
            "credited": credited,
            "balance": balance,
            "status": invoice_status_for(total, balance),
            "version": 4,
        }
    )
    update = parse_record(SourceKind.INVOICE, s.invoice(CID, ACCT, "UT-PROP-2", amounts=tuple(new_amounts), version=2))
    assert isinstance(update, SourceInvoice)
    decision = decide(
        update, stored=state_of(first), existing=existing, references=References(True, ACCOUNT), context=context
    )
    new_total = sum(new_amounts) + adjustment
    if isinstance(decision, VersionBump):  # the same bill again, under a newer version: nothing to recompute
        assert new_amounts == [original]
        return
    if isinstance(decision, Rejected):
        assert lowered is LoweredAmount.REJECT and new_total < paid + credited
        assert [e.code for e in decision.errors] == ["amount_below_paid"]
        return
    assert isinstance(decision, Upsert)
    after = decision.after
    assert isinstance(after, Invoice)
    assert (after.paid, after.credited) == (paid, credited)
    assert after.balance == after.amount - after.paid - after.credited >= 0
    assert after.amount == sum(line.amount for line in after.lines)
    assert after.version == existing.version + 1
    over = max(0, paid + credited - new_total)
    assert (decision.credit.amount if decision.credit else 0) == over
    assert after.amount == new_total + over
