"""The staff payment view's ``likely_duplicate_of``: the earlier payments the reader returns, judged by the rule
in ``domain/duplicates.py`` (in-memory reader, no AWS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from arportal.domain.duplicates import PaymentFacts
from arportal.domain.models import Allocation
from arportal.domain.status import PaymentStatus
from arportal.ports import PaymentStatusRecord
from arportal.services.payment_status_view import payment_status
from tests import builders as b

CID = "CUS-DUPVIEW01"
NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=10)


class Reader:
    def __init__(self, record: PaymentStatusRecord) -> None:
        self.record, self.windows = record, []

    def payment_status(self, payment_id, *, duplicate_window=None):
        self.windows.append(duplicate_window)
        return self.record


def _allocation(payment, invoice_id: str) -> Allocation:
    return Allocation(
        payment_id=payment.payment_id,
        invoice_id=invoice_id,
        invoice_number="UT-2026-0001",
        customer_id=CID,
        account_number="UT-00001234",
        department="utilities",
        amount=payment.amount,
        currency=payment.currency,
        applied_at=payment.created_at,
    )


def _earlier(payment_id: str, *, minutes_before: int, amount: int = 5_000, status=PaymentStatus.POSTED):
    return PaymentFacts(
        payment_id, CID, amount, "USD", NOW - timedelta(minutes=minutes_before), status, frozenset({"inv_1"})
    )


def _view(earlier: list[PaymentFacts], window: timedelta | None = WINDOW):
    payment = b.payment(CID, amount=5_000, at=NOW)
    reader = Reader(PaymentStatusRecord(payment, [_allocation(payment, "inv_1")], None, [], earlier))
    return payment_status(reader, payment.payment_id, duplicate_window=window), reader


def test_the_nearest_earlier_match_within_the_window_is_named():
    view, reader = _view([_earlier("pay_A", minutes_before=8), _earlier("pay_B", minutes_before=3)])
    assert view.likely_duplicate_of == "pay_B" and reader.windows == [WINDOW]


def test_outside_the_window_other_amounts_and_failed_payments_are_not_duplicates():
    view, _ = _view(
        [
            _earlier("pay_OLD", minutes_before=11),
            _earlier("pay_LESS", minutes_before=2, amount=4_999),
            _earlier("pay_FAILED", minutes_before=1, status=PaymentStatus.FAILED),
        ]
    )
    assert view.likely_duplicate_of is None


def test_without_a_window_nothing_is_asked_or_named():
    view, reader = _view([_earlier("pay_B", minutes_before=3)], window=None)
    assert view.likely_duplicate_of is None and reader.windows == [None]
