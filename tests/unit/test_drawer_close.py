"""The drawer close-out's rules (``domain/drawer_close.py``): which payments a close takes, what the drawer should
hold, over/short, the checks on a count, and when a submit repeats the close just made."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.domain import drawer_close as rules
from arportal.domain.drawer_close import ChequeCounted, DrawerCount
from arportal.domain.models import Channel, MethodDetail, Payment, PaymentMethodType
from arportal.domain.status import PaymentStatus
from tests import builders as b

S = PaymentStatus
T0 = b.NOW


def counter(
    method: str = "cash",
    amount: int = 1_000,
    *,
    status: PaymentStatus = S.POSTED,
    terminal: str = "T1",
    drawer: str = "D1",
    at_minutes: int = 0,
    refunded: int = 0,
    fee: int = 0,
    channel: Channel = Channel.COUNTER,
    currency: str = "USD",
) -> Payment:
    cheque = f"{b.n():06d}" if method == "cheque" else None
    return b.payment("CUS-000500", amount=amount, status=status, at=T0 + timedelta(minutes=at_minutes)).model_copy(
        update={
            "method": MethodDetail(type=PaymentMethodType(method), cheque_number=cheque),
            "channel": channel,
            "terminal_id": terminal,
            "drawer_id": drawer,
            "refunded": refunded,
            "fee_amount": fee,
            "currency": currency,
            "processor": "counter",
            "transaction_id": None,
        }
    )


def test_a_close_takes_the_drawers_cash_and_cheques_up_to_its_time_and_not_yet_deposited():
    cash, cheque = counter("cash", 2_000), counter("cheque", 7_500, at_minutes=1)
    deposited = counter("cash", 900)
    later = counter("cash", 100, at_minutes=90)
    others = [
        counter("cash", terminal="T2"),
        counter("cash", drawer="D2"),
        counter("card"),
        counter("cash", channel=Channel.PHONE),
        counter("cash", status=S.FAILED),
        counter("cash", status=S.PENDING),
    ]
    taken = rules.takes(
        [later, cheque, *others, deposited, cash], "T1", "D1", through=T0 + timedelta(minutes=60),
        deposited={deposited.payment_id},
    )  # fmt: skip
    assert [t.payment_id for t in taken] == [cash.payment_id, cheque.payment_id]  # oldest first
    assert rules.expected(taken) == {"cash": 2_000, "cheque": 7_500}
    assert taken[1].cheque_number == cheque.method.cheque_number


def test_what_went_back_out_of_the_drawer_is_not_expected_in_it():
    assert rules.in_drawer(counter("cash", 3_000, status=S.VOIDED)) == 0
    assert rules.in_drawer(counter("cash", 3_000, status=S.PARTIALLY_REFUNDED, refunded=1_000)) == 2_000
    assert rules.in_drawer(counter("cash", 3_000, status=S.REFUNDED, refunded=3_000)) == 0
    assert rules.in_drawer(counter("cash", 3_000, fee=150)) == 3_150  # the fee was paid in cash too


def test_over_short_is_counted_less_expected_per_method():
    assert rules.over_short({"cash": 5_000, "cheque": 7_500}, {"cash": 4_500, "cheque": 7_600}) == {
        "cash": -500,
        "cheque": 100,
    }


def test_an_over_or_short_needs_a_note_and_an_empty_drawer_is_not_closed():
    taken = rules.takes([counter("cash", 1_000)], "T1", "D1", through=T0, deposited=set())
    with pytest.raises(rules.OverShortNoteError):
        rules.check_count(DrawerCount("USD", 500, 0), taken, {"cash": -500, "cheque": 0})
    rules.check_count(DrawerCount("USD", 500, 0, note="a 5.00 note missing"), taken, {"cash": -500, "cheque": 0})
    rules.check_count(DrawerCount("USD", 1_000, 0), taken, {"cash": 0, "cheque": 0})
    with pytest.raises(rules.NothingToCloseError):
        rules.check_count(DrawerCount("USD", 0, 0), [], {"cash": 0, "cheque": 0})
    rules.check_count(DrawerCount("USD", 2_000, 0, note="found in the drawer"), [], {"cash": 2_000, "cheque": 0})


def test_the_slip_lists_the_cheques_counted_or_those_taken_when_the_total_agrees():
    first, second = counter("cheque", 1_200), counter("cheque", 800, at_minutes=1)
    taken = rules.takes([first, second], "T1", "D1", through=T0 + timedelta(hours=1), deposited=set())
    from_payments = rules.counted_cheques(DrawerCount("USD", 0, 2_000), taken, 2_000)
    assert from_payments == (
        ChequeCounted(1_200, first.method.cheque_number),
        ChequeCounted(800, second.method.cheque_number),
    )
    listed = (ChequeCounted(1_200, "100"), ChequeCounted(700, "101"))
    assert rules.counted_cheques(DrawerCount("USD", 0, 1_900, listed), taken, 2_000) == listed
    with pytest.raises(rules.ChequeListError):
        rules.counted_cheques(DrawerCount("USD", 0, 2_000, listed), taken, 2_000)  # the list adds up to 1,900
    with pytest.raises(rules.ChequeListError):
        rules.counted_cheques(DrawerCount("USD", 0, 1_900), taken, 2_000)  # short, and no list of what is there


def test_a_count_in_another_currency_is_a_mismatch():
    assert rules.currency_mismatch(DrawerCount("USD", 1, 0), "USD", [counter()]) is None
    assert "EUR" in (rules.currency_mismatch(DrawerCount("EUR", 1, 0), "USD", [counter()]) or "")
    assert "CAD" in (rules.currency_mismatch(DrawerCount("USD", 1, 0), "USD", [counter(currency="CAD")]) or "")


def test_a_repeat_is_the_same_count_with_nothing_taken_since():
    taken = rules.takes([counter("cash", 1_000)], "T1", "D1", through=T0, deposited=set())
    last = _close(taken, DrawerCount("USD", 1_000, 0))
    assert rules.is_repeat(last, DrawerCount("USD", 1_000, 0), [])
    assert not rules.is_repeat(last, DrawerCount("USD", 1_100, 0), [])  # another count: a new close
    assert not rules.is_repeat(last, DrawerCount("USD", 1_000, 0), taken)  # payments since: a new close
    assert not rules.is_repeat(None, DrawerCount("USD", 1_000, 0), [])


def test_the_same_wrong_count_of_one_period_names_one_reconciliation_item():
    count = DrawerCount("EUR", 1_000, 0)
    first = rules.mismatch_item_id("T1", "D1", "dep_1", count)
    assert first == rules.mismatch_item_id("T1", "D1", "dep_1", count)
    assert first != rules.mismatch_item_id("T1", "D1", "dep_2", count)
    assert first.startswith("rec_") and len(first) == 24


def _close(taken: list[rules.TakenPayment], count: DrawerCount) -> rules.DrawerClose:
    expected = rules.expected(taken)
    return rules.DrawerClose(
        deposit_id="dep_X", terminal_id="T1", drawer_id="D1", currency=count.currency, period_from=None, through=T0,
        business_date=T0.date(), expected=expected, counted=count.by_method(),
        over_short=rules.over_short(expected, count.by_method()), payments=tuple(taken), cheques=(), note=None,
        closed_by="staff:x", closed_at=T0,
    )  # fmt: skip


_payments = st.lists(
    st.builds(
        counter,
        method=st.sampled_from(["cash", "cheque", "card"]),
        amount=st.integers(1, 1_000_000),
        status=st.sampled_from(list(S)),
        terminal=st.sampled_from(["T1", "T2"]),
        drawer=st.sampled_from(["D1", "D2"]),
        at_minutes=st.integers(-600, 600),
    ),
    max_size=25,
)


@given(payments=_payments, cut=st.integers(-600, 600), counted=st.tuples(st.integers(0, 10**7), st.integers(0, 10**7)))
def test_properties_of_a_close(payments, cut, counted):
    through = T0 + timedelta(minutes=cut)
    taken = rules.takes(payments, "T1", "D1", through=through, deposited=set())
    ids = {t.payment_id for t in taken}
    # every payment taken is the drawer's, received, and no later than the close; none is left out
    for p in payments:
        wanted = rules.belongs(p, "T1", "D1") and p.created_at <= through
        assert (p.payment_id in ids) is wanted
    # expected is the sum of what each left in the drawer, never negative
    expected = rules.expected(taken)
    assert sum(expected.values()) == sum(t.in_drawer for t in taken) and min(expected.values()) >= 0
    # over/short is exactly the difference, so counted = expected + over_short
    count = dict(zip(rules.METHODS, counted, strict=True))
    diff = rules.over_short(expected, count)
    assert all(expected[m] + diff[m] == count[m] for m in rules.METHODS)
    # a second close at the same time takes nothing of what the first took
    again = rules.takes(payments, "T1", "D1", through=through, deposited=ids)
    assert again == []
