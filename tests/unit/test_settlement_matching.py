"""The rules settlement matches payout lines to payments by, and when a payment is missing from the processor."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.banking_days import add_banking_days, is_banking_day
from arportal.domain.models import MethodDetail, Payment, PaymentMethodType, StatusChange
from arportal.domain.payouts import BalanceTransaction, BalanceType
from arportal.domain.settlement_matching import (
    LineOutcome,
    ReconciliationReason,
    days_due_for_missing_check,
    first_window_start,
    is_missing_from_processor,
    match_line,
    missing_deadline,
    reconciliation_id,
)
from arportal.domain.status import PaymentStatus
from tests import builders as b

MONDAY = date(2031, 3, 3)  # a week with no Fed holiday
AT = datetime(2031, 3, 3, 15, tzinfo=UTC)


def _payment(status: PaymentStatus = PaymentStatus.POSTED, *, method: str = "card", fee: int = 100) -> Payment:
    p = b.payment("CUS-0001", amount=4_000, status=status, at=AT, transaction_id="sbx_abcdef123")
    return p.model_copy(update={"fee_amount": fee, "method": MethodDetail(type=PaymentMethodType(method))})


def _line(kind: BalanceType = BalanceType.CHARGE, amount: int = 4_100, currency: str = "USD") -> BalanceTransaction:
    return BalanceTransaction(
        id="sbxtxn_1", payout_id="sbxpo_1", type=kind, source_transaction_id="sbx_abcdef123", amount=amount,
        fee=149, net=amount - 149, currency=currency, available_on=MONDAY, created_at=AT,
    )  # fmt: skip


def test_a_charge_of_amount_plus_fee_settles_a_posted_or_partly_refunded_payment():
    assert match_line(_line(), _payment()).outcome is LineOutcome.SETTLE
    assert match_line(_line(), _payment(PaymentStatus.PARTIALLY_REFUNDED)).outcome is LineOutcome.SETTLE


@pytest.mark.parametrize(
    "status", [PaymentStatus.SETTLED, PaymentStatus.REFUNDED, PaymentStatus.VOIDED, PaymentStatus.REVERSED]
)
def test_a_charge_of_a_payment_settled_or_moved_on_is_recorded_and_changes_nothing(status):
    assert match_line(_line(), _payment(status)).outcome is LineOutcome.RECORD


def test_a_payment_partly_refunded_after_it_settled_does_not_settle_twice():
    p = _payment()
    history = [*p.history, StatusChange(status=PaymentStatus.SETTLED, at=AT, by="s")]
    again = p.model_copy(update={"status": PaymentStatus.PARTIALLY_REFUNDED, "history": history})
    assert match_line(_line(), again).outcome is LineOutcome.RECORD


@pytest.mark.parametrize("kind", [BalanceType.REFUND, BalanceType.RETURN, BalanceType.FEE, BalanceType.DISPUTE])
def test_other_lines_of_a_known_payment_are_recorded_whatever_their_amount(kind):
    assert match_line(_line(kind, amount=-1), _payment()).outcome is LineOutcome.RECORD


@pytest.mark.parametrize("kind", list(BalanceType))
def test_a_line_of_no_known_payment_is_an_unknown_transaction(kind):
    found = match_line(_line(kind), None)
    assert found.outcome is LineOutcome.UNMATCHED and found.reason is ReconciliationReason.UNKNOWN_TRANSACTION


@pytest.mark.parametrize(("amount", "currency"), [(4_000, "USD"), (4_101, "USD"), (4_100, "CAD")])
def test_a_charge_of_another_amount_or_currency_is_an_amount_mismatch(amount, currency):
    found = match_line(_line(amount=amount, currency=currency), _payment())
    assert found.outcome is LineOutcome.UNMATCHED and found.reason is ReconciliationReason.AMOUNT_MISMATCH
    assert "4100 USD" in found.note


def test_deadlines_are_the_methods_payout_delay_plus_a_grace_day_in_banking_days():
    assert missing_deadline(_payment(method="card")) == date(2031, 3, 6)  # Monday + 2 + 1
    assert missing_deadline(_payment(method="ach")) == date(2031, 3, 7)  # Monday + 3 + 1
    friday = _payment().model_copy(update={"created_at": AT + timedelta(days=4)})
    assert missing_deadline(friday) == date(2031, 3, 12)  # over the weekend
    assert missing_deadline(_payment(method="cash")) is None
    assert missing_deadline(_payment().model_copy(update={"transaction_id": None})) is None


def test_a_payment_is_missing_from_its_deadline_while_it_has_not_settled():
    p = _payment()
    assert not is_missing_from_processor(p, date(2031, 3, 5))
    assert is_missing_from_processor(p, date(2031, 3, 6))
    assert not is_missing_from_processor(_payment(PaymentStatus.SETTLED), date(2031, 3, 20))
    assert not is_missing_from_processor(_payment(PaymentStatus.VOIDED), date(2031, 3, 20))


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)), st.integers(1, 8))
def test_every_payment_day_comes_up_once_a_deadline_of_it_falls_in_a_run(last, gap):
    # runs on consecutive windows check each (day, deadline) once, whatever the gap between runs
    today = add_banking_days(last, gap)
    checked = days_due_for_missing_check(last, today)
    for day in checked:
        assert any(last < add_banking_days(day, d) <= today for d in (3, 4))
    start = add_banking_days(last, -6)
    for offset in range((today - start).days + 1):
        day = start + timedelta(days=offset)
        if any(last < add_banking_days(day, d) <= today for d in (3, 4)):
            assert day in checked


def test_the_first_run_looks_back_ten_banking_days_and_ids_are_stable():
    assert first_window_start(date(2031, 3, 14)) == date(2031, 2, 28)
    assert is_banking_day(first_window_start(date(2031, 3, 14)))
    a = reconciliation_id(ReconciliationReason.UNKNOWN_TRANSACTION, "sbxtxn_1")
    assert a == reconciliation_id(ReconciliationReason.UNKNOWN_TRANSACTION, "sbxtxn_1")
    assert a != reconciliation_id(ReconciliationReason.AMOUNT_MISMATCH, "sbxtxn_1")
