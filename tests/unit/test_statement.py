"""Statement rules: which records become which lines, the aging buckets, and the services over in-memory ports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from arportal.domain.aging import Receivable, age_receivables, bucket_index
from arportal.domain.errors import BusinessRuleError, NotFoundError
from arportal.domain.models import Account, Customer, Document, DocumentKind, StatusChange
from arportal.domain.statement import (
    EntryKind,
    LedgerEntry,
    Part,
    Statement,
    StatementTooLargeError,
    build_statement,
    credit_entry,
    payment_entries,
    payment_parts,
)
from arportal.domain.status import PaymentStatus as S
from arportal.ports import Page, RenderedFile
from arportal.services import documents, statements
from tests import builders as b

NOW = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
TODAY = NOW.date()


def _payment(status: S, *, amount: int = 10_000, refunded: int = 0, later: S | None = None):
    p = b.payment("CUS-0001", amount=amount, status=status, at=datetime(2026, 3, 1, 12, tzinfo=UTC))
    history = list(p.history)
    if later is not None:
        history.append(StatusChange(status=later, at=datetime(2026, 3, 20, 9, tzinfo=UTC), by="staff"))
    return p.model_copy(update={"status": later or status, "refunded": refunded, "history": history})


class TestWhatAPaymentContributes:
    @pytest.mark.parametrize("status", [S.FAILED, S.VOIDED])
    def test_no_money_moved_no_line(self, status):
        assert payment_entries(_payment(status)) == []

    @pytest.mark.parametrize("status", [S.POSTED, S.SETTLED])
    def test_a_payment_is_one_line_on_its_day(self, status):
        [line] = payment_entries(_payment(status))
        assert (line.kind, line.amount, line.on, line.pending) == (EntryKind.PAYMENT, 10_000, date(2026, 3, 1), False)

    def test_pending_ach_counts_and_says_so(self):
        [line] = payment_entries(_payment(S.PENDING))
        assert line.pending and "pending" in line.description and line.effect == -10_000

    def test_a_refund_is_its_own_line_on_the_refund_day(self):
        pay, refund = payment_entries(_payment(S.POSTED, refunded=4_000, later=S.PARTIALLY_REFUNDED))
        assert (refund.kind, refund.amount, refund.on) == (EntryKind.REFUND, 4_000, date(2026, 3, 20))
        assert pay.effect + refund.effect == -6_000

    def test_each_partial_refund_is_a_line_on_its_own_day(self):
        p = _payment(S.POSTED)
        first = StatusChange(
            status=S.PARTIALLY_REFUNDED, at=datetime(2026, 3, 10, tzinfo=UTC), by="staff", amount=1_500
        )
        second = StatusChange(
            status=S.PARTIALLY_REFUNDED, at=datetime(2026, 3, 25, tzinfo=UTC), by="staff", amount=2_500
        )
        p = p.model_copy(
            update={"status": S.PARTIALLY_REFUNDED, "refunded": 4_000, "history": [*p.history, first, second]}
        )
        _, *refunds = payment_entries(p)
        assert [(r.on, r.amount) for r in refunds] == [(date(2026, 3, 10), 1_500), (date(2026, 3, 25), 2_500)]
        assert len({r.source_id for r in refunds}) == 2
        # An account sees each refund as far as it took back the account's stretch of the payment (the stretch
        # [3,000, 8,000) here: the first refund took [0, 1,500), the second [1,500, 4,000)), and what the history
        # does not itemise is kept on the latest refund's day
        _, *shared = payment_entries(p, within=[Part(3_000, 8_000, "inv_b", "UT-2")])
        assert [(r.on, r.amount) for r in shared] == [(date(2026, 3, 25), 1_000)]
        unrecorded = p.model_copy(update={"refunded": 4_600})
        _, *refunds = payment_entries(unrecorded)
        assert [(r.on, r.amount) for r in refunds] == [
            (date(2026, 3, 10), 1_500),
            (date(2026, 3, 25), 2_500),
            (date(2026, 3, 25), 600),
        ]

    def test_a_reversal_undoes_the_payment(self):
        pay, reversal = payment_entries(_payment(S.POSTED, later=S.REVERSED))
        assert reversal.kind is EntryKind.REVERSAL and pay.effect + reversal.effect == 0

    def test_a_refund_before_a_reversal_keeps_its_own_line_and_the_reversal_takes_the_rest(self):
        p = _payment(S.POSTED)
        refund = StatusChange(status=S.PARTIALLY_REFUNDED, at=datetime(2026, 3, 10, tzinfo=UTC), by="s", amount=3_000)
        reversal = StatusChange(status=S.REVERSED, at=datetime(2026, 3, 25, tzinfo=UTC), by="s")
        p = p.model_copy(update={"status": S.REVERSED, "refunded": 3_000, "history": [*p.history, refund, reversal]})
        lines = [(e.kind, e.on, e.amount) for e in payment_entries(p)]
        assert lines == [
            (EntryKind.PAYMENT, date(2026, 3, 1), 10_000),
            (EntryKind.REFUND, date(2026, 3, 10), 3_000),
            (EntryKind.REVERSAL, date(2026, 3, 25), 7_000),
        ]

    def test_an_account_sees_the_stretch_it_was_paid_and_what_came_back_from_it(self):
        # 10,000: 1,000 held as credit, then inv_b 6,000 and inv_a 3,000 (money back takes the last invoice id first)
        p = _payment(S.POSTED, refunded=2_500, later=S.PARTIALLY_REFUNDED).model_copy(update={"unapplied": 1_000})
        parts = payment_parts(p, [("inv_a", "UT-1", 3_000), ("inv_b", "UT-2", 6_000)])
        assert parts == [
            Part(0, 1_000, None),
            Part(1_000, 7_000, "inv_b", "UT-2"),
            Part(7_000, 10_000, "inv_a", "UT-1"),
        ]
        pay, refund = payment_entries(p, within=[parts[1]])
        assert (pay.amount, refund.amount) == (6_000, 1_500)  # the refund took the credit, then 1,500 of inv_b
        assert payment_entries(p, within=[parts[2]])[1:] == []  # nothing came back from inv_a


def test_an_overpayment_hold_is_not_a_second_credit():
    note = b.credit_note("CUS-0001", "UT-200001", amount=900)
    hold = note.model_copy(update={"reason": "Overpayment held as credit from payment pay_01ABC"})
    assert credit_entry(note).effect == -900
    assert credit_entry(hold) is None
    assert credit_entry(hold, include_overpayment_holds=True).amount == 900


@pytest.mark.parametrize(("late", "bucket"), [(-5, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3)])
def test_aging_bucket_edges(late, bucket):
    assert bucket_index(TODAY - timedelta(days=late), TODAY) == bucket


def test_aging_sums_and_keeps_credit_apart():
    aging = age_receivables(
        [Receivable(100, TODAY), Receivable(200, TODAY - timedelta(days=91)), Receivable(-50)], as_of=TODAY
    )
    assert (aging.current, aging.days_over_90, aging.total_due, aging.credit, aging.net) == (100, 200, 300, 50, 250)


def test_entries_must_carry_magnitudes():
    with pytest.raises(ValueError, match="magnitude"):
        LedgerEntry(TODAY, EntryKind.PAYMENT, -1, "r", "d", "s")
    with pytest.raises(TypeError):
        LedgerEntry(TODAY, EntryKind.INVOICE, 1.5, "r", "d", "s")  # type: ignore[arg-type]
    assert LedgerEntry(TODAY, EntryKind.ADJUSTMENT, -300, "r", "d", "s").effect == -300


def test_a_statement_refuses_too_many_lines_and_backwards_ranges():
    many = [LedgerEntry(TODAY, EntryKind.INVOICE, 1, "r", "d", str(i)) for i in range(11)]
    with pytest.raises(StatementTooLargeError):
        build_statement(many, customer_id="C", currency="USD", start=TODAY, end=TODAY, max_lines=10)
    with pytest.raises(ValueError, match="starts after"):
        build_statement([], customer_id="C", currency="USD", start=TODAY, end=TODAY - timedelta(days=1))


def test_same_day_lines_read_charges_first():
    day = TODAY
    entries = [
        LedgerEntry(day, EntryKind.PAYMENT, 5, "R-1", "p", "p1"),
        LedgerEntry(day, EntryKind.INVOICE, 5, "I-1", "i", "i1"),
        LedgerEntry(day, EntryKind.REFUND, 5, "R-1", "r", "p1#refund"),
    ]
    kinds = [e.kind for e in build_statement(entries, customer_id="C", currency="USD", start=day, end=day).entries]
    assert kinds == [EntryKind.INVOICE, EntryKind.PAYMENT, EntryKind.REFUND]


# --- the services, over in-memory ports ---------------------------------------------------------------------


class FakeHistory:
    def __init__(self, records, accounts=()):
        self.records, self.accounts, self.asked = records, {a.account_number: a for a in accounts}, []

    def history(self, customer_id, *, until, account_number=None, today) -> Iterator:
        self.asked.append((customer_id, until, account_number))
        yield from self.records

    def since_checkpoint(self, customer_id, *, start, until, currency, today):
        return None  # no checkpoints: the whole history is read

    def account(self, customer_id, account_number) -> Account | None:
        found = self.accounts.get(account_number)
        return found if found and found.customer_id == customer_id else None


class FakeCustomers:
    def __init__(self, *customers: Customer):
        self.by_id = {c.customer_id: c for c in customers}

    def get(self, customer_id):
        return self.by_id.get(customer_id)

    def snapshot(self, customer_id, *, recent_payments=5):
        raise AssertionError("not used")


class FakeStore:
    def __init__(self):
        self.objects: dict[str, tuple[bytes, str]] = {}

    def put(self, key, body, *, content_type, metadata=None):
        self.objects[key] = (body, content_type)

    def url(self, key, *, filename, expires_in=300):
        return f"https://s3.example/{key}?name={filename}&ttl={expires_in}"


class FakeDocuments:
    def __init__(self):
        self.docs: dict[tuple[str, str], Document] = {}

    def add(self, document):
        self.docs[(document.customer_id, document.document_id)] = document

    def get(self, customer_id, document_id):
        return self.docs.get((customer_id, document_id))

    def list(self, customer_id, *, kind, limit, start):
        mine = [d for (c, _), d in sorted(self.docs.items(), reverse=True) if c == customer_id]
        return Page([d for d in mine if kind is None or d.kind is kind][:limit], None)

    def mark_read(self, customer_id, document_id, at):
        document = self.docs.get((customer_id, document_id))
        if document is None or document.read_at is not None:
            return False
        self.docs[(customer_id, document_id)] = document.model_copy(update={"read_at": at})
        return True


class FakeRenderer:
    def render(self, statement: Statement, customer: Customer, fmt: str) -> RenderedFile:
        return RenderedFile(f"{fmt}:{customer.name}:{statement.closing}".encode(), "text/csv; charset=utf-8", fmt)


CUSTOMER = b.customer("CUS-0001", name="Ana Lima")
INVOICE = LedgerEntry(date(2026, 3, 2), EntryKind.INVOICE, 12_000, "UT-1", "Water", "inv_1", "UT-200001")


def _query(**changes):
    base = {"customer_id": "CUS-0001", "start": date(2026, 3, 1), "end": TODAY, "account_number": None}
    return statements.StatementQuery(**(base | changes))


def test_the_statement_service_reads_once_and_builds():
    history = FakeHistory([INVOICE, Receivable(12_000, date(2026, 4, 1))])
    built = statements.statement(
        _query(end=TODAY + timedelta(days=30)),
        history=history,
        customers=FakeCustomers(CUSTOMER),
        currency="USD",
        today=TODAY,
    )
    assert built.closing == 12_000 and built.aging.current == 12_000
    assert built.end == TODAY and history.asked == [("CUS-0001", TODAY, None)]  # a future end is today


def test_the_statement_service_refuses_what_is_not_yours_or_not_sensible():
    history = FakeHistory([], accounts=[b.account("CUS-0002", number="UT-999999")])
    kw = {"history": history, "customers": FakeCustomers(CUSTOMER), "currency": "USD", "today": TODAY}
    with pytest.raises(NotFoundError):
        statements.statement(_query(customer_id="CUS-0009"), **kw)
    with pytest.raises(NotFoundError, match="not one of yours"):
        statements.statement(_query(account_number="UT-999999"), **kw)
    with pytest.raises(BusinessRuleError) as refused:
        statements.statement(_query(start=TODAY, end=TODAY - timedelta(days=1)), **kw)
    assert refused.value.details == [{"field": "from", "reason": "must be on or before 'to'"}]


def test_a_statement_too_long_to_answer_inline_points_to_the_files(monkeypatch):
    monkeypatch.setattr(statements, "MAX_INLINE_LINES", 1)
    history = FakeHistory([INVOICE, INVOICE])
    with pytest.raises(BusinessRuleError, match="format=csv or pdf"):
        statements.statement(_query(), history=history, customers=FakeCustomers(CUSTOMER), currency="USD", today=TODAY)


def test_a_statement_file_becomes_the_customers_document():
    store, docs = FakeStore(), FakeDocuments()
    link = statements.statement_file(
        _query(),
        "csv",
        history=FakeHistory([INVOICE]),
        customers=FakeCustomers(CUSTOMER),
        renderer=FakeRenderer(),
        store=store,
        documents=docs,
        currency="USD",
        now=NOW,
    )
    doc = link.document
    assert doc.kind is DocumentKind.STATEMENT and doc.content_type == "text/csv"
    assert doc.storage_key == f"customers/CUS-0001/statements/{doc.document_id}.csv"
    assert store.objects[doc.storage_key][0] == b"csv:Ana Lima:12000"
    assert doc.filename == "statement-2026-03-01-2026-03-31.csv" and doc.period_end == TODAY
    assert link.expires_at == NOW + timedelta(seconds=300) and doc.storage_key in link.url


class TestDocuments:
    def attach(self, docs, store, **changes):
        args = {
            "store": store,
            "documents": docs,
            "customers": FakeCustomers(CUSTOMER),
            "customer_id": "CUS-0001",
            "kind": DocumentKind.TAX_FORM,
            "title": "2025 property tax summary",
            "filename": "tax-2025.pdf",
            "content_type": "application/pdf",
            "body": b"%PDF-1.4 ...",
            "created_by": "integration:tax",
            "now": NOW,
        }
        return documents.attach_document(**(args | changes))

    def test_attach_stores_under_the_customer_and_records(self):
        docs, store = FakeDocuments(), FakeStore()
        doc = self.attach(docs, store)
        assert doc.storage_key.startswith("customers/CUS-0001/tax-forms/doc_") and doc.size == 12
        assert docs.get("CUS-0001", doc.document_id) == doc and doc.storage_key in store.objects

    @pytest.mark.parametrize(
        ("changes", "error"),
        [
            ({"content_type": "text/html"}, BusinessRuleError),
            ({"body": b""}, BusinessRuleError),
            ({"customer_id": "CUS-0404"}, NotFoundError),
        ],
    )
    def test_attach_refuses(self, changes, error):
        docs, store = FakeDocuments(), FakeStore()
        with pytest.raises(error):
            self.attach(docs, store, **changes)
        assert not store.objects and not docs.docs

    def test_a_link_only_for_the_owner(self):
        docs, store = FakeDocuments(), FakeStore()
        doc = self.attach(docs, store)
        link = documents.download_link(docs, store, "CUS-0001", doc.document_id, now=NOW, expires_in=60)
        assert link.expires_at == NOW + timedelta(seconds=60) and "tax-2025.pdf" in link.url
        with pytest.raises(NotFoundError):
            documents.download_link(docs, store, "CUS-0002", doc.document_id, now=NOW)

    def test_issuing_a_notices_link_marks_it_read_once(self):
        # Given an unread notice and a tax form
        docs, store = FakeDocuments(), FakeStore()
        notice = self.attach(docs, store, kind=DocumentKind.NOTICE, account_number="UT-200001")
        form = self.attach(docs, store, document_id="doc_01J00000000000000000000000")
        assert notice.unread_notice and notice.account_number == "UT-200001"

        # When the customer asks for its link twice, the second time a minute later
        first = documents.download_link(docs, store, "CUS-0001", notice.document_id, now=NOW)
        later = NOW + timedelta(minutes=1)
        second = documents.download_link(docs, store, "CUS-0001", notice.document_id, now=later)

        # Then it is read from the first time on, and only notices carry a reading
        assert first.document.read_at == NOW and second.document.read_at == NOW
        assert docs.get("CUS-0001", notice.document_id).read_at == NOW
        documents.download_link(docs, store, "CUS-0001", form.document_id, now=NOW)
        assert docs.get("CUS-0001", form.document_id).read_at is None
