from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.allocation import allocate_chosen, allocate_oldest_first, split_by_line_kind
from arportal.domain.models import Invoice, InvoiceLine, LineKind

START = date(2026, 1, 1)


@st.composite
def invoices(draw):
    result = []
    for index in range(draw(st.integers(0, 8))):
        lines = [
            InvoiceLine(description="x", fee_code="FEE", kind=kind, unit_amount=amt, amount=amt)
            for kind, amt in draw(
                st.lists(st.tuples(st.sampled_from(list(LineKind)), st.integers(1, 50_000)), min_size=1, max_size=4)
            )
        ]
        amount = sum(line.amount for line in lines)
        paid = draw(st.integers(0, amount))
        result.append(
            Invoice(
                invoice_id=f"inv_{index}",
                invoice_number=f"INV-{index:04d}",
                customer_id="CUS-0001",
                account_number="UT-200001",
                department="utilities",
                issue_date=START,
                due_date=START + timedelta(days=draw(st.integers(0, 365))),
                currency=draw(st.sampled_from(["USD", "USD", "USD", "CAD"])),
                lines=lines,
                amount=amount,
                paid=paid,
                balance=amount - paid,
                voided=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    return result


@given(st.integers(0, 500_000), invoices())
def test_oldest_first_applies_exactly_and_never_overpays(amount, invs):
    plan = allocate_oldest_first(amount, "USD", invs)
    assert plan.applied + plan.unapplied == amount
    for part in plan.parts:
        assert 0 < part.amount <= part.invoice.balance
        assert part.invoice.currency == "USD" and not part.invoice.voided
    payable = sum(i.balance for i in invs if i.currency == "USD" and not i.voided)
    assert plan.unapplied == max(0, amount - payable)


@given(st.integers(0, 500_000), invoices())
def test_oldest_first_pays_earlier_due_dates_in_full_before_later_ones(amount, invs):
    plan = allocate_oldest_first(amount, "USD", invs)
    for earlier, later in zip(plan.parts, plan.parts[1:], strict=False):
        assert earlier.invoice.due_date <= later.invoice.due_date
        assert earlier.amount == earlier.invoice.balance


@given(st.integers(0, 500_000), invoices(), st.data())
def test_chosen_caps_at_balance_and_keeps_the_rest_as_credit(amount, invs, data):
    payable = [i for i in invs if i.currency == "USD" and not i.voided and i.balance > 0]
    picked = data.draw(st.lists(st.sampled_from(payable), unique_by=lambda i: i.invoice_id)) if payable else []
    chosen = [(i.invoice_id, data.draw(st.integers(1, 100_000))) for i in picked]
    plan = allocate_chosen(amount, "USD", invs, chosen)
    assert plan.applied + plan.unapplied == amount
    assert all(p.amount <= p.invoice.balance for p in plan.parts)


@given(invoices(), st.data())
def test_line_kind_split_adds_up_and_pays_fees_first(invs, data):
    for inv in (i for i in invs if i.balance > 0):
        amount = data.draw(st.integers(0, inv.balance))
        split = split_by_line_kind(inv, amount)
        assert sum(split.values()) == amount
        if LineKind.PRINCIPAL in split:
            fees = sum(line.amount for line in inv.lines if line.kind is not LineKind.PRINCIPAL)
            assert inv.paid + sum(v for k, v in split.items() if k is not LineKind.PRINCIPAL) >= fees
