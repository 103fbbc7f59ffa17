"""The customer record, activity browsing and payment status services, against in-memory fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from arportal.domain.balances import SourceBalance, ledger_balance
from arportal.domain.errors import BusinessRuleError, NotFoundError
from arportal.domain.models import AccountStatus, Approval, StatusChange
from arportal.domain.status import PaymentStatus
from arportal.ports import CustomerHeader, CustomerOpenItems, Page, PaymentStatusRecord
from arportal.services import activity, customer_record
from arportal.services.payment_status_view import milestones, payment_status
from tests import builders as b

CID = "CUS-0001ABCD"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
S = PaymentStatus


class Queries:
    def __init__(self, header, live, payments=(), approvals=()) -> None:
        self._header, self._live, self._payments, self._approvals = header, live, list(payments), list(approvals)
        self.asked: list[str] = []

    def header(self, customer_id):
        self.asked.append("header")
        return self._header

    def open_items(self, customer_id):
        self.asked.append("open_items")
        return self._live

    def payments(self, customer_id, *, limit, start):
        return Page(self._payments[:limit], {"more": 1} if len(self._payments) > limit else None)

    def invoices(self, customer_id, *, limit, start):
        return Page([], None)

    def interactions(self, customer_id, *, limit, start):
        return Page([], None)

    def documents(self, customer_id, *, limit, start):
        return Page([], None)

    def pending_approvals(self, *, customer_id, limit):
        return [a for a in self._approvals if a.customer_id == customer_id][:limit]


class Chooser:
    """The ledger for every department, from the open invoices the record read: what the service hands it."""

    def __init__(self, last_known, open_invoices) -> None:
        self.last_known, self.open_invoices = last_known, open_invoices

    def connector(self, department):
        chooser = self

        class Ledger:
            source = "ledger"

            def balance(self, customer_id, numbers):
                return ledger_balance(
                    department, numbers, chooser.open_invoices(customer_id), currency="USD", as_of=NOW
                )

        return Ledger()


@pytest.fixture
def record_world():
    water = b.account(CID, number="UT-200001")
    tax = b.account(CID, number="PT-100001", department="property_tax")
    closed = b.account(CID, number="UT-200002").model_copy(update={"status": AccountStatus.CLOSED})
    invoices = [
        b.invoice(CID, water.account_number, amount=1_000, due=b.TODAY - timedelta(days=3)),
        b.invoice(CID, tax.account_number, amount=5_000, department="property_tax"),
    ]
    known = {"parking": SourceBalance("P", "parking", 1, "USD", NOW, fresh=True)}
    header = CustomerHeader(b.customer(CID), [water, tax, closed], known)
    live = CustomerOpenItems(invoices, [b.credit_note(CID, water.account_number, amount=300)], [])
    approval = Approval(
        approval_id="apr_1",
        action="refund",
        requested_by="staff:x",
        amount=100,
        currency="USD",
        target_id="pay_1",
        reason="dup",
        created_at=NOW,
        customer_id=CID,
    )
    payments = [b.payment(CID) for _ in range(12)]
    return Queries(header, live, payments, [approval]), known


def test_the_record_brings_every_part_together(record_world):
    queries, known = record_world
    chosen = {}

    def choose(last_known, open_invoices):
        chosen["last_known"] = last_known
        return Chooser(last_known, open_invoices)

    record = customer_record.customer_record(queries, queries, choose, CID, today=b.TODAY, currency="USD")
    assert record.summary.owing == 6_000 and record.summary.overdue == 1_000 and record.summary.credit == 300
    assert record.open_by_department == {"property_tax": 5_000, "utilities": 1_000}
    assert [s.account.account_number for s in record.summary.accounts] == ["PT-100001", "UT-200001"]  # active
    assert len(record.accounts) == 3
    assert {x.department: x.amount for x in record.balances.balances} == {"property_tax": 5_000, "utilities": 1_000}
    assert chosen["last_known"] is known  # the header's last known answers reach the connectors
    assert len(record.payments.items) == customer_record.RECENT_PAYMENTS and record.payments.next_key
    assert [a.approval_id for a in record.pending_approvals] == ["apr_1"]
    assert queries.asked.count("open_items") == 1  # the ledger's balances reuse the live items read


def test_an_unknown_customer_is_404_before_anything_else_is_read():
    queries = Queries(None, None)
    with pytest.raises(NotFoundError):
        customer_record.customer_record(queries, queries, Chooser, CID, today=b.TODAY, currency="USD")
    assert queries.asked == ["header"]
    with pytest.raises(NotFoundError):
        customer_record.payments(queries, CID, limit=5, start=None)


class Days:
    """A fake activity index: payments per day, served ``page`` at a time."""

    def __init__(self, per_day: dict[date, int], page: int = 2) -> None:
        self.per_day = {
            d: [b.payment(CID, at=datetime.combine(d, datetime.min.time(), UTC)) for _ in range(n)]
            for d, n in per_day.items()
        }
        self.page = page
        self.queries = 0

    def day_payments(self, day, where, *, limit, start):
        self.queries += 1
        found = self.per_day.get(day, [])
        offset = int(start["offset"]) if start else 0
        take = min(limit, self.page)
        chunk = found[offset : offset + take]
        more = offset + take < len(found)
        return Page(chunk, {"offset": offset + take} if more else None)


class TestBrowse:
    start, end = date(2026, 10, 1), date(2026, 10, 5)

    def test_pages_walk_back_day_by_day_and_resume_exactly(self):
        reader = Days({date(2026, 10, 5): 3, date(2026, 10, 3): 1, date(2026, 10, 1): 2})
        seen, cursor = [], None
        while True:
            page = activity.browse(
                reader, start=self.start, end=self.end, where=activity.ActivityFilter(), limit=4, cursor=cursor
            )
            seen += [p.payment_id for p in page.payments]
            cursor = page.next
            if cursor is None:
                break
        expected = [p.payment_id for d in sorted(reader.per_day, reverse=True) for p in reader.per_day[d]]
        assert seen == expected

    def test_a_page_spends_a_bounded_number_of_queries(self):
        reader = Days({}, page=1)
        page = activity.browse(
            reader, start=date(2026, 1, 1), end=date(2026, 3, 31), where=activity.ActivityFilter(), limit=10
        )
        assert page.queries == activity.MAX_QUERIES_PER_PAGE and page.payments == []
        assert page.next == activity.ActivityCursor(date(2026, 3, 31) - timedelta(days=activity.MAX_QUERIES_PER_PAGE))

    def test_the_range_is_checked(self):
        with pytest.raises(BusinessRuleError):
            activity.browse(Days({}), start=self.end, end=self.start, where=activity.ActivityFilter(), limit=1)


class TestPaymentStatus:
    def test_milestones_from_the_history(self):
        p = b.payment(CID, status=S.REFUNDED).model_copy(
            update={
                "history": [
                    StatusChange(status=S.AUTHORIZED, at=NOW, by="processor"),
                    StatusChange(status=S.POSTED, at=NOW + timedelta(minutes=1), by="processor"),
                    StatusChange(status=S.SETTLED, at=NOW + timedelta(days=2), by="system:settlement"),
                    StatusChange(status=S.PARTIALLY_REFUNDED, at=NOW + timedelta(days=3), by="staff:x"),
                    StatusChange(status=S.REFUNDED, at=NOW + timedelta(days=4), by="staff:x"),
                ]
            }
        )
        ms = milestones(p)
        assert ms.authorized_at == NOW and ms.posted_at == NOW + timedelta(minutes=1)
        assert ms.refunded_at == NOW + timedelta(days=3) and ms.voided_at is None and ms.failed_at is None

    def test_a_card_payment_posted_at_once_counts_as_authorized_then(self):
        p = b.payment(CID, at=NOW)
        assert milestones(p).authorized_at == NOW == milestones(p).posted_at

    def test_unknown_payment_is_404_and_final_states_are_said(self):
        class Reader:
            def __init__(self, record):
                self.record = record

            def payment_status(self, payment_id):
                return self.record

        with pytest.raises(NotFoundError):
            payment_status(Reader(None), "pay_x")
        failed = b.payment(CID, status=S.FAILED)
        view = payment_status(Reader(PaymentStatusRecord(failed, [], None, [])), failed.payment_id)
        assert view.final is True and view.milestones.failed_at == failed.created_at
