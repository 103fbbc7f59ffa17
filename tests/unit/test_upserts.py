"""What a loaded record does: versions decide, the platform's money is never the source's, voiding is a state."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from arportal.domain.models import Account, CreditApplication, Customer, Invoice, InvoiceLine, LineKind
from arportal.domain.source_records import SourceKind, SourceRecord, parse_record
from arportal.domain.status import InvoiceStatus
from arportal.domain.upserts import (
    Context,
    Decision,
    LoadedEntity,
    LoweredAmount,
    Outcome,
    References,
    Rejected,
    SourceState,
    Unchanged,
    Upsert,
    VersionBump,
    decide,
    state_of,
)
from tests import source_records_support as s
from tests.clock import SESSION_NOW

CID = "CUS-ABCD1234"
ACCT = "UT-200001"
ACCOUNT = Account(
    account_number=ACCT, customer_id=CID, department="utilities", description="Water", opened_on=date(2020, 1, 1)
)
KNOWN = References(customer_known=True, account=ACCOUNT)
CONTEXT = Context(currency="USD", actor="system:billing", now=SESSION_NOW)
CREDIT = Context(currency="USD", actor="system:billing", now=SESSION_NOW, lowered=LoweredAmount.CREDIT)


def record(kind: SourceKind, raw: dict[str, Any]) -> SourceRecord:
    parsed = parse_record(kind, raw)
    assert isinstance(parsed, SourceRecord), parsed
    return parsed


def run(
    kind: SourceKind,
    raw: dict[str, Any],
    *,
    stored: SourceState | None = None,
    existing: LoadedEntity | None = None,
    references: References = KNOWN,
    context: Context = CONTEXT,
) -> Decision:
    return decide(
        record(kind, raw),
        stored=stored,
        existing=existing,
        references=references,
        context=context,
        storage_key="customers/x/tax-forms/doc.pdf",
    )


def codes(decision: Decision) -> list[str]:
    assert isinstance(decision, Rejected), decision
    return [e.code for e in decision.errors]


def loaded(raw: dict[str, Any], kind: SourceKind = SourceKind.INVOICE) -> tuple[SourceState, Any]:
    """The state and entity of a record as a first load leaves them."""
    decision = run(kind, raw)
    assert isinstance(decision, Upsert) and decision.outcome is Outcome.CREATED
    return decision.state, decision.after


def paid(invoice: Invoice, amount: int, *, credited: int = 0) -> Invoice:
    balance = invoice.amount - amount - credited
    return invoice.model_copy(
        update={
            "paid": amount,
            "credited": credited,
            "balance": balance,
            "status": InvoiceStatus.PAID if balance == 0 else InvoiceStatus.PARTIALLY_PAID,
            "version": invoice.version + 3,
        }
    )


def test_a_new_invoice_is_created_open_with_its_lines() -> None:
    decision = run(SourceKind.INVOICE, s.invoice(CID, ACCT, amounts=(1_000, 250)))
    assert isinstance(decision, Upsert) and decision.outcome is Outcome.CREATED
    invoice = decision.after
    assert isinstance(invoice, Invoice)
    assert (invoice.amount, invoice.balance, invoice.paid, invoice.status) == (1_250, 1_250, 0, InvoiceStatus.OPEN)
    assert invoice.invoice_id == decision.state.entity_id and decision.state.customer_id == CID


def test_versions_decide() -> None:
    raw = s.invoice(CID, ACCT, version=5)
    state, invoice = loaded(raw)
    same = run(SourceKind.INVOICE, raw, stored=state, existing=invoice)
    assert isinstance(same, Unchanged) and same.reason == "same_version"
    older = run(SourceKind.INVOICE, {**raw, "source_version": 4, "amount": 9, "lines": s.lines(9)}, stored=state)
    assert isinstance(older, Unchanged) and (older.reason, older.stored_version) == ("stale", 5)
    clash = run(SourceKind.INVOICE, {**raw, "amount": 9, "lines": s.lines(9)}, stored=state, existing=invoice)
    assert codes(clash) == ["version_conflict"]
    bump = run(SourceKind.INVOICE, {**raw, "source_version": 6}, stored=state, existing=invoice)
    assert isinstance(bump, VersionBump) and bump.state.version == 6 and bump.outcome is Outcome.UNCHANGED
    newer = run(
        SourceKind.INVOICE,
        {**raw, "source_version": 6, "amount": 9, "lines": s.lines(9)},
        stored=state,
        existing=invoice,
    )
    assert isinstance(newer, Upsert) and newer.outcome is Outcome.UPDATED and newer.after.amount == 9  # type: ignore[union-attr]


def test_an_update_keeps_the_platforms_money_and_adjustment_lines() -> None:
    raw = s.invoice(CID, ACCT, amounts=(10_000,))
    state, invoice = loaded(raw)
    adjustment = InvoiceLine(
        description="Adjustment", fee_code="ADJUSTMENT", kind=LineKind.ADJUSTMENT, unit_amount=500, amount=500
    )
    invoice = paid(
        invoice.model_copy(update={"lines": [*invoice.lines, adjustment], "amount": 10_500, "balance": 10_500}),
        4_000,
        credited=1_000,
    )
    decision = run(
        SourceKind.INVOICE,
        s.invoice(CID, ACCT, raw["invoice_number"], amounts=(12_000,), version=2),
        stored=state,
        existing=invoice,
    )
    assert isinstance(decision, Upsert)
    after = decision.after
    assert isinstance(after, Invoice)
    assert (after.paid, after.credited, after.amount, after.balance) == (4_000, 1_000, 12_500, 7_500)
    assert after.lines[-1] == adjustment and after.version == invoice.version + 1
    assert after.status is InvoiceStatus.PARTIALLY_PAID


def test_lowering_below_what_was_paid_is_refused_with_both_figures() -> None:
    raw = s.invoice(CID, ACCT, amounts=(10_000,))
    state, invoice = loaded(raw)
    decision = run(
        SourceKind.INVOICE,
        s.invoice(CID, ACCT, raw["invoice_number"], amounts=(3_000,), version=2),
        stored=state,
        existing=paid(invoice, 4_000, credited=500),
    )
    assert isinstance(decision, Rejected)
    (error,) = decision.errors
    assert (error.code, error.field) == ("amount_below_paid", "amount")
    assert dict(error.details) == {"amount": 3_000, "paid": 4_000, "credited": 500}


def test_where_the_agency_allows_it_the_difference_becomes_credit() -> None:
    raw = s.invoice(CID, ACCT, amounts=(10_000,))
    state, invoice = loaded(raw)
    decision = run(
        SourceKind.INVOICE,
        s.invoice(CID, ACCT, raw["invoice_number"], amounts=(3_000,), version=2),
        stored=state,
        existing=paid(invoice, 4_000, credited=500),
        context=CREDIT,
    )
    assert isinstance(decision, Upsert) and decision.credit is not None
    after = decision.after
    assert isinstance(after, Invoice)
    assert (after.amount, after.balance, after.status) == (4_500, 0, InvoiceStatus.PAID)
    assert after.lines[-1].kind is LineKind.ADJUSTMENT and after.lines[-1].amount == 1_500
    note = decision.credit
    assert (note.amount, note.remaining, note.customer_id, note.currency) == (1_500, 1_500, CID, "USD")
    assert note.number in after.lines[-1].description


def test_void_is_a_state_refused_once_money_was_applied() -> None:
    raw = s.invoice(CID, ACCT)
    state, invoice = loaded(raw)
    void = {**raw, "status": "void", "source_version": 2}
    decision = run(SourceKind.INVOICE, void, stored=state, existing=invoice)
    assert isinstance(decision, Upsert)
    after = decision.after
    assert isinstance(after, Invoice)
    assert after.voided and after.status is InvoiceStatus.VOIDED and after.balance == after.amount
    assert codes(run(SourceKind.INVOICE, void, stored=state, existing=paid(invoice, 100))) == ["void_after_payment"]
    reopen = {**raw, "source_version": 3, "due_date": raw["issue_date"]}
    assert codes(run(SourceKind.INVOICE, reopen, stored=decision.state, existing=after)) == ["invoice_voided"]


def test_an_invoice_born_void() -> None:
    decision = run(SourceKind.INVOICE, s.invoice(CID, ACCT, status="void"))
    assert isinstance(decision, Upsert) and decision.after.voided  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("references", "code"),
    [
        (References(customer_known=True, account=None), "unknown_account"),
        (
            References(customer_known=True, account=ACCOUNT.model_copy(update={"department": "parking"})),
            "department_mismatch",
        ),
    ],
)
def test_an_invoice_names_an_account_of_its_department(references: References, code: str) -> None:
    assert codes(run(SourceKind.INVOICE, s.invoice(CID, ACCT), references=references)) == [code]


def test_wrong_currency() -> None:
    decision = run(SourceKind.INVOICE, s.invoice(CID, ACCT, currency="EUR"))
    assert codes(decision) == ["wrong_currency"]


def test_an_account_needs_its_customer() -> None:
    assert codes(run(SourceKind.ACCOUNT, s.account(CID), references=References())) == ["unknown_customer"]
    assert isinstance(run(SourceKind.ACCOUNT, s.account(CID), references=KNOWN), Upsert)


def test_a_record_stays_with_its_customer() -> None:
    raw = s.invoice(CID, ACCT)
    state, _ = loaded(raw)
    moved = {**raw, "customer_id": "CUS-OTHER999", "source_version": 2}
    assert codes(run(SourceKind.INVOICE, moved, stored=state, existing=None)) == ["customer_changed"]


def test_a_customer_update_keeps_the_portal_settings() -> None:
    raw = s.customer(CID, email="ada@example.com")
    state, customer = loaded(raw, SourceKind.CUSTOMER)
    assert isinstance(customer, Customer)
    linked = customer.model_copy(update={"login_subject": "sub-1"})
    decision = run(SourceKind.CUSTOMER, {**raw, "name": "Ada King", "source_version": 2}, stored=state, existing=linked)
    assert isinstance(decision, Upsert)
    assert decision.after.login_subject == "sub-1" and decision.after.name == "Ada King"  # type: ignore[union-attr]
    assert decision.after.created_at == customer.created_at  # type: ignore[union-attr]


def test_a_platform_customer_is_adopted() -> None:
    existing = Customer(customer_id=CID, name="Old Name", created_at=SESSION_NOW)
    decision = run(SourceKind.CUSTOMER, s.customer(CID), existing=existing)
    assert isinstance(decision, Upsert) and decision.outcome is Outcome.UPDATED and decision.before_state is None


def test_a_credit_note_cannot_drop_below_what_was_applied() -> None:
    raw = s.credit_note(CID, ACCT, amount=5_000)
    state, note = loaded(raw, SourceKind.CREDIT_NOTE)
    application = CreditApplication(
        invoice_id="inv_0000000000", invoice_number="UT-1", amount=3_000, applied_at=SESSION_NOW
    )
    used = note.model_copy(update={"applications": [application], "remaining": 2_000})
    lower = {**raw, "amount": 2_000, "source_version": 2}
    assert codes(run(SourceKind.CREDIT_NOTE, lower, stored=state, existing=used)) == ["amount_below_applied"]
    higher = run(SourceKind.CREDIT_NOTE, {**raw, "amount": 6_000, "source_version": 2}, stored=state, existing=used)
    assert isinstance(higher, Upsert)
    assert (higher.after.remaining, len(higher.after.applications)) == (3_000, 1)  # type: ignore[union-attr]


def test_a_document_keeps_its_date_and_its_reading() -> None:
    raw = s.document(CID, "N-1", kind="notice", document_date="2026-01-02")
    state, document = loaded(raw, SourceKind.DOCUMENT)
    assert document.created_by == "system:billing" and document.unread_notice
    read = document.model_copy(update={"read_at": SESSION_NOW})
    retitled = run(SourceKind.DOCUMENT, {**raw, "title": "New title", "source_version": 2}, stored=state, existing=read)
    assert isinstance(retitled, Upsert) and retitled.after.read_at == SESSION_NOW  # type: ignore[union-attr]
    redated = {**raw, "document_date": "2026-01-03", "source_version": 3}
    assert codes(run(SourceKind.DOCUMENT, redated, stored=state, existing=read)) == ["document_date_changed"]
    assert codes(run(SourceKind.DOCUMENT, s.document(CID), references=References())) == ["unknown_customer"]


def test_state_of_names_the_record() -> None:
    parsed = record(SourceKind.SALES_ORDER, s.sales_order(CID, ACCT, "SO-1", version=3))
    state = state_of(parsed)
    assert (state.kind, state.source_id, state.customer_id, state.version) == (SourceKind.SALES_ORDER, "SO-1", CID, 3)
    assert state.entity_id.startswith("so_")
