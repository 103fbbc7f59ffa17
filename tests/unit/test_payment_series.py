"""``payments.pay`` links a payer's tries when its ledger keeps open series (``ports/payment_series.py``): a decline
leaves its series open, the next try at the same invoices continues it and closes it by succeeding, a try at other
invoices or after the window starts its own, and a series store that fails never fails the payment."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from arportal.adapters.sandbox import SandboxProcessor
from arportal.domain.errors import DependencyError
from arportal.domain.payment_series import SERIES_WINDOW, OpenSeries
from arportal.domain.status import PaymentStatus
from arportal.ports.payment_series import SeriesTracking
from arportal.services.payments import pay
from tests import builders as b
from tests.fakes import CountingProcessor, InMemoryPaymentPosting
from tests.unit.test_payments import CID, CONFIG, cmd


class SeriesLedger(InMemoryPaymentPosting):
    """The in-memory ledger, keeping open series as the DynamoDB ledger does (one item per customer and thing)."""

    def __init__(self, *args, failing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.series: dict[tuple[str, str], tuple[OpenSeries, datetime]] = {}
        self.failing = failing

    def open_series(self, customer_id: str, key: str, *, now: datetime) -> OpenSeries | None:
        if self.failing:
            raise DependencyError("storage down")
        held = self.series.get((customer_id, key))
        return held[0] if held and held[1] >= now else None

    def keep_series(self, customer_id: str, key: str, series: OpenSeries, *, until: datetime) -> None:
        if self.failing:
            raise DependencyError("storage down")
        self.series[(customer_id, key)] = (series, until)

    def close_series(self, customer_id: str, key: str, series_id: str) -> None:
        held = self.series.get((customer_id, key))
        if held and held[0].ref.series_id == series_id:
            del self.series[(customer_id, key)]


@pytest.fixture
def world():
    acct = b.account(CID, number="UT-200100")
    one = b.invoice(CID, acct.account_number, amount=3000, due=b.TODAY - timedelta(days=30))
    other = b.invoice(CID, acct.account_number, amount=5000, due=b.TODAY + timedelta(days=10))
    return SeriesLedger([one, other], [acct]), one, other


def _pay(ledger, invoice, token: str, at: datetime):
    command = cmd(1_000, token=token, invoices=((invoice.invoice_id, 1_000),))
    return pay(command, ledger=ledger, processor=CountingProcessor(SandboxProcessor()), config=CONFIG, now=at).payment


def test_a_decline_then_a_success_at_the_same_invoice_is_one_series(world):
    ledger, one, _ = world
    assert isinstance(ledger, SeriesTracking)
    first = _pay(ledger, one, "tok_declined", b.NOW)
    second = _pay(ledger, one, "tok_declined", b.NOW + timedelta(minutes=2))
    third = _pay(ledger, one, "tok_visa", b.NOW + timedelta(minutes=5))
    assert first.status is PaymentStatus.FAILED and first.series is None and first.attempt == 1
    assert second.series is not None and second.series.series_id == first.payment_id and second.attempt == 2
    assert third.status is PaymentStatus.POSTED and third.series == second.series and third.attempt == 3
    assert ledger.series == {}  # the success closed it
    fourth = _pay(ledger, one, "tok_visa", b.NOW + timedelta(minutes=6))
    assert fourth.series is None  # paying the same invoice again is a series of its own


def test_a_try_at_other_invoices_or_after_the_window_starts_its_own(world):
    ledger, one, other = world
    first = _pay(ledger, one, "tok_declined", b.NOW)
    assert _pay(ledger, other, "tok_visa", b.NOW + timedelta(minutes=1)).series is None
    late = _pay(ledger, one, "tok_visa", first.created_at + SERIES_WINDOW + timedelta(minutes=1))
    assert late.series is None


def test_a_failing_series_store_never_fails_the_payment(world):
    ledger, one, _ = world
    ledger.failing = True
    first = _pay(ledger, one, "tok_declined", b.NOW)
    paid = _pay(ledger, one, "tok_visa", b.NOW + timedelta(minutes=1))
    assert first.status is PaymentStatus.FAILED and paid.status is PaymentStatus.POSTED and paid.series is None
