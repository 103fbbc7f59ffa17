"""Invoice display status, filters and ordering (pure), and the portal view services over an in-memory reader."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from arportal.domain.errors import NotFoundError
from arportal.domain.invoice_views import (
    DisplayStatus,
    InvoiceFilter,
    InvoiceSort,
    PaymentFilter,
    display_status,
    select_invoices,
)
from arportal.domain.models import Allocation, CreditApplication, CreditNote, Invoice, Payment
from arportal.domain.portal_errors import CodedRuleError
from arportal.domain.status import PaymentStatus
from arportal.ports import Page
from arportal.services import portal_views
from tests import builders as b

TODAY = b.TODAY
CID = "CUS-VIEWS0001"


def inv(**kw) -> Invoice:
    return b.invoice(CID, kw.pop("account", "UT-200001"), **kw)


class TestDisplayStatus:
    @pytest.mark.parametrize(
        ("amount", "paid", "due_in", "voided", "expected"),
        [
            (100, 0, 1, False, DisplayStatus.OPEN),
            (100, 0, 0, False, DisplayStatus.OPEN),  # due today is not late yet
            (100, 40, 5, False, DisplayStatus.PARTIALLY_PAID),
            (100, 100, -9, False, DisplayStatus.PAID),  # paid is never overdue
            (100, 0, -1, False, DisplayStatus.OVERDUE),
            (100, 40, -1, False, DisplayStatus.OVERDUE),
            (100, 0, -1, True, DisplayStatus.VOIDED),
        ],
    )
    def test_table(self, amount, paid, due_in, voided, expected):
        invoice = inv(amount=amount, paid=paid, due=TODAY + timedelta(days=due_in))
        assert display_status(invoice.model_copy(update={"voided": voided}), TODAY) is expected


class TestSelect:
    def _invoices(self) -> list[Invoice]:
        return [
            inv(amount=100, due=TODAY + timedelta(days=d), account=acct, department=dept)
            for d, acct, dept in [
                (3, "UT-200001", "utilities"),
                (-2, "PT-100001", "property_tax"),
                (10, "UT-200001", "utilities"),
            ]
        ]

    def test_filters_combine(self):
        invoices = self._invoices()
        where = InvoiceFilter(frozenset({DisplayStatus.OPEN}), account_number="UT-200001")
        page = select_invoices(invoices, where=where, sort=InvoiceSort.DUE_ASC, today=TODAY, limit=10)
        assert page.invoices == [invoices[0], invoices[2]] and page.total == 2 and page.after is None
        overdue = InvoiceFilter(frozenset({DisplayStatus.OVERDUE}))
        assert select_invoices(invoices, where=overdue, sort=InvoiceSort.DUE_ASC, today=TODAY, limit=10).invoices == [
            invoices[1]
        ]

    def test_issue_date_range_is_inclusive(self):
        invoices = self._invoices()
        day = invoices[0].issue_date
        where = InvoiceFilter(issued_from=day, issued_to=day)
        assert [
            i.issue_date
            for i in select_invoices(invoices, where=where, sort=InvoiceSort.ISSUE_ASC, today=TODAY, limit=9).invoices
        ] == [day]
        with pytest.raises(ValueError, match="after"):
            InvoiceFilter(issued_from=day, issued_to=day - timedelta(days=1))

    def test_pages_resume_after_the_cursor_row_even_when_it_is_gone(self):
        invoices = self._invoices()
        first = select_invoices(invoices, where=InvoiceFilter(), sort=InvoiceSort.DUE_DESC, today=TODAY, limit=1)
        assert first.invoices == [invoices[2]] and first.after == (
            invoices[2].due_date.isoformat(),
            invoices[2].invoice_id,
        )
        remaining = [i for i in invoices if i is not invoices[2]]  # the cursor's row was voided and filtered out
        second = select_invoices(
            remaining, where=InvoiceFilter(), sort=InvoiceSort.DUE_DESC, today=TODAY, limit=1, after=first.after
        )
        assert second.invoices == [invoices[0]]

    def test_limit_must_be_positive(self):
        with pytest.raises(ValueError):
            select_invoices([], where=InvoiceFilter(), sort=InvoiceSort.DUE_ASC, today=TODAY, limit=0)

    def test_payment_filter(self):
        p = b.payment(CID, status=PaymentStatus.SETTLED)
        day = p.created_at.date()
        assert PaymentFilter(frozenset({PaymentStatus.SETTLED}), day, day).matches(p)
        assert not PaymentFilter(frozenset({PaymentStatus.POSTED})).matches(p)
        assert not PaymentFilter(made_from=day + timedelta(days=1)).matches(p)


class FakeReader:
    """The PortalReader port over lists, with storage-order pages like the adapter's."""

    def __init__(self, *, invoices=(), payments=(), allocations=(), credit_notes=()) -> None:
        self._invoices: list[Invoice] = list(invoices)
        self._payments: list[Payment] = sorted(payments, key=lambda p: p.payment_id, reverse=True)
        self._allocations: list[Allocation] = list(allocations)
        self._credit: list[CreditNote] = list(credit_notes)
        self.pages_read = 0

    def invoices(self, customer_id, where, sort, *, today, limit, after):
        self.pages_read += 1
        return select_invoices(self._invoices, where=where, sort=sort, today=today, limit=limit, after=after)

    def invoice(self, customer_id, invoice_id):
        return next((i for i in self._invoices if i.invoice_id == invoice_id and i.customer_id == customer_id), None)

    def invoice_activity(self, customer_id, invoice_id):
        allocations = [a for a in self._allocations if a.invoice_id == invoice_id]
        credited = [c for c in self._credit if any(a.invoice_id == invoice_id for a in c.applications)]
        return allocations, credited, self.payments_by_id(customer_id, [a.payment_id for a in allocations])

    def payments(self, customer_id, where, *, limit, start):
        self.pages_read += 1
        chosen = [p for p in self._payments if where.matches(p)]
        offset = int(start["n"]) if start else 0  # type: ignore[call-overload]
        rows = chosen[offset : offset + limit]
        more = offset + limit < len(chosen)
        return Page(rows, {"n": offset + limit} if more else None)

    def payment(self, customer_id, payment_id):
        return next((p for p in self._payments if p.payment_id == payment_id), None)

    def payments_by_id(self, customer_id, payment_ids: Sequence[str]):
        return [p for p in self._payments if p.payment_id in payment_ids]

    def payment_allocations(self, customer_id, payment_id):
        return [a for a in self._allocations if a.payment_id == payment_id]

    def credit_from_payment(self, customer_id, payment_id):
        return next((c for c in self._credit if payment_id in c.reason), None)

    def receipt_document_id(self, customer_id, receipt_number):
        return "doc_1" if receipt_number == "R-1" else None

    def open_balances(self, customer_id):
        return [i for i in self._invoices if i.balance > 0], [c for c in self._credit if c.remaining > 0]


def _allocation(payment: Payment, invoice: Invoice, amount: int) -> Allocation:
    return Allocation(
        payment_id=payment.payment_id,
        invoice_id=invoice.invoice_id,
        invoice_number=invoice.invoice_number,
        customer_id=CID,
        account_number=invoice.account_number,
        department=invoice.department,
        amount=amount,
        currency="USD",
        applied_at=payment.created_at,
    )


class TestServices:
    def test_a_list_too_large_to_export_is_refused_not_cut(self, monkeypatch):
        monkeypatch.setattr(portal_views, "MAX_EXPORT_ROWS", 2)
        monkeypatch.setattr(portal_views, "_EXPORT_PAGE", 1)
        reader = FakeReader(invoices=[inv(), inv(), inv()])
        with pytest.raises(CodedRuleError) as refused:
            portal_views.invoice_export(reader, CID, InvoiceFilter(), InvoiceSort.DUE_ASC, today=TODAY)
        assert refused.value.code == "export_too_large"
        assert reader.pages_read == 3  # page by page, refused as soon as the selection passes the maximum
        assert (
            len(
                portal_views.invoice_export(
                    FakeReader(invoices=[inv(), inv()]), CID, InvoiceFilter(), InvoiceSort.DUE_ASC, today=TODAY
                )
            )
            == 2
        )

    def test_payment_export_streams_every_page_and_refuses_past_the_maximum(self, monkeypatch):
        monkeypatch.setattr(portal_views, "_EXPORT_PAGE", 2)
        payments = [b.payment(CID) for _ in range(5)]
        reader = FakeReader(payments=payments)
        exported = portal_views.payment_export(reader, CID, PaymentFilter())
        assert next(exported).payment_id == max(p.payment_id for p in payments) and reader.pages_read == 1
        assert len(list(exported)) == 4 and reader.pages_read == 3
        monkeypatch.setattr(portal_views, "MAX_EXPORT_ROWS", 4)
        with pytest.raises(CodedRuleError):
            list(portal_views.payment_export(FakeReader(payments=payments), CID, PaymentFilter()))

    def test_invoice_detail_pairs_allocations_with_payments_and_credit_applications(self):
        invoice, other = inv(amount=10_000, paid=3_000), inv()
        payment = b.payment(CID, amount=3_000)
        credit = b.credit_note(CID, "UT-200001", amount=800)
        credit = credit.model_copy(
            update={
                "remaining": 300,
                "applications": [
                    CreditApplication(
                        invoice_id=invoice.invoice_id,
                        invoice_number=invoice.invoice_number,
                        amount=200,
                        applied_at=b.NOW,
                    ),
                    CreditApplication(
                        invoice_id=other.invoice_id, invoice_number=other.invoice_number, amount=300, applied_at=b.NOW
                    ),
                ],
            }
        )
        reader = FakeReader(
            invoices=[invoice, other],
            payments=[payment],
            allocations=[_allocation(payment, invoice, 3_000)],
            credit_notes=[credit],
        )
        detail = portal_views.invoice_detail(reader, CID, invoice.invoice_id)
        assert [(p.allocation.amount, p.payment) for p in detail.payments] == [(3_000, payment)]
        assert [c.application.amount for c in detail.credits] == [200]
        with pytest.raises(NotFoundError):
            portal_views.invoice_detail(reader, "CUS-SOMEONE01", invoice.invoice_id)

    @pytest.mark.parametrize(
        ("status", "held"),
        [
            (PaymentStatus.POSTED, 1_000),
            (PaymentStatus.PENDING, 1_000),
            (PaymentStatus.SETTLED, 1_000),
            (PaymentStatus.REFUNDED, 0),
            (PaymentStatus.REVERSED, 0),
            (PaymentStatus.FAILED, 0),
        ],
    )
    def test_credit_held_is_what_a_standing_payment_left_unallocated(self, status, held):
        invoice = inv(amount=4_000)
        payment = b.payment(CID, amount=5_000, status=status, receipt_number="R-1")
        credit = b.credit_note(CID, "UT-200001", amount=1_000).model_copy(
            update={"reason": f"from {payment.payment_id}"}
        )
        reader = FakeReader(
            invoices=[invoice],
            payments=[payment],
            allocations=[_allocation(payment, invoice, 4_000)],
            credit_notes=[credit],
        )
        detail = portal_views.payment_detail(reader, CID, payment.payment_id)
        assert detail.unapplied == held and (detail.credit_note == credit) is (held > 0)
        assert detail.receipt_document_id == "doc_1"

    def test_account_balances(self):
        water, tax = b.account(CID, number="UT-200001"), b.account(CID, number="PT-100001", department="property_tax")
        invoices = [
            inv(amount=1_000, account="UT-200001"),
            inv(amount=2_000, paid=500, account="UT-200001", due=TODAY - timedelta(days=1)),
            inv(amount=700, paid=700, account="UT-200001"),
            inv(amount=9_000, account="PT-100001", department="property_tax"),
        ]

        class Accounts(FakeReader):
            def accounts(self, customer_id, *, limit, start):
                return Page([water, tax], None)

        page = portal_views.accounts(
            Accounts(invoices=invoices, credit_notes=[b.credit_note(CID, "UT-200001", amount=250)]),
            CID,
            today=TODAY,
            limit=10,
            start=None,
        )
        rows = {r.account.account_number: r for r in page.accounts}
        assert (rows["UT-200001"].balance, rows["UT-200001"].overdue, rows["UT-200001"].open_invoices) == (
            2_500,
            1_500,
            2,
        )
        assert rows["UT-200001"].credit == 250 and rows["PT-100001"].balance == 9_000 and rows["PT-100001"].credit == 0
