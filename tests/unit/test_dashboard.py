from datetime import timedelta

from arportal.domain.dashboard import build_dashboard
from tests import builders as b


def test_dashboard_totals_per_account_and_overall():
    # Given a customer with two accounts, one overdue invoice, one due soon, one paid, credit and a plan
    c = b.customer()
    water, tax = b.account(c.customer_id), b.account(c.customer_id, number="PT-100001", department="property_tax")
    overdue = b.invoice(c.customer_id, water.account_number, amount=5000, paid=1000, due=b.TODAY - timedelta(days=10))
    soon = b.invoice(
        c.customer_id, tax.account_number, amount=20000, due=b.TODAY + timedelta(days=5), department="property_tax"
    )
    paid = b.invoice(c.customer_id, water.account_number, amount=3000, paid=3000)
    credit = b.credit_note(c.customer_id, water.account_number, amount=700)
    plan = b.plan(c.customer_id, tax.account_number)

    # When the dashboard is built
    d = build_dashboard(
        currency="USD",
        today=b.TODAY,
        accounts=[water, tax],
        open_invoices=[overdue, soon, paid],
        credit_notes=[credit],
        schedules=[plan],
        recent_payments=[],
    )

    # Then it shows what is owed, overdue, next and held as credit
    assert d.owing == 4000 + 20000
    assert d.overdue == 4000
    assert d.credit == 700
    assert d.next_due is not None and d.next_due.due_date == soon.due_date and d.next_due.amount == 20000
    assert [i.invoice_id for i in d.open_invoices] == [overdue.invoice_id, soon.invoice_id]
    by_account = {s.account.account_number: s for s in d.accounts}
    assert by_account[water.account_number].owing == 4000 and by_account[water.account_number].overdue == 4000
    assert by_account[water.account_number].next_due is None
    assert by_account[tax.account_number].open_invoices == 1
    assert [u.amount for u in d.upcoming] == [2000, 2000]


def test_empty_customer_owes_nothing():
    d = build_dashboard(
        currency="USD", today=b.TODAY, accounts=[], open_invoices=[], credit_notes=[], schedules=[], recent_payments=[]
    )
    assert (d.owing, d.overdue, d.credit, d.next_due) == (0, 0, 0, None)


def _notice(customer_id: str, account_number: str | None, minutes: int, *, read: bool = False, kind=None):
    from arportal.domain.models import Document, DocumentKind

    at = b.NOW + timedelta(minutes=minutes)
    return Document(
        document_id=f"doc_{b.n():026d}",
        customer_id=customer_id,
        kind=kind or DocumentKind.NOTICE,
        title=f"Notice {minutes}",
        filename="notice.pdf",
        content_type="application/pdf",
        size=10,
        storage_key="customers/x/notices/n.pdf",
        created_at=at,
        document_date=at.date(),
        created_by="integration:test",
        account_number=account_number,
        read_at=at if read else None,
    )


def test_unread_notices_per_account_and_in_total_newest_first():
    # Given four unread notices on the water account, one on tax, one on no account, a read one and a tax form
    from arportal.domain.dashboard import LATEST_NOTICES
    from arportal.domain.models import DocumentKind

    c = b.customer()
    water, tax = b.account(c.customer_id), b.account(c.customer_id, number="PT-100002", department="property_tax")
    on_water = [_notice(c.customer_id, water.account_number, m) for m in (1, 4, 2, 3)]
    on_tax = _notice(c.customer_id, tax.account_number, 5)
    general = _notice(c.customer_id, None, 6)
    read = _notice(c.customer_id, water.account_number, 9, read=True)
    form = _notice(c.customer_id, water.account_number, 8, kind=DocumentKind.TAX_FORM)

    # When the dashboard is built
    d = build_dashboard(
        currency="USD",
        today=b.TODAY,
        accounts=[water, tax],
        open_invoices=[],
        credit_notes=[],
        schedules=[],
        recent_payments=[],
        notices=[*on_water, on_tax, general, read, form],
    )

    # Then only unread notices count, each account has its own, the total has every one, the latest first
    assert d.notices.count == 6
    assert [n.title for n in d.notices.latest] == ["Notice 6", "Notice 5", "Notice 4"][:LATEST_NOTICES]
    by_account = {s.account.account_number: s.notices for s in d.accounts}
    assert by_account[water.account_number].count == 4
    assert [n.title for n in by_account[water.account_number].latest] == ["Notice 4", "Notice 3", "Notice 2"]
    assert by_account[tax.account_number].count == 1 and by_account[tax.account_number].latest == [on_tax]
