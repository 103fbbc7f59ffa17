"""The day's GL journal from the ledger's events and the processor's payouts (``services/journal_day.py``), stored
once, read back byte for byte, marked imported, corrected under maker-checker (``services/journal_batches.py``).
The stores are fakes (``tests/unit/journal_fakes.py``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from arportal.domain.banking_days import add_banking_days
from arportal.domain.chart_of_accounts import UnmappedCodeError
from arportal.domain.errors import BusinessRuleError, ConflictError, DependencyError, NotFoundError
from arportal.domain.journal_files import sha256
from arportal.domain.journals import imbalances
from arportal.domain.models import StatusChange
from arportal.domain.status import PaymentStatus
from arportal.services import journal_batches as jb
from arportal.services.journal_day import covered_days, day_movements
from tests.journal_support import CHART
from tests.unit.journal_fakes import DAY, NOW, Audit, at_hour, day_sources, feed_event, invoice_with, new_books


def test_the_day_s_movements_come_from_its_events_invoices_and_payouts() -> None:
    sources, _ = day_sources()
    kinds = sorted(type(m).__name__ for m in day_movements(sources, DAY))
    assert kinds == [
        "CreditApplied",
        "InvoiceAdjusted",
        "InvoiceAdjusted",
        "PaymentPosted",
        "PaymentReturned",
        "ProcessorFee",
    ]


def test_a_day_builds_a_journal_that_balances_per_fund_with_fee_codes_from_the_invoice_lines() -> None:
    books = new_books()
    sources, _ = day_sources()
    built = jb.build_day(books, sources, CHART, DAY, now=NOW)
    journal = jb.stored_journal(books, built.batch)
    assert built.created and built.batch.batch_id == "GL-springfield-20260310-01"
    assert imbalances(journal.lines) == {}
    credits = {(x.kind, x.account): x.credit for x in journal.lines if x.credit and x.department}
    assert credits[("payment", "4410")] == 2_000 and credits[("payment", "4411")] == 3_000  # water base, usage
    assert credits[("payment", "4510")] == 4_000  # parking citation
    assert credits[("credit_applied", "4411")] == 700  # held credit applied becomes revenue
    fee = [x for x in journal.lines if x.kind == "processor_fee"]
    assert {(x.account, x.debit, x.credit) for x in fee} == {("5310", 300, 0), ("1013", 0, 300)}
    refund = [x for x in journal.lines if x.kind == "refund" and x.debit and x.account == "4910"]
    assert [x.debit for x in refund] == [1_000]
    (record,) = books.audit.events  # type: ignore[attr-defined]
    assert record.entity_type == "journal" and record.entity_id == built.batch.batch_id
    assert record.after and record.after["csv_sha256"] == sha256(jb.batch_file(books, record.entity_id, "csv").data)


def test_building_a_day_again_returns_the_first_batch_and_writes_nothing() -> None:
    books = new_books()
    first = jb.build_day(books, day_sources()[0], CHART, DAY, now=NOW)
    later_sources, _ = day_sources(
        extra_events=[
            feed_event(
                "invoice.adjustment",
                16,
                adjustment_id="adj_9",
                invoice_id="inv_u",
                kind="adjustment",
                amount=-5,
                currency="USD",
            )
        ]
    )
    files_before = dict(books.files.objects)  # type: ignore[attr-defined]
    again = jb.build_day(books, later_sources, CHART, DAY, now=NOW + timedelta(hours=1))
    assert not again.created and again.batch == first.batch
    assert books.files.objects == files_before  # type: ignore[attr-defined]
    assert len(books.audit.events) == 1  # type: ignore[attr-defined]


def test_an_unmapped_fee_code_fails_the_build_and_stores_nothing() -> None:
    books = new_books()
    sources, ledger = day_sources()
    ledger.invoice_list[0] = invoice_with("inv_u", "utilities", [("NOT_MAPPED", 5_000)], covered=5_000)
    with pytest.raises(UnmappedCodeError, match="NOT_MAPPED"):
        jb.build_day(books, sources, CHART, DAY, now=NOW)
    assert books.files.objects == {} and books.store.day("springfield", DAY) == []  # type: ignore[attr-defined]


def test_a_weekend_day_has_no_journal_of_its_own_and_monday_s_takes_it() -> None:
    with pytest.raises(BusinessRuleError):
        covered_days(date(2026, 3, 14))
    assert covered_days(date(2026, 3, 16)) == (date(2026, 3, 14), date(2026, 3, 16))


def test_the_calendar_s_first_banking_day_takes_every_day_before_it() -> None:
    first = add_banking_days(date.min, 1)  # the contract fuzzer's: a previous banking day would be out of range
    assert covered_days(first) == (date.min, first)


def test_a_stored_file_whose_bytes_changed_is_refused() -> None:
    books = new_books()
    batch = jb.build_day(books, day_sources()[0], CHART, DAY, now=NOW).batch
    assert jb.batch_file(books, batch.batch_id, "json").data == books.files.objects[batch.json_key]  # type: ignore[attr-defined]
    books.files.objects[batch.csv_key] += b"D,99\r\n"  # type: ignore[attr-defined]
    with pytest.raises(jb.JournalFileAltered):
        jb.batch_file(books, batch.batch_id, "csv")


def test_marking_imported_is_once_and_answers_the_first_mark_again() -> None:
    books = new_books()
    batch = jb.build_day(books, day_sources()[0], CHART, DAY, now=NOW).batch
    first = jb.mark_imported(books, batch.batch_id, actor="fin_a", now=NOW)
    again = jb.mark_imported(books, batch.batch_id, actor="fin_b", now=NOW + timedelta(hours=1))
    assert (again.imported_by, again.imported_at) == (first.imported_by, first.imported_at) == ("fin_a", NOW)
    assert [e.action for e in books.audit.events] == ["journal.created", "journal.imported"]  # type: ignore[attr-defined]
    with pytest.raises(NotFoundError):
        jb.mark_imported(books, "GL-springfield-20260310-09", actor="fin_a", now=NOW)


def test_a_correction_is_a_reversal_and_a_new_batch_once_another_finance_user_approves() -> None:
    books = new_books()
    sources, _ = day_sources()
    original = jb.build_day(books, sources, CHART, DAY, now=NOW).batch
    filed = jb.request_correction(books, original.batch_id, reason="wrong fund on a line", actor="fin_a", now=NOW)
    with pytest.raises(jb.SelfDecisionError):
        jb.decide_correction(books, sources, CHART, filed.correction_id, approve=True, actor="fin_a", now=NOW)
    assert books.store.day("springfield", DAY) == [original]
    decided = jb.decide_correction(books, sources, CHART, filed.correction_id, approve=True, actor="fin_b", now=NOW)
    assert (decided.status, decided.decided_by) == ("approved", "fin_b")
    batches = books.store.day("springfield", DAY)
    assert [b.batch_id for b in batches] == [f"GL-springfield-20260310-0{n}" for n in (1, 2, 3)]
    reversal, replacement = batches[1], batches[2]
    assert (reversal.reverses, replacement.replaces) == (original.batch_id, original.batch_id)
    assert (decided.reversal_batch_id, decided.new_batch_id) == (reversal.batch_id, replacement.batch_id)
    original_lines = jb.stored_journal(books, original).lines
    mirrored = jb.stored_journal(books, reversal).lines
    assert [(x.debit, x.credit) for x in mirrored] == [(x.credit, x.debit) for x in original_lines]
    assert imbalances(original_lines + mirrored) == {}
    assert [e.entity_id for e in books.audit.events] == [b.batch_id for b in batches]  # type: ignore[attr-defined]
    # decided again: the same answer, nothing more stored; the other way: refused
    again = jb.decide_correction(books, sources, CHART, filed.correction_id, approve=True, actor="fin_b", now=NOW)
    assert again == decided and len(books.store.day("springfield", DAY)) == 3
    with pytest.raises(ConflictError):
        jb.decide_correction(books, sources, CHART, filed.correction_id, approve=False, actor="fin_c", now=NOW)
    with pytest.raises(ConflictError):  # reversed already: correct the batch that replaced it
        jb.request_correction(books, original.batch_id, reason="again", actor="fin_a", now=NOW)
    with pytest.raises(BusinessRuleError):
        jb.request_correction(books, reversal.batch_id, reason="a reversal", actor="fin_a", now=NOW)


def test_a_rejected_correction_stores_nothing() -> None:
    books = new_books()
    sources, _ = day_sources()
    original = jb.build_day(books, sources, CHART, DAY, now=NOW).batch
    filed = jb.request_correction(books, original.batch_id, reason="not needed", actor="fin_a", now=NOW)
    decided = jb.decide_correction(books, sources, CHART, filed.correction_id, approve=False, actor="fin_b", now=NOW)
    assert decided.status == "rejected" and decided.new_batch_id is None
    assert books.store.day("springfield", DAY) == [original]


def test_the_stored_json_reads_back_as_the_journal_it_was_written_from() -> None:
    from arportal.domain.journal_files import journal_json

    books = new_books()
    batch = jb.build_day(books, day_sources()[0], CHART, DAY, now=NOW).batch
    data = books.files.objects[batch.json_key]  # type: ignore[attr-defined]
    assert journal_json(jb.journal_from_json(data)).data == data


def test_a_void_gives_back_the_posting_and_the_fee_its_status_change_recorded() -> None:
    # Given the rest of the card payment voided the same day: 8,000 reopened on its invoices and the 300 fee returned
    voided_at = at_hour(17)
    sources, ledger = day_sources(
        extra_events=[
            feed_event(
                "payment.voided",
                17,
                payment_id="pay_card",
                amount=8_000,
                currency="USD",
                reopened_invoices=[
                    {"invoice_id": "inv_u", "amount": 5_000, "balance": 5_000},
                    {"invoice_id": "inv_p", "amount": 3_000, "balance": 4_000},
                ],
                actor="stf_1",
            )
        ]
    )
    payment = ledger.by_id["pay_card"]
    change = StatusChange(status=PaymentStatus.VOIDED, at=voided_at, by="stf_1", amount=8_300)
    ledger.by_id["pay_card"] = payment.model_copy(update={"history": [*payment.history, change], "fee_amount": 0})
    ledger.invoice_list[0] = ledger.invoice_list[0].model_copy(update={"paid": 0, "balance": 5_000})
    ledger.invoice_list[1] = ledger.invoice_list[1].model_copy(update={"paid": 0, "balance": 4_000})
    books = new_books()

    journal = jb.stored_journal(books, jb.build_day(books, sources, CHART, DAY, now=NOW).batch)

    # Then the void debits the same revenue and fee accounts the payment credited, and credits card clearing
    void = [x for x in journal.lines if x.kind == "void"]
    assert {(x.account, x.debit) for x in void if x.debit and x.department} == {
        ("4410", 2_000),
        ("4411", 3_000),
        ("4510", 3_000),
    }
    assert [x.debit for x in void if x.account == "4810"] == [300]  # the convenience fee returned
    assert sum(x.credit for x in void if x.account == "1013") == 8_000 + 300
    assert imbalances(journal.lines) == {}


def test_a_batch_stored_by_a_run_that_stopped_before_its_audit_record_gets_it_when_built_again() -> None:
    books = new_books()
    audit: Audit = books.audit  # type: ignore[assignment]
    audit.failing = True
    with pytest.raises(DependencyError):
        jb.build_day(books, day_sources()[0], CHART, DAY, now=NOW)
    (stored,) = books.store.day("springfield", DAY)
    assert audit.events == []

    audit.failing = False
    again = jb.build_day(books, day_sources()[0], CHART, DAY, now=NOW + timedelta(hours=1))
    assert again.batch == stored and not again.created
    (record,) = audit.events
    assert (record.entity_id, record.action) == (stored.batch_id, "journal.created")
    assert record.after and record.after["csv_sha256"] == stored.csv_sha256
    jb.build_day(books, day_sources()[0], CHART, DAY, now=NOW + timedelta(hours=2))
    assert len(audit.events) == 1  # chained once
