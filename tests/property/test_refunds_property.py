"""Random sequences of payments, partial payments, credits and refunds keep the ledger's invariants:
every invoice balance >= 0, and what the invoices show as paid == what payments applied - what refunds took back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from arportal.domain.approvals import StaffAction
from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import Allocation
from arportal.domain.posting import apply_to_invoice
from arportal.domain.staff_actions import AdjustmentKind, check_money_back, plan_adjustment, plan_money_back
from tests import builders as b

CID = "CUS-00PROP1"

step = st.one_of(
    st.tuples(st.just("pay"), st.integers(0, 2), st.integers(1, 6_000)),
    st.tuples(st.just("credit"), st.integers(0, 2), st.integers(1, 3_000)),
    st.tuples(st.just("refund"), st.integers(0, 20), st.integers(1, 8_000)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(step, min_size=1, max_size=25))
def test_balances_never_go_negative_and_allocations_equal_payments_minus_refunds(steps):
    invoices = {i.invoice_id: i for i in (b.invoice(CID, "UT-200001", amount=a) for a in (5_000, 7_500, 12_000))}
    ids = sorted(invoices)
    payments, allocations = [], {}
    applied = refunded = 0
    for kind, which, amount in steps:
        if kind == "pay":
            invoice = invoices[ids[which]]
            part = min(amount, invoice.balance)
            if part == 0:
                continue
            payment = b.payment(CID, amount=part)
            invoices[invoice.invoice_id] = apply_to_invoice(invoice, part)
            allocations[payment.payment_id] = [
                Allocation(
                    payment_id=payment.payment_id,
                    invoice_id=invoice.invoice_id,
                    invoice_number=invoice.invoice_number,
                    customer_id=CID,
                    account_number="UT-200001",
                    department="utilities",
                    amount=part,
                    currency="USD",
                    applied_at=b.NOW,
                )
            ]
            payments.append(payment)
            applied += part
        elif kind == "credit":
            invoice = invoices[ids[which]]
            try:
                change = plan_adjustment(invoice, AdjustmentKind.ADJUSTMENT, -amount, description="credit")
            except BusinessRuleError:
                continue
            invoices[invoice.invoice_id] = change.after
        elif payments:
            index = which % len(payments)
            payment = payments[index]
            try:
                take = check_money_back(StaffAction.REFUND, payment, amount)
            except BusinessRuleError:
                continue
            back = plan_money_back(
                StaffAction.REFUND,
                payment,
                amount=take,
                allocations=allocations[payment.payment_id],
                invoices=list(invoices.values()),
                credit=None,
                actor="staff:p",
                note="other",
                now=b.NOW,
            )
            for change in back.invoice_changes:
                invoices[change.after.invoice_id] = change.after
            payments[index] = back.after
            refunded += take - back.shortfall
        assert all(i.balance >= 0 and i.paid >= 0 for i in invoices.values())
        assert sum(i.paid for i in invoices.values()) == applied - refunded
        assert all(p.refunded <= p.amount for p in payments)
