from datetime import date

import pytest
from pydantic import ValidationError

from arportal.domain.models import CreditApplication, CreditNote, Customer, Invoice, InvoiceLine
from tests import builders


def test_invoice_amount_must_equal_its_lines_and_balance_its_figures():
    inv = builders.invoice("CUS-000001", "UT-200001", amount=1000, paid=250)
    assert inv.balance == 750
    data = inv.model_dump()
    with pytest.raises(ValidationError, match="sum of the lines"):
        Invoice.model_validate({**data, "amount": 999, "balance": 749})
    with pytest.raises(ValidationError, match="balance must equal"):
        Invoice.model_validate({**data, "balance": 700})
    with pytest.raises(ValidationError, match="due_date"):
        Invoice.model_validate({**data, "due_date": date(2000, 1, 1)})


def test_line_amount_is_quantity_times_unit():
    with pytest.raises(ValidationError):
        InvoiceLine(description="x", fee_code="FEE", quantity=2, unit_amount=100, amount=150)


def test_credit_note_remaining_tracks_applications():
    cn = builders.credit_note("CUS-000001", "UT-200001", amount=1000)
    applied = CreditApplication(invoice_id="inv_1", invoice_number="UT-2026-1", amount=400, applied_at=builders.NOW)
    ok = CreditNote.model_validate({**cn.model_dump(), "applications": [applied], "remaining": 600})
    assert ok.remaining == 600
    with pytest.raises(ValidationError):
        CreditNote.model_validate({**cn.model_dump(), "applications": [applied], "remaining": 1000})


def test_customer_fields_are_validated_and_unknown_fields_refused():
    with pytest.raises(ValidationError):
        Customer(customer_id="bad id", name="X")
    with pytest.raises(ValidationError):
        Customer(customer_id="CUS-000001", name="X", email="not-an-email")
    with pytest.raises(ValidationError):
        Customer.model_validate({"customer_id": "CUS-000001", "name": "X", "is_admin": True})
    assert Customer(customer_id="CUS-000001", name="X", email=" Pat@Example.ORG ").email == "pat@example.org"
