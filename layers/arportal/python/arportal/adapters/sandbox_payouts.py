"""The sandbox's payouts, built from what it recorded (``SandboxActivity``) the way a processor pays out.

The rules (``PayoutRules``; the settings ``SANDBOX_*`` in ``arportal/config.py``):

- a card, debit or wallet charge is paid out ``card_delay_days`` banking days after the day it was captured (T+2),
  less the processor's fee (``fees``: 2.9 % + 30c for cards, 0.8 % capped at $5 for ACH, by default);
- an ACH debit is paid out ``ach_delay_days`` after the day it was charged (T+3), once settled: a debit its bank
  settled later goes out with the first payout made after it settled; a failed one is never paid out;
- a refund, or an ACH return, is taken out of the first payout made after the day it happened;
- ``fees_netted`` false: charges are paid out gross, and their fees are debited by a second payout of the same
  day (a ``fee`` transaction per charge); ``refunds_netted`` false: refunds and returns are debited by that second
  payout too, instead of being taken out of the first;
- now and then (deterministically, by a hash of the day: one day in ``split_one_day_in``) a day's payout is split
  in two, and (one day in ``late_one_day_in``) one of its transactions is held back to the next banking day.

Days are the Federal Reserve's banking days (``arportal.domain.banking_days``), dates are UTC. A payout exists
from the first minute of the banking day before it arrives (``in_transit``; ``paid`` from its arrival date), when
every day whose activity it carries is over: what it holds never changes after that. So the same records and the
same day give the same payouts, ids and all.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby

from arportal.adapters.sandbox_records import ActivityKind, SandboxActivity, opaque_id
from arportal.domain.banking_days import add_banking_days
from arportal.domain.fees import FeeRule, FeeSchedule
from arportal.domain.models import PaymentMethodType
from arportal.domain.payouts import BalanceTransaction, BalanceType, Payout, PayoutStatus

PROCESSOR = "sandbox"
_CARD_FEE = FeeRule(fixed=30, basis_points=290)
DEFAULT_FEES: tuple[tuple[str, FeeRule], ...] = (
    ("card", _CARD_FEE),
    ("debit", _CARD_FEE),
    ("wallet", _CARD_FEE),
    ("ach", FeeRule(basis_points=80, cap=500)),
)
MAIN, DEBITS = "m", "d"  # the day's payout, and the one that debits what is not netted from it
_PAYOUT_ID = re.compile(r"^sbxpo_(?P<day>[0-9]{8})_(?P<currency>[a-z]{3})_(?P<stream>[md])(?P<part>[12])$")


@dataclass(frozen=True)
class PayoutRules:
    card_delay_days: int = 2  # debit and wallet too
    ach_delay_days: int = 3
    fees_netted: bool = True
    refunds_netted: bool = True  # ACH returns too
    fees: tuple[tuple[str, FeeRule], ...] = DEFAULT_FEES  # (method, rule): hashable, so a processor can be cached
    split_one_day_in: int = 20  # 0: never
    late_one_day_in: int = 20  # 0: never
    _schedule: FeeSchedule = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if min(self.card_delay_days, self.ach_delay_days) < 1:
            raise ValueError("a payout comes at least one banking day after the money moved")
        rules = {PaymentMethodType(method): rule for method, rule in self.fees}
        object.__setattr__(self, "_schedule", FeeSchedule(rules=rules))

    def fee(self, method: str, amount: int) -> int:
        return self._schedule.fee_for(PaymentMethodType(method), amount)

    @property
    def shortest_delay(self) -> int:
        return min(self.card_delay_days, self.ach_delay_days)

    @property
    def longest_delay(self) -> int:
        return max(self.card_delay_days, self.ach_delay_days)

    def splits(self, due: date, currency: str) -> bool:
        """Whether the payout due that day (of more than one transaction) is split in two."""
        return _one_in(self.split_one_day_in, "split", due.isoformat(), currency)

    def holds_back(self, due: date, currency: str) -> bool:
        """Whether one transaction due that day is paid a banking day late."""
        return _one_in(self.late_one_day_in, "late", due.isoformat(), currency)


@dataclass(frozen=True)
class _Line:
    """A balance transaction before it is put in a payout."""

    id: str
    type: BalanceType
    source: str
    amount: int
    fee: int
    currency: str
    due: date  # when it is paid out
    stream: str
    created_at: datetime


Built = list[tuple[Payout, list[BalanceTransaction]]]


class SandboxPayouts:
    """The sandbox's side of ``PaymentProcessor.payouts`` and ``payout_transactions``, over a day's activity.

    A payout that exists never changes (see the module), so what was built for an arrival date is kept for the
    rest of the day it was asked on: a settlement run lists the payouts, then reads each one's transactions,
    and the days behind them are read once."""

    _KEPT = 64

    def __init__(self, activity: Callable[[date], list[SandboxActivity]], rules: PayoutRules) -> None:
        self._activity = activity
        self.rules = rules
        self._built: dict[tuple[date, date], Built] = {}  # (arrival date, the day asked) -> its payouts

    def payouts(self, since: date, until: date, *, today: date) -> list[Payout]:
        return [payout for payout, _ in self._between(since, until, today)]

    def transactions(self, payout_id: str, *, today: date) -> list[BalanceTransaction] | None:
        """The payout's transactions, or None: there is no such payout (yet)."""
        day = payout_day(payout_id)
        if day is None:
            return None
        return next((lines for payout, lines in self._between(day, day, today) if payout.payout_id == payout_id), None)

    def _between(self, since: date, until: date, today: date) -> Built:
        days = [since + timedelta(days=i) for i in range((until - since).days + 1)]
        if not all((day, today) in self._built for day in days):
            if len(self._built) > self._KEPT:
                self._built.clear()
            built = payouts_between(self._activity, since, until, today=today, rules=self.rules)
            for day in days:
                self._built[(day, today)] = [entry for entry in built if entry[0].arrival_date == day]
        return [entry for day in days for entry in self._built[(day, today)]]


def payouts_between(
    activity: Callable[[date], list[SandboxActivity]], since: date, until: date, *, today: date, rules: PayoutRules
) -> Built:
    """The payouts arriving from ``since`` to ``until`` that exist ``today``, each with its transactions."""
    if until < since:
        return []
    first_day = add_banking_days(since, -(rules.longest_delay + 1))  # nothing older is paid out on or after since
    last_day = min(until, today)  # a payout carries only days before it is made, and it is made by its arrival
    lines: list[_Line] = []
    for offset in range((last_day - first_day).days):
        lines.extend(line for moved in activity(first_day + timedelta(days=offset)) for line in _lines(moved, rules))
    lines = _hold_back_one_now_and_then(lines, rules)
    wanted = [x for x in lines if since <= x.due <= until and _made_on(x.due, rules) <= today]
    return [
        _payout(payout_id, due, currency, part, today=today, rules=rules)
        for (due, currency, stream), group in _grouped(wanted)
        for payout_id, part in _parts(due, currency, stream, group, rules)
    ]


def payout_day(payout_id: str) -> date | None:
    """The arrival date a sandbox payout id names, or None: not a sandbox payout's id."""
    found = _PAYOUT_ID.match(payout_id)
    try:
        return date(int(found["day"][:4]), int(found["day"][4:6]), int(found["day"][6:])) if found else None
    except ValueError:
        return None  # the shape of an id, but no such day


def _lines(moved: SandboxActivity, rules: PayoutRules) -> list[_Line]:
    day, seed = moved.at.date(), moved.refund_id or moved.transaction_id
    soonest = add_banking_days(day, rules.shortest_delay)  # the first payout made after this day
    kind, ach = moved.kind, moved.method == "ach"
    if kind is ActivityKind.REFUNDED or kind is ActivityKind.RETURNED:
        stream = MAIN if rules.refunds_netted else DEBITS
        line_type = BalanceType.REFUND if kind is ActivityKind.REFUNDED else BalanceType.RETURN
        return [_line(f"{seed}:{kind}", moved, line_type, amount=-moved.amount, due=soonest, stream=stream)]
    if not (kind is ActivityKind.CHARGED and not ach) and not (kind is ActivityKind.SETTLED and ach):
        return []  # an ACH debit accepted but not settled, or failed: nothing to pay out
    delay = rules.ach_delay_days if ach else rules.card_delay_days
    due = max(add_banking_days(moved.charged_at.date(), delay), soonest)
    fee = rules.fee(moved.method, moved.amount)
    kept = fee if rules.fees_netted else 0
    charge = _line(f"{seed}:charge", moved, BalanceType.CHARGE, amount=moved.amount, fee=kept, due=due)
    if rules.fees_netted or not fee:
        return [charge]
    return [charge, _line(f"{seed}:fee", moved, BalanceType.FEE, amount=-fee, due=due, stream=DEBITS)]


def _line(
    seed: str, moved: SandboxActivity, kind: BalanceType, *, amount: int, due: date, fee: int = 0, stream: str = MAIN
) -> _Line:
    return _Line(
        opaque_id("sbxtxn_", seed), kind, moved.transaction_id, amount, fee, moved.currency, due, stream, moved.at
    )


def _hold_back_one_now_and_then(lines: list[_Line], rules: PayoutRules) -> list[_Line]:
    """On one day in ``late_one_day_in`` (per currency), one transaction due that day is paid a banking day late."""
    late: set[str] = set()
    for (due, currency), group in groupby(
        sorted(lines, key=lambda x: (x.due, x.currency)), lambda x: (x.due, x.currency)
    ):
        if rules.holds_back(due, currency):
            late.add(min(group, key=lambda x: _digest("which", x.id)).id)
    return [replace(x, due=add_banking_days(x.due, 1)) if x.id in late else x for x in lines]


def _grouped(lines: Iterable[_Line]) -> list[tuple[tuple[date, str, str], list[_Line]]]:
    groups: defaultdict[tuple[date, str, str], list[_Line]] = defaultdict(list)
    for line in lines:
        groups[(line.due, line.currency, line.stream)].append(line)
    return [(key, sorted(groups[key], key=lambda x: (x.created_at, x.id))) for key in sorted(groups)]


def _parts(
    due: date, currency: str, stream: str, lines: list[_Line], rules: PayoutRules
) -> list[tuple[str, list[_Line]]]:
    stem = f"sbxpo_{due:%Y%m%d}_{currency.lower()}_{stream}"
    if stream == MAIN and len(lines) > 1 and rules.splits(due, currency):
        half = (len(lines) + 1) // 2
        return [(f"{stem}1", lines[:half]), (f"{stem}2", lines[half:])]
    return [(f"{stem}1", lines)]


def _payout(
    payout_id: str, due: date, currency: str, lines: list[_Line], *, today: date, rules: PayoutRules
) -> tuple[Payout, list[BalanceTransaction]]:
    transactions = [
        BalanceTransaction(
            id=x.id,
            payout_id=payout_id,
            type=x.type,
            source_transaction_id=x.source,
            amount=x.amount,
            fee=x.fee,
            net=x.amount - x.fee,
            currency=x.currency,
            available_on=x.due,
            created_at=x.created_at,
        )
        for x in lines
    ]
    payout = Payout(
        payout_id=payout_id,
        processor=PROCESSOR,
        amount=sum(t.net for t in transactions),
        currency=currency,
        arrival_date=due,
        status=PayoutStatus.PAID if today >= due else PayoutStatus.IN_TRANSIT,
        bank_trace_id=opaque_id("sbxtr_", payout_id),
        created_at=datetime.combine(_made_on(due, rules), time(0), UTC),
    )
    return payout, transactions


def _made_on(due: date, rules: PayoutRules) -> date:
    """The day a payout arriving on ``due`` is made: the day after the last day whose activity it can carry."""
    return add_banking_days(due, 1 - rules.shortest_delay)


def _one_in(n: int, *seed: str) -> bool:
    return n > 0 and _digest(*seed) % n == 0


def _digest(*seed: str) -> int:
    return int.from_bytes(hashlib.sha256(":".join(seed).encode()).digest()[:8], "big")
