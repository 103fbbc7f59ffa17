"""The payout records: a balance transaction's net is its amount less its fee, and a payout is what its nets add to."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from arportal.domain.payouts import BalanceTransaction, BalanceType, Payout, PayoutStatus, payout_difference

AT = datetime(2026, 11, 10, 4, tzinfo=UTC)


def line(amount: int, fee: int, net: int | None = None, **changes) -> BalanceTransaction:
    values = {
        "id": "txn_1",
        "payout_id": "po_1",
        "type": BalanceType.CHARGE,
        "source_transaction_id": "pi_1",
        "amount": amount,
        "fee": fee,
        "net": amount - fee if net is None else net,
        "currency": "USD",
        "available_on": date(2026, 11, 12),
        "created_at": AT,
        **changes,
    }
    return BalanceTransaction(**values)


def test_a_net_that_is_not_the_amount_less_the_fee_is_refused():
    assert line(10_000, 320).net == 9_680
    with pytest.raises(ValueError, match="net"):
        line(10_000, 320, net=10_000)


@pytest.mark.parametrize("changes", [{"currency": "usd"}, {"created_at": AT.replace(tzinfo=None)}])
def test_a_lower_case_currency_or_a_naive_time_is_refused(changes):
    with pytest.raises(ValueError):
        line(100, 0, **changes)


def test_a_payout_is_whole_when_its_transactions_add_up_to_it():
    lines = [line(10_000, 320), line(-4_000, 0, type=BalanceType.REFUND, id="txn_2")]
    payout = Payout("po_1", "sandbox", 5_680, "USD", date(2026, 11, 12), PayoutStatus.PAID, None, AT)
    assert payout_difference(payout, lines) == 0
    assert payout_difference(payout, lines[:1]) == -4_000
