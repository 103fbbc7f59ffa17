"""When a returned ACH debit may be presented again (``domain/representment.py``) and how a payment's history
names its return (``nacha_returns.return_note`` / ``code_in``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from arportal.domain import nacha_returns
from arportal.domain.models import Channel, MethodDetail, Payment, PaymentMethodType, SeriesRef, StatusChange
from arportal.domain.representment import representment, return_code
from arportal.domain.status import PaymentStatus

DAY = datetime(2030, 3, 4, 15, tzinfo=UTC)


def _debit(note: str | None, *, status=PaymentStatus.REVERSED, method=PaymentMethodType.ACH, attempt=1, series=None):
    history = [StatusChange(status=PaymentStatus.PENDING, at=DAY, by="processor")]
    history.append(StatusChange(status=status, at=DAY + timedelta(days=3), by="processor:sandbox", note=note))
    return Payment(
        payment_id="pay_01ABCDEFGHJKMNPQRSTVWXYZ12", customer_id="CUS-AB12CD34", amount=3_000, currency="USD",
        method=MethodDetail(type=method, last4="2227"), channel=Channel.PORTAL, status=status, history=history,
        processor="sandbox", transaction_id="sbx_abc", created_at=DAY, attempt=attempt, series=series,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("note", "code"),
    [
        (nacha_returns.return_note("r01"), "R01"),
        (nacha_returns.return_note("R09"), "R09"),
        ("insufficient_funds", "R01"),  # the processor's word for it
        ("debit_not_authorized", "R10"),
        ("ACH return R99: ?", None),  # not a code NACHA has
        ("card_declined", None),
        (None, None),
    ],
)
def test_the_return_code_is_read_back_from_the_history(note, code):
    assert nacha_returns.code_in(note) == code
    assert return_code(_debit(note)) == code


def test_an_r01_return_may_be_presented_again_as_the_series_next_try():
    answer = representment(_debit("insufficient_funds"), DAY.date() + timedelta(days=5))
    assert answer.allowed and answer.return_code == "R01" and answer.presentments == 1
    assert answer.key == "pay_01ABCDEFGHJKMNPQRSTVWXYZ12:2" and answer.first_presented_on == DAY.date()


def test_a_debit_that_failed_before_settling_counts_as_returned():
    assert representment(_debit("insufficient_funds", status=PaymentStatus.FAILED), DAY.date()).allowed


def test_a_later_presentment_counts_from_the_series_first_day_and_stops_at_three():
    first = SeriesRef(
        series_id="pay_01FIRST0000000000000000000", started_at=DAY - timedelta(days=170), channel=Channel.PORTAL,
        method=PaymentMethodType.ACH,
    )  # fmt: skip
    second = _debit("R09 uncollected", attempt=2, series=first)
    answer = representment(second, DAY.date())
    assert answer.allowed and answer.key == "pay_01FIRST0000000000000000000:3"
    assert answer.first_presented_on == date(2029, 9, 15)
    late = representment(second, DAY.date() + timedelta(days=11))  # 181 days after the first presentment
    assert not late.allowed and "180 days" in late.reason
    third = representment(_debit("insufficient_funds", attempt=3, series=first), DAY.date())
    assert not third.allowed and "presented 3 times" in third.reason


@pytest.mark.parametrize(
    ("payment", "why"),
    [
        (_debit("debit_not_authorized"), "only R01 and R09"),
        (_debit(nacha_returns.return_note("R02")), "R02"),
        (_debit("insufficient_funds", status=PaymentStatus.POSTED), "not returned"),
        (_debit("insufficient_funds", method=PaymentMethodType.CARD), "only an ACH debit"),
    ],
)
def test_what_is_never_presented_again_says_why(payment, why):
    answer = representment(payment, DAY.date())
    assert not answer.allowed and why in answer.reason
