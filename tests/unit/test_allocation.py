from datetime import timedelta

import pytest

from arportal.domain.allocation import allocate_chosen, allocate_oldest_first, split_by_line_kind
from arportal.domain.models import Invoice, InvoiceLine, LineKind
from tests import builders as b


def test_partial_payment_goes_to_the_oldest_due_invoice_first():
    old = b.invoice("CUS-000001", "UT-200001", amount=3000, due=b.TODAY - timedelta(days=40))
    new = b.invoice("CUS-000001", "UT-200001", amount=5000, due=b.TODAY + timedelta(days=5))
    plan = allocate_oldest_first(4000, "USD", [new, old])
    assert [(p.invoice.invoice_id, p.amount) for p in plan.parts] == [(old.invoice_id, 3000), (new.invoice_id, 1000)]
    assert plan.unapplied == 0


def test_overpayment_is_left_unapplied_as_credit():
    inv = b.invoice("CUS-000001", "UT-200001", amount=3000)
    assert allocate_oldest_first(3500, "USD", [inv]).unapplied == 500


def test_chosen_invoices_are_honoured_and_bad_choices_refused():
    a = b.invoice("CUS-000001", "UT-200001", amount=3000, due=b.TODAY - timedelta(days=40))
    c = b.invoice("CUS-000001", "UT-200001", amount=5000)
    plan = allocate_chosen(2000, "USD", [a, c], [(c.invoice_id, 2000)])
    assert [(p.invoice.invoice_id, p.amount) for p in plan.parts] == [(c.invoice_id, 2000)]
    with pytest.raises(ValueError, match="not open"):
        allocate_chosen(100, "USD", [a], [("inv_missing", 100)])
    with pytest.raises(ValueError, match="twice"):
        allocate_chosen(100, "USD", [a], [(a.invoice_id, 50), (a.invoice_id, 50)])


def test_fees_then_penalties_then_principal():
    lines = [
        InvoiceLine(description="Citation", fee_code="PARK", kind=LineKind.PRINCIPAL, unit_amount=5000, amount=5000),
        InvoiceLine(description="Late", fee_code="LATE", kind=LineKind.PENALTY, unit_amount=1500, amount=1500),
        InvoiceLine(description="Admin", fee_code="ADMIN", kind=LineKind.FEE, unit_amount=500, amount=500),
    ]
    inv = Invoice(
        invoice_id="inv_1",
        invoice_number="PK-2026-1",
        customer_id="CUS-000001",
        account_number="PK-400001",
        department="parking",
        issue_date=b.TODAY,
        due_date=b.TODAY,
        currency="USD",
        lines=lines,
        amount=7000,
        paid=300,
        balance=6700,
    )
    # 300 already covered part of the 500 fee; the next 1000 finish the fee then go to the penalty
    assert split_by_line_kind(inv, 1000) == {LineKind.FEE: 200, LineKind.PENALTY: 800}
