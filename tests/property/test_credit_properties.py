"""Applying held credit, for random credit sources and invoices (``domain/credit.py``)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.credit import NoCreditToApplyError, plan_credit_application
from arportal.domain.models import CreditNote, Invoice, InvoiceLine
from tests.builders import NOW

START = date(2026, 1, 1)
ACCOUNTS = ["UT-200001", "UT-200002"]


@st.composite
def ledgers(draw):
    notes = []
    for index in range(draw(st.integers(0, 6))):
        amount = draw(st.integers(1, 20_000))
        used = draw(st.integers(0, amount))
        notes.append(
            CreditNote(
                credit_note_id=f"cn_{index}",
                number=f"CN-{index:04d}",
                customer_id="CUS-0001",
                account_number=draw(st.sampled_from(ACCOUNTS)),
                department="utilities",
                currency=draw(st.sampled_from(["USD", "USD", "CAD"])),
                amount=amount,
                remaining=amount - used,
                reason=draw(st.sampled_from(["Meter misread", f"Overpayment held as credit from payment pay_{index}"])),
                issued_on=START + timedelta(days=draw(st.integers(0, 60))),
                applications=[]
                if not used
                else [{"invoice_id": "inv_old", "invoice_number": "OLD-0001", "amount": used, "applied_at": NOW}],
            )
        )
    invoices = []
    for index in range(draw(st.integers(0, 8))):
        amount = draw(st.integers(1, 20_000))
        paid = draw(st.integers(0, amount))
        invoices.append(
            Invoice(
                invoice_id=f"inv_{index}",
                invoice_number=f"INV-{index:04d}",
                customer_id="CUS-0001",
                account_number=draw(st.sampled_from(ACCOUNTS)),
                department="utilities",
                issue_date=START,
                due_date=START + timedelta(days=draw(st.integers(0, 365))),
                currency=draw(st.sampled_from(["USD", "USD", "CAD"])),
                lines=[InvoiceLine(description="x", fee_code="FEE", unit_amount=amount, amount=amount)],
                amount=amount,
                paid=paid,
                balance=amount - paid,
                voided=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    return notes, invoices


def _payable(i: Invoice) -> bool:
    return i.balance > 0 and not i.voided and i.currency == "USD"


@given(ledgers(), st.data())
def test_credit_is_applied_exactly_and_money_is_conserved(ledger, data):
    notes, invoices = ledger
    chosen = None
    if data.draw(st.booleans()):
        payable = [i.invoice_id for i in invoices if _payable(i)]
        chosen = data.draw(st.permutations(payable)) if payable else None
    try:
        plan = plan_credit_application(notes, invoices, currency="USD", now=NOW, invoice_ids=chosen)
    except NoCreditToApplyError:
        held = {
            a for a in ACCOUNTS if any(n.remaining and n.currency == "USD" and n.account_number == a for n in notes)
        }
        owed = {i.account_number for i in invoices if _payable(i)}
        assert not held & owed  # nothing to apply only when no account has both credit and something owed
        return
    # No source below zero, no invoice below zero
    assert all(s.after.remaining >= 0 and s.amount > 0 for s in plan.source_changes)
    assert all(c.after.balance >= 0 and c.after.balance == c.before.balance - c.amount for c in plan.invoice_changes)
    # Applied == min(credit, owed on the chosen invoices), account by account (credit stays in its account)
    targets = [i for i in invoices if _payable(i) and (chosen is None or i.invoice_id in chosen)]
    for account in ACCOUNTS:
        credit = sum(n.remaining for n in notes if n.currency == "USD" and n.account_number == account)
        owed = sum(i.balance for i in targets if i.account_number == account)
        applied = sum(p.amount for p in plan.parts if p.account_number == account)
        assert applied == min(credit, owed)
    # Conservation: what the sources lost is what the invoices' balances lost, and each part is counted once
    assert sum(s.amount for s in plan.source_changes) == plan.applied == sum(c.amount for c in plan.invoice_changes)
    assert plan.credit_left == sum(n.remaining for n in notes if n.currency == "USD") - plan.applied
    # Only open invoices in the currency, never a voided or another currency's, took credit
    by_id = {i.invoice_id: i for i in invoices}
    assert all(_payable(by_id[c.after.invoice_id]) for c in plan.invoice_changes)
