from arportal.domain.fees import FeeRule, FeeSchedule
from arportal.domain.models import PaymentMethodType as M

SCHEDULE = FeeSchedule(
    rules={
        M.CARD: FeeRule(fixed=30, basis_points=250),
        M.ACH: FeeRule(fixed=100, cap=100),
        M.WALLET: FeeRule(basis_points=250, cap=500),
    }
)


def test_fee_is_fixed_plus_basis_points_rounded_half_up():
    assert SCHEDULE.fee_for(M.CARD, 10_000) == 30 + 250
    assert SCHEDULE.fee_for(M.CARD, 1_002) == 30 + 25  # 25.05 -> 25
    assert SCHEDULE.fee_for(M.CARD, 1_020) == 30 + 26  # 25.5 -> 26


def test_caps_and_free_methods():
    assert SCHEDULE.fee_for(M.WALLET, 1_000_000) == 500
    assert SCHEDULE.fee_for(M.ACH, 50) == 100
    assert SCHEDULE.fee_for(M.DEBIT, 10_000) == 0
    assert SCHEDULE.fee_for(M.CARD, 0) == 0
