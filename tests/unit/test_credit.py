"""Applying held credit: the planner's rules (``domain/credit.py``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from arportal.domain.credit import NoCreditToApplyError, plan_credit_application, source_order
from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import InvoiceLine, LineKind
from arportal.domain.status import InvoiceStatus
from tests import builders as b


def _hold(customer_id: str, account: str, amount: int, *, days_ago: int):
    note = b.credit_note(customer_id, account, amount=amount)
    return note.model_copy(
        update={
            "reason": f"Overpayment held as credit from payment pay_{b.n():026d}",
            "issued_on": b.TODAY - timedelta(days=days_ago),
        }
    )


def test_overpayment_holds_are_spent_before_credit_notes_and_the_oldest_first():
    # Given an agency credit note older than two overpayment holds
    note = b.credit_note("CUS-0001", "UT-200001").model_copy(update={"issued_on": b.TODAY - timedelta(days=90)})
    newer = _hold("CUS-0001", "UT-200001", 100, days_ago=1)
    older = _hold("CUS-0001", "UT-200001", 100, days_ago=10)
    # Then the holds come first, oldest first, and the credit note last
    assert [n.credit_note_id for n in source_order([note, newer, older])] == [
        older.credit_note_id,
        newer.credit_note_id,
        note.credit_note_id,
    ]


def test_credit_pays_the_oldest_due_invoice_first_and_never_more_than_it_owes():
    # Given 5,000 of credit in two sources and invoices of 3,000 (due later) and 1,000 (due first)
    cid, acct = "CUS-0001", "UT-200001"
    later = b.invoice(cid, acct, amount=3_000, due=b.TODAY + timedelta(days=20))
    first = b.invoice(cid, acct, amount=1_000, due=b.TODAY + timedelta(days=5))
    hold = _hold(cid, acct, 1_500, days_ago=2)
    note = b.credit_note(cid, acct, amount=3_500)
    # When the credit is applied by the agency's rule
    plan = plan_credit_application([note, hold], [later, first], currency="USD", now=b.NOW)
    # Then both invoices are paid off, the hold is used first and 1,000 of the credit note is left
    assert plan.applied == 4_000 and plan.credit_left == 1_000
    assert [(p.source_id, p.invoice_id, p.amount) for p in plan.parts] == [
        (hold.credit_note_id, first.invoice_id, 1_000),
        (hold.credit_note_id, later.invoice_id, 500),
        (note.credit_note_id, later.invoice_id, 2_500),
    ]
    after = {c.after.invoice_id: c.after for c in plan.invoice_changes}
    assert after[first.invoice_id].balance == 0 and after[first.invoice_id].status is InvoiceStatus.PAID
    assert after[later.invoice_id].credited == 3_000 and after[later.invoice_id].version == later.version + 1
    sources = {s.after.credit_note_id: s.after for s in plan.source_changes}
    assert sources[hold.credit_note_id].remaining == 0 and sources[note.credit_note_id].remaining == 1_000
    assert [a.amount for a in sources[hold.credit_note_id].applications] == [1_000, 500]


def test_the_customers_chosen_invoices_are_paid_in_their_order_and_others_are_left_alone():
    cid, acct = "CUS-0001", "UT-200001"
    oldest = b.invoice(cid, acct, amount=1_000, due=b.TODAY)
    chosen = b.invoice(cid, acct, amount=2_000, due=b.TODAY + timedelta(days=30))
    note = b.credit_note(cid, acct, amount=1_500)
    plan = plan_credit_application([note], [oldest, chosen], currency="USD", now=b.NOW, invoice_ids=[chosen.invoice_id])
    assert [(p.invoice_id, p.amount) for p in plan.parts] == [(chosen.invoice_id, 1_500)]
    assert plan.invoice_changes[0].after.status is InvoiceStatus.PARTIALLY_PAID


def test_inside_an_invoice_credit_covers_fees_then_penalties_then_principal():
    cid, acct = "CUS-0001", "UT-200001"
    lines = [
        InvoiceLine(description="Water", fee_code="WATER", kind=LineKind.PRINCIPAL, unit_amount=5_000, amount=5_000),
        InvoiceLine(description="Late", fee_code="LATE", kind=LineKind.PENALTY, unit_amount=300, amount=300),
        InvoiceLine(description="Fee", fee_code="FEE", kind=LineKind.FEE, unit_amount=200, amount=200),
    ]
    base = b.invoice(cid, acct, amount=5_500)
    invoice = base.model_copy(update={"lines": lines})
    plan = plan_credit_application([b.credit_note(cid, acct, amount=1_000)], [invoice], currency="USD", now=b.NOW)
    assert plan.splits[invoice.invoice_id] == {LineKind.FEE: 200, LineKind.PENALTY: 300, LineKind.PRINCIPAL: 500}


def test_credit_never_leaves_its_account():
    cid = "CUS-0001"
    other = b.invoice(cid, "PT-300001", amount=1_000, department="property_tax")
    with pytest.raises(NoCreditToApplyError):
        plan_credit_application([b.credit_note(cid, "UT-200001")], [other], currency="USD", now=b.NOW)


def test_an_invoice_that_is_not_an_open_invoice_of_the_customer_is_refused():
    cid, acct = "CUS-0001", "UT-200001"
    mine = b.invoice(cid, acct, amount=1_000)
    with pytest.raises(BusinessRuleError) as refused:
        plan_credit_application(
            [b.credit_note(cid, acct)], [mine], currency="USD", now=b.NOW, invoice_ids=["inv_someone_else_000000"]
        )
    assert refused.value.details == [{"field": "invoice_ids[0]", "reason": "not an open invoice of yours"}]


def test_no_credit_or_nothing_owed_is_a_clear_refusal():
    cid, acct = "CUS-0001", "UT-200001"
    with pytest.raises(NoCreditToApplyError):
        plan_credit_application([], [b.invoice(cid, acct)], currency="USD", now=b.NOW)
    with pytest.raises(NoCreditToApplyError):
        plan_credit_application([b.credit_note(cid, acct)], [], currency="USD", now=b.NOW)


def test_a_plan_touches_no_more_records_than_one_transaction_holds():
    cid, acct = "CUS-0001", "UT-200001"
    invoices = [b.invoice(cid, acct, amount=100, due=b.TODAY + timedelta(days=k)) for k in range(10)]
    plan = plan_credit_application(
        [b.credit_note(cid, acct, amount=5_000)], invoices, currency="USD", now=b.NOW, max_records=4
    )
    assert len(plan.invoice_changes) + len(plan.source_changes) == 4 and plan.applied == 300
    assert plan.credit_left == 4_700
