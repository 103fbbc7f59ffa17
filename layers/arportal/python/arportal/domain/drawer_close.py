"""The drawer close-out at the counter: which payments a close takes, what the drawer should hold, and how the
count compares (docs/finance.md, "Drawer close-out").

A close of terminal T, drawer D takes the cash and cheque payments taken at the counter in that drawer and not
yet in a deposit, up to the close time. What each puts in the drawer is what was received less what went back
from it: a void hands the whole payment back, a refund of a counter payment is paid out of the drawer. A payment
that never completed (pending, authorised, failed) put nothing in the drawer and is not taken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import Channel, Payment, PaymentMethodType
from arportal.domain.status import PaymentStatus

CASH = PaymentMethodType.CASH.value
CHEQUE = PaymentMethodType.CHEQUE.value
METHODS = (CASH, CHEQUE)
CURRENCY_MISMATCH = "drawer_currency_mismatch"  # the reconciliation item's reason
COUNTER_PROCESSOR = "counter"  # a counter deposit's ``processor``, among the processors' payouts
_NEVER_RECEIVED = frozenset({PaymentStatus.PENDING, PaymentStatus.AUTHORIZED, PaymentStatus.FAILED})


class NothingToCloseError(BusinessRuleError):
    code = "nothing_to_close"


class OverShortNoteError(BusinessRuleError):
    code = "note_required"


class ChequeListError(BusinessRuleError):
    code = "cheque_list_mismatch"


class DrawerCurrencyError(BusinessRuleError):
    code = CURRENCY_MISMATCH


@dataclass(frozen=True)
class ChequeCounted:
    amount: int
    number: str | None = None


@dataclass(frozen=True)
class DrawerCount:
    """What the cashier counted, as the request says it."""

    currency: str
    cash: int
    cheque: int
    cheques: tuple[ChequeCounted, ...] | None = None  # None: not listed one by one
    note: str | None = None

    def by_method(self) -> dict[str, int]:
        return {CASH: self.cash, CHEQUE: self.cheque}


@dataclass(frozen=True)
class TakenPayment:
    payment_id: str
    method: str
    in_drawer: int  # what it left in the drawer: received less handed back
    cheque_number: str | None
    created_at: datetime


@dataclass(frozen=True)
class DrawerClose:
    """One close of one drawer, and the deposit batch it makes (``deposit_id``, also the close's id)."""

    deposit_id: str
    terminal_id: str
    drawer_id: str
    currency: str
    period_from: datetime | None  # the previous close's through; None for a drawer's first close
    through: datetime
    business_date: date
    expected: dict[str, int]
    counted: dict[str, int]
    over_short: dict[str, int]
    payments: tuple[TakenPayment, ...]
    cheques: tuple[ChequeCounted, ...]
    note: str | None
    closed_by: str
    closed_at: datetime
    status: str = "closed"  # pending while a close too big for one transaction is written in chunks
    slip_key: str = field(default="")

    @property
    def total(self) -> int:
        return sum(self.counted.values())

    @property
    def payment_ids(self) -> list[str]:
        return [p.payment_id for p in self.payments]


def in_drawer(payment: Payment) -> int:
    """What the payment left in the drawer (minor units): a void gave it all back, a refund its amount."""
    if payment.status == PaymentStatus.VOIDED:
        return 0
    return max(payment.amount + payment.fee_amount - payment.refunded, 0)


def belongs(payment: Payment, terminal_id: str, drawer_id: str) -> bool:
    """A counter payment in cash or by cheque, taken in this drawer, that put money in it at some point."""
    return (
        payment.channel == Channel.COUNTER
        and payment.method.type.value in METHODS
        and payment.terminal_id == terminal_id
        and payment.drawer_id == drawer_id
        and payment.status not in _NEVER_RECEIVED
    )


def takes(
    payments: Iterable[Payment], terminal_id: str, drawer_id: str, *, through: datetime, deposited: set[str]
) -> list[TakenPayment]:
    """The payments a close at ``through`` takes: the drawer's, taken up to then, in no deposit yet (oldest first)."""
    taken = [
        TakenPayment(p.payment_id, p.method.type.value, in_drawer(p), p.method.cheque_number, p.created_at)
        for p in payments
        if belongs(p, terminal_id, drawer_id) and p.created_at <= through and p.payment_id not in deposited
    ]
    return sorted(taken, key=lambda t: (t.created_at, t.payment_id))


def expected(taken: Sequence[TakenPayment]) -> dict[str, int]:
    totals = dict.fromkeys(METHODS, 0)
    for payment in taken:
        totals[payment.method] += payment.in_drawer
    return totals


def over_short(expected_by_method: dict[str, int], counted: dict[str, int]) -> dict[str, int]:
    """Counted less expected, per method: positive over, negative short."""
    return {m: counted.get(m, 0) - expected_by_method.get(m, 0) for m in METHODS}


def currency_mismatch(count: DrawerCount, agency_currency: str, taken: Sequence[Payment]) -> str | None:
    """Why the count cannot be compared, or None: counted in another currency than the agency's or the payments'."""
    if count.currency != agency_currency:
        return f"counted in {count.currency}; the agency's drawers hold {agency_currency}"
    others = sorted({p.currency for p in taken if p.currency != count.currency})
    if others:
        return f"counted in {count.currency}; the drawer's payments are in {', '.join(others)}"
    return None


def counted_cheques(
    count: DrawerCount, taken: Sequence[TakenPayment], expected_cheque: int
) -> tuple[ChequeCounted, ...]:
    """The cheques the slip lists one by one: the list counted, or, when none was given and the cheque total is
    as expected, the cheques of the payments taken."""
    if count.cheques is not None:
        listed = sum(c.amount for c in count.cheques)
        if listed != count.cheque:
            raise ChequeListError(
                f"the cheques listed add up to {listed}, the cheque total counted is {count.cheque}",
                details={"listed": listed, "counted": count.cheque},
            )
        return count.cheques
    if count.cheque != expected_cheque:
        raise ChequeListError(
            "the cheque total differs from what the drawer took: list the cheques counted one by one",
            details={"expected": expected_cheque, "counted": count.cheque},
        )
    return tuple(ChequeCounted(t.in_drawer, t.cheque_number) for t in taken if t.method == CHEQUE and t.in_drawer)


def check_count(count: DrawerCount, taken: Sequence[TakenPayment], differences: dict[str, int]) -> None:
    """A close must take something, and any over or short must be explained."""
    if not taken and count.cash == 0 and count.cheque == 0:
        raise NothingToCloseError("the drawer took no cash or cheques since its last close, and nothing was counted")
    if any(differences.values()) and not (count.note and count.note.strip()):
        raise OverShortNoteError("the count is over or short: say why in the note", details={"over_short": differences})


def is_repeat(last: DrawerClose | None, count: DrawerCount, taken: Sequence[TakenPayment]) -> bool:
    """A second submit of the close just made: nothing taken since, and the same count."""
    return last is not None and not taken and last.currency == count.currency and last.counted == count.by_method()


def mismatch_item_id(terminal_id: str, drawer_id: str, last_close: str | None, count: DrawerCount) -> str:
    """The same wrong count of the same drawer period opens one reconciliation item, however often it is sent."""
    basis = f"{terminal_id}|{drawer_id}|{last_close or '-'}|{count.currency}|{count.cash}|{count.cheque}"
    return "rec_" + hashlib.sha256(basis.encode()).hexdigest()[:20]
