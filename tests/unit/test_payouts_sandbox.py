"""The sandbox's payouts, built from the charges, refunds and ACH moves it recorded, on the product's clock.

November 2026 has two Federal Reserve holidays on weekdays: Veterans Day (Wednesday 11th) and Thanksgiving
(Thursday 26th). The fixed dates below are worked out by hand from that calendar; the month-long tests count with
``banking_days``, itself checked against the Federal Reserve's published lists (``test_banking_days``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest

from arportal import clock
from arportal.adapters.processors import payout_rules
from arportal.adapters.sandbox import SandboxProcessor
from arportal.adapters.sandbox_payouts import PayoutRules, payouts_between
from arportal.adapters.sandbox_store import InMemorySandboxStore
from arportal.config import RuntimeSettings
from arportal.domain.banking_days import add_banking_days, is_banking_day, next_banking_day
from arportal.domain.errors import NotFoundError
from arportal.domain.payouts import BalanceTransaction, BalanceType, Payout, PayoutStatus
from arportal.ports import ActivityKind, ChargeRequest, PaymentProcessor, SandboxActivity
from tests.unit.test_payments_config import environment

NO_SURPRISES = PayoutRules(split_one_day_in=0, late_one_day_in=0)


@pytest.fixture
def moment() -> Iterator[clock.FrozenClock]:
    frozen = clock.FrozenClock(datetime(2026, 11, 2, 15, tzinfo=UTC))
    with clock.using(frozen):
        yield frozen


def on(moment: clock.FrozenClock, day: str, hour: int = 15) -> None:
    """Move the product's clock forward to ``day`` at ``hour`` UTC."""
    moment.advance(datetime.combine(date.fromisoformat(day), time(hour), UTC) - moment.now())


def sandbox(rules: PayoutRules = NO_SURPRISES, store: InMemorySandboxStore | None = None) -> SandboxProcessor:
    return SandboxProcessor(store=store or InMemorySandboxStore.private(), payout_rules=rules)


def pay(processor: SandboxProcessor, amount: int, token: str = "tok_visa", key: str | None = None) -> str:
    result = processor.charge(ChargeRequest(key or f"k-{uuid.uuid4().hex}", amount, "USD", token, "Permit"))
    assert result.transaction_id is not None
    return result.transaction_id


def refund(processor: SandboxProcessor, transaction_id: str, amount: int, key: str | None = None) -> None:
    assert processor.refund(transaction_id, amount, idempotency_key=key or f"r-{uuid.uuid4().hex}").succeeded


def everything(processor: PaymentProcessor, since: str, until: str) -> dict[Payout, list[BalanceTransaction]]:
    found = processor.payouts(arrived_since=date.fromisoformat(since), arrived_until=date.fromisoformat(until))
    return {payout: processor.payout_transactions(payout.payout_id) for payout in found}


def arrivals(payouts: dict[Payout, list[BalanceTransaction]]) -> dict[str, list[tuple[str, int, int]]]:
    """Arrival date -> (type, amount, fee) of every transaction arriving then, sorted."""
    out: dict[str, list[tuple[str, int, int]]] = {}
    for payout, lines in payouts.items():
        out.setdefault(payout.arrival_date.isoformat(), []).extend((t.type.value, t.amount, t.fee) for t in lines)
    return {day: sorted(lines) for day, lines in out.items()}


def test_it_is_a_payment_processor_with_payouts():
    processor: PaymentProcessor = sandbox()
    assert processor.payouts(arrived_since=date(2026, 11, 2), arrived_until=date(2026, 11, 30)) == []


def test_a_card_charge_arrives_two_banking_days_later_less_the_fee(moment):
    p = sandbox()
    on(moment, "2026-11-09")  # Monday; Wednesday 11th is Veterans Day
    txn = pay(p, 10_000)
    on(moment, "2026-11-13")
    (payout,) = p.payouts(arrived_since=date(2026, 11, 9), arrived_until=date(2026, 11, 13))
    assert (payout.arrival_date, payout.amount, payout.currency) == (date(2026, 11, 12), 10_000 - 320, "USD")
    assert payout.status is PayoutStatus.PAID and payout.processor == "sandbox" and payout.bank_trace_id
    (line,) = p.payout_transactions(payout.payout_id)
    assert (line.type, line.source_transaction_id, line.amount, line.fee, line.net) == (
        BalanceType.CHARGE,
        txn,
        10_000,
        320,  # 2.9 % + 30c
        9_680,
    )
    assert line.payout_id == payout.payout_id and line.available_on == date(2026, 11, 12)


def test_an_ach_debit_arrives_three_banking_days_after_it_was_charged_once_settled(moment):
    p = sandbox()
    on(moment, "2026-11-23")  # Monday of Thanksgiving week
    small, large, failed = pay(p, 10_000, "tok_ach"), pay(p, 100_000, "tok_ach"), pay(p, 5_000, "tok_ach")
    on(moment, "2026-11-24")
    p.ach_event(small, "settle")
    p.ach_event(large, "settle")
    p.ach_event(failed, "fail")
    on(moment, "2026-12-01")
    # Monday + 3 banking days, Thanksgiving skipped: Friday the 27th
    assert arrivals(everything(p, "2026-11-23", "2026-12-01")) == {
        "2026-11-27": [("charge", 10_000, 80), ("charge", 100_000, 500)]  # 0.8 %, capped at $5; the failed one never
    }


def test_an_ach_debit_settled_late_goes_out_with_the_first_payout_after_it_settled(moment):
    p = sandbox()
    on(moment, "2026-11-02")
    txn = pay(p, 20_000, "tok_ach")
    on(moment, "2026-11-06")  # settled on Friday, after its T+3 (Thursday 5th) payout was made
    p.ach_event(txn, "settle")
    on(moment, "2026-11-16")
    assert arrivals(everything(p, "2026-11-02", "2026-11-16")) == {"2026-11-10": [("charge", 20_000, 160)]}


def test_refunds_and_returns_are_taken_out_of_the_payout_of_the_day_they_happen(moment):
    p = sandbox()
    on(moment, "2026-11-02")
    card, ach = pay(p, 10_000), pay(p, 30_000, "tok_ach_return")
    on(moment, "2026-11-03")
    p.ach_event(ach, "settle")
    on(moment, "2026-11-04")
    refund(p, card, 4_000)
    pay(p, 5_000)
    on(moment, "2026-11-09")
    p.ach_event(ach, "return")
    on(moment, "2026-11-20")
    assert arrivals(everything(p, "2026-11-02", "2026-11-20")) == {
        "2026-11-04": [("charge", 10_000, 320)],
        "2026-11-05": [("charge", 30_000, 240)],
        "2026-11-06": [("charge", 5_000, 175), ("refund", -4_000, 0)],  # with Wednesday's own charges
        "2026-11-12": [("return", -30_000, 0)],  # Monday 9th + 2, Veterans Day skipped
    }


def test_fees_and_refunds_not_netted_are_debited_by_a_payout_of_their_own(moment):
    p = sandbox(PayoutRules(fees_netted=False, refunds_netted=False, split_one_day_in=0, late_one_day_in=0))
    on(moment, "2026-11-02")
    first = pay(p, 10_000)
    on(moment, "2026-11-04")
    pay(p, 5_000)
    refund(p, first, 1_000)
    on(moment, "2026-11-09")
    payouts = everything(p, "2026-11-02", "2026-11-09")
    shapes = sorted((x.arrival_date.day, x.payout_id[-2], x.amount) for x in payouts)
    assert shapes == [(4, "d", -320), (4, "m", 10_000), (6, "d", -175 - 1_000), (6, "m", 5_000)]
    debits = {x.arrival_date.day: lines for x, lines in payouts.items() if x.payout_id.endswith("d1")}
    assert [(t.type, t.source_transaction_id, t.amount) for t in debits[4]] == [(BalanceType.FEE, first, -320)]


def test_a_payout_exists_from_the_banking_day_before_it_arrives(moment):
    p = sandbox()
    on(moment, "2026-11-10")  # Tuesday: arrives Friday 13th (Veterans Day between)
    pay(p, 10_000)
    seen = {}
    for day in ("2026-11-11", "2026-11-12", "2026-11-13"):
        on(moment, day)
        seen[day] = [
            (x.arrival_date.day, x.status)
            for x in p.payouts(arrived_since=date(2026, 11, 1), arrived_until=date(2026, 11, 30))
        ]
    assert seen == {
        "2026-11-11": [],
        "2026-11-12": [(13, PayoutStatus.IN_TRANSIT)],
        "2026-11-13": [(13, PayoutStatus.PAID)],
    }
    assert p.payouts(arrived_since=date(2026, 11, 14), arrived_until=date(2026, 11, 12)) == []


def test_a_split_day_pays_out_in_two_payouts_that_add_up(moment):
    p = sandbox(PayoutRules(split_one_day_in=1, late_one_day_in=0))  # every day splits
    on(moment, "2026-11-02")
    charged = [pay(p, amount) for amount in (1_000, 2_000, 3_000)]
    on(moment, "2026-11-05")
    payouts = everything(p, "2026-11-04", "2026-11-04")
    assert sorted(len(lines) for lines in payouts.values()) == [1, 2]
    assert {t.source_transaction_id for lines in payouts.values() for t in lines} == set(charged)
    assert all(x.amount == sum(t.net for t in lines) for x, lines in payouts.items())
    assert sum(x.amount for x in payouts) == 6_000 - (59 + 88 + 117)


def test_a_late_transaction_arrives_one_banking_day_later(moment):
    p = sandbox(PayoutRules(split_one_day_in=0, late_one_day_in=1))  # every day holds one back
    on(moment, "2026-11-06")  # Friday: due Tuesday 10th, the late one Thursday 12th (Veterans Day between)
    charged = {pay(p, amount): amount for amount in (1_000, 2_000, 3_000)}
    on(moment, "2026-11-20")
    payouts = everything(p, "2026-11-01", "2026-11-20")
    due = {t.source_transaction_id: (x.arrival_date, t.available_on) for x, lines in payouts.items() for t in lines}
    assert set(due) == set(charged)
    assert sorted(arrival for arrival, _ in due.values()) == [date(2026, 11, 10)] * 2 + [date(2026, 11, 12)]
    assert all(arrival == available for arrival, available in due.values())


def test_an_unknown_payout_is_not_found():
    p = sandbox()
    for payout_id in ("po_1Q0stripe", "sbxpo_20261104_usd_m1", "sbxpo_20261399_usd_m1"):
        with pytest.raises(NotFoundError):
            p.payout_transactions(payout_id)


def scenario() -> tuple[SandboxProcessor, InMemorySandboxStore, clock.FrozenClock]:
    """A week of cards, refunds and ACH debits, recorded by a sandbox of its own on a clock of its own."""
    moment = clock.FrozenClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
    store = InMemorySandboxStore.private()
    p = sandbox(PayoutRules(), store)
    with clock.using(moment):
        for n, day in enumerate(("2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06")):
            on(moment, day)
            txn = pay(p, 1_000 * (n + 1), key=f"same-{n}")
            refund(p, txn, 100 * n + 1, key=f"same-r-{n}")
            p.ach_event(pay(p, 7_000 + n, "tok_ach", key=f"same-a-{n}"), "settle")
        on(moment, "2026-11-20")
    return p, store, moment


def test_the_same_records_give_the_same_payouts():
    # Given the same week recorded twice, by two sandboxes
    (first, _, first_clock), (second, store, second_clock) = scenario(), scenario()
    with clock.using(first_clock):
        built = everything(first, "2026-11-01", "2026-11-30")
    with clock.using(second_clock):
        rebuilt = everything(second, "2026-11-01", "2026-11-30")
        # and more activity the day the payouts are asked for
        refund(second, pay(second, 9_999), 9_999)
        after_more = everything(second, "2026-11-01", "2026-11-30")
    # Then the payouts are the same: ids, amounts, dates, trace ids, transactions
    assert len(built) >= 5 and rebuilt == built and after_more == built
    # And a new sandbox over the same records builds them again (nothing is remembered but the records)
    with clock.using(second_clock):
        assert everything(sandbox(PayoutRules(), store), "2026-11-01", "2026-11-30") == built


def test_a_month_of_payments_is_paid_out_whole_on_banking_days(moment):
    # Given a month of card payments every day (weekends too), ACH debits settled the day after, and refunds
    p = sandbox(PayoutRules())  # splits and late transactions now and then, as the sandbox does by default
    cards: dict[str, date] = {}
    debits: dict[str, date] = {}
    expected_total = 0
    day = date(2026, 11, 2)
    while day <= date(2026, 12, 1):
        on(moment, day.isoformat())
        for txn in [t for t, charged in debits.items() if charged == day - timedelta(days=1)]:
            p.ach_event(txn, "settle")
        if day.month == 12:
            break  # the last debits settled
        for i in range(3):
            amount = 1_000 + 37 * i + 10 * day.day
            cards[pay(p, amount)] = day
            expected_total += amount - (30 + (amount * 290 + 5_000) // 10_000)
        if day.weekday() < 5:
            debits[pay(p, 50_000 + day.day, "tok_ach")] = day
            expected_total += 50_000 + day.day - 400  # 0.8 % of $500 and change: $4.00
        if day.day % 4 == 0:
            refund(p, next(t for t, charged in cards.items() if charged == day), 500)
            expected_total -= 500
        day += timedelta(days=1)
    # When every payout up to mid-December is read
    on(moment, "2026-12-15")
    payouts = everything(p, "2026-11-01", "2026-12-15")
    # Then every payout arrives on a banking day and is the sum of its transactions
    assert all(is_banking_day(x.arrival_date) and x.status is PayoutStatus.PAID for x in payouts)
    assert all(x.amount == sum(t.net for t in lines) for x, lines in payouts.items())
    # and every card charge and settled debit is in exactly one payout, on time or one banking day late
    charges = [
        (t.source_transaction_id, x.arrival_date)
        for x, lines in payouts.items()
        for t in lines
        if t.type is BalanceType.CHARGE
    ]
    assert sorted(txn for txn, _ in charges) == sorted([*cards, *debits])
    late = 0
    for txn, arrival in charges:
        if txn in cards:
            due = add_banking_days(cards[txn], 2)
        else:
            due = max(add_banking_days(debits[txn], 3), add_banking_days(debits[txn] + timedelta(days=1), 2))
        assert arrival in (due, next_banking_day(due)), (txn, arrival, due)
        late += arrival != due
    # and together they pay out what was collected, less fees and refunds
    assert sum(x.amount for x in payouts) == expected_total
    assert len({x.payout_id for x in payouts}) == len(payouts)
    # and this month had its surprises (the hash of the day decides them): split days and a late transaction
    assert sorted(x.arrival_date.day for x in payouts if x.payout_id.endswith("m2")) == [9, 13]
    assert late == 1


def test_splits_and_late_transactions_come_about_one_day_in_twenty():
    # Given two card payments every day for a year (activity made up directly: no sandbox in the way)
    def activity(day: date) -> list[SandboxActivity]:
        at = datetime.combine(day, time(12), UTC)
        return [
            SandboxActivity(ActivityKind.CHARGED, at, f"sbx_{day:%Y%m%d}_{n}", "card", 2_000, "USD", at) for n in (1, 2)
        ]

    built = payouts_between(
        activity, date(2027, 1, 1), date(2027, 12, 31), today=date(2028, 1, 31), rules=PayoutRules()
    )
    arrival_days = {x.arrival_date for x, _ in built}
    split = {x.arrival_date for x, _ in built if x.payout_id.endswith("m2")}
    late = [t for _, lines in built for t in lines if t.available_on != add_banking_days(t.created_at.date(), 2)]
    assert len(arrival_days) == 252  # every banking day of 2027 (261 weekdays less its 9 weekday holidays)
    assert all(t.available_on == next_banking_day(add_banking_days(t.created_at.date(), 2)) for t in late)
    assert 4 <= len(split) <= 30 and 4 <= len(late) <= 30


def test_the_sandbox_pays_out_as_its_settings_say():
    defaults = payout_rules(RuntimeSettings.model_validate(environment(None)))
    assert defaults == PayoutRules()  # T+2, T+3, fees and refunds netted, 2.9 % + 30c and 0.8 % capped at $5
    configured = {
        "SANDBOX_CARD_PAYOUT_DAYS": "1",
        "SANDBOX_ACH_PAYOUT_DAYS": "4",
        "SANDBOX_FEES_NETTED": "false",
        "SANDBOX_REFUNDS_NETTED": "false",
        "SANDBOX_PROCESSOR_FEES": '{"card": {"fixed": 25, "basis_points": 250}}',
    }
    rules = payout_rules(RuntimeSettings.model_validate({**environment(None), **configured}))
    assert (rules.card_delay_days, rules.ach_delay_days, rules.fees_netted, rules.refunds_netted) == (
        1,
        4,
        False,
        False,
    )
    assert (rules.fee("card", 10_000), rules.fee("ach", 10_000)) == (275, 0)  # a method left out costs nothing
