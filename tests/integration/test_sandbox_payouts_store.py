"""The sandbox's payouts from the ledger table (moto): the activity written with each change reads back exactly.

The same charges, refunds and ACH moves go to a sandbox on the ledger table and to one in memory; their payouts
must be the same. The currency is ISO 4217's code for tests (XTS), so no other test's charges share the days.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from arportal import clock
from arportal.adapters.sandbox import SandboxProcessor
from arportal.adapters.sandbox_items import activity_pk
from arportal.adapters.sandbox_payouts import PayoutRules
from arportal.adapters.sandbox_store import InMemorySandboxStore
from arportal.config import settings
from arportal.domain.payouts import BalanceType
from arportal.ports import ChargeRequest

RULES = PayoutRules(split_one_day_in=1, late_one_day_in=1)  # every surprise, every day


# Each test records on weeks of its own: the ledger table is shared, and a payout sums every XTS movement of its day.
OTHER_WEEKS = timedelta(weeks=5)  # 2031-04-07...: no Fed holiday in either span


def record_a_week(
    processor: SandboxProcessor, moment: clock.FrozenClock, run: str, later: timedelta = timedelta(0)
) -> dict[str, str]:
    def on(day: str) -> None:
        moment.advance(datetime.combine(date.fromisoformat(day) + later, time(15), UTC) - moment.now())

    def pay(key: str, amount: int, token: str = "tok_visa") -> str:
        txn = processor.charge(ChargeRequest(f"{run}-{key}", amount, "XTS", token, "Permit")).transaction_id
        assert txn is not None
        return txn

    on("2031-03-03")
    txns = {"card": pay("card", 10_000), "small": pay("small", 2_500), "ach": pay("ach", 30_000, "tok_ach_return")}
    assert processor.refund(txns["small"], 1_000, idempotency_key=f"{run}-r1").succeeded
    on("2031-03-04")
    processor.ach_event(txns["ach"], "settle")
    processor.ach_event(txns["ach"], "settle")  # a repeated simulation moves nothing
    assert processor.refund(txns["card"], 10_000, idempotency_key=f"{run}-r2").succeeded
    on("2031-03-10")
    processor.ach_event(txns["ach"], "return")
    on("2031-03-31")
    return txns


def test_payouts_from_the_ledger_table_are_those_of_the_same_records_in_memory(local_env):
    run = uuid.uuid4().hex
    moment = clock.FrozenClock(datetime(2031, 3, 3, 9, tzinfo=UTC))
    with clock.using(moment):
        in_table = SandboxProcessor(settings().ledger_table, payout_rules=RULES)
        txns = record_a_week(in_table, moment, run)
        found = in_table.payouts(arrived_since=date(2031, 3, 1), arrived_until=date(2031, 3, 31))
        from_table = {p: in_table.payout_transactions(p.payout_id) for p in found if p.currency == "XTS"}
    memory_clock = clock.FrozenClock(datetime(2031, 3, 3, 9, tzinfo=UTC))
    with clock.using(memory_clock):
        in_memory = SandboxProcessor(store=InMemorySandboxStore.private(), payout_rules=RULES)
        record_a_week(in_memory, memory_clock, run)
        found = in_memory.payouts(arrived_since=date(2031, 3, 1), arrived_until=date(2031, 3, 31))
        from_memory = {p: in_memory.payout_transactions(p.payout_id) for p in found}

    assert from_table == from_memory
    lines = [t for ts in from_table.values() for t in ts]
    assert sorted((t.type, t.source_transaction_id, t.amount) for t in lines) == sorted(
        [
            (BalanceType.CHARGE, txns["card"], 10_000),
            (BalanceType.CHARGE, txns["small"], 2_500),
            (BalanceType.CHARGE, txns["ach"], 30_000),
            (BalanceType.REFUND, txns["small"], -1_000),
            (BalanceType.REFUND, txns["card"], -10_000),
            (BalanceType.RETURN, txns["ach"], -30_000),
        ]
    )
    # what stays is what was not given back, 1,500 of the small payment, less every fee (which refunds keep)
    assert sum(p.amount for p in from_table) == 1_500 - (320 + 103 + 240)


def test_each_movement_is_one_item_of_its_day(local_env):
    run = uuid.uuid4().hex
    moment = clock.FrozenClock(datetime(2031, 3, 3, 9, tzinfo=UTC) + OTHER_WEEKS)
    with clock.using(moment):
        processor = SandboxProcessor(settings().ledger_table, payout_rules=RULES)
        txns = record_a_week(processor, moment, run, OTHER_WEEKS)
    mine = set(txns.values())

    def kinds(day: str) -> list[str]:
        response = local_env.client("dynamodb").query(
            TableName=local_env.resources.ledger_table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": activity_pk(date.fromisoformat(day) + OTHER_WEEKS)}},
        )
        return sorted(i["kind"]["S"] for i in response["Items"] if i["transaction_id"]["S"] in mine)

    assert kinds("2031-03-03") == ["charged", "charged", "charged", "refunded"]
    assert kinds("2031-03-04") == ["refunded", "settled"]
    assert kinds("2031-03-10") == ["returned"]
