"""How settlement matches what the processor paid out to the payments we posted (pure: no I/O).

Each balance transaction of a payout names the charge it concerns (``source_transaction_id``, a payment's
``transaction_id``). For each one ``match_line`` decides:

- a **charge** of a payment still ``posted`` or ``partially_refunded`` (and never settled) settles it: the
  payment becomes ``settled`` with the payout's id, its arrival date and the processor's fee;
- a charge of a payment settled already, or of one that moved on (refunded, voided, reversed) is **recorded**
  against it and changes nothing;
- a refund, return, fee, dispute or adjustment line of a known payment is **recorded** against it: its status
  is the business of the processor's events and staff actions, not of the payout;
- a line whose charge we do not know becomes an ``unknown_transaction`` reconciliation item, and a charge whose
  amount or currency is not the payment's (amount + convenience fee: the processor collected both in one charge)
  an ``amount_mismatch`` one. Neither ever changes a payment.

``missing_deadline`` is when a payment's payout line is overdue: its method's delay (card T+2, ACH T+3 banking
days, as the processor pays out) plus a grace day; a payment still unsettled on that day is
``missing_from_processor``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from arportal.domain.banking_days import NO_CLOSURES, add_banking_days
from arportal.domain.models import Payment, PaymentMethodType
from arportal.domain.payouts import BalanceTransaction, BalanceType
from arportal.domain.status import PaymentStatus

SETTLEMENT_ACTOR = "system:settlement"
FIRST_RUN_BANKING_DAYS = 10  # with no cursor yet, payouts that arrived in the last ten banking days
GRACE_BANKING_DAYS = 1
PAYOUT_DELAY_BANKING_DAYS: dict[PaymentMethodType, int] = {
    PaymentMethodType.CARD: 2,
    PaymentMethodType.DEBIT: 2,
    PaymentMethodType.WALLET: 2,
    PaymentMethodType.ACH: 3,
}
SETTLEABLE = frozenset({PaymentStatus.POSTED, PaymentStatus.PARTIALLY_REFUNDED})


class LineOutcome(StrEnum):
    SETTLE = "settle"  # the payment becomes settled by this line
    RECORD = "record"  # recorded against the payment; nothing of it changes
    UNMATCHED = "unmatched"  # a reconciliation item


class ReconciliationReason(StrEnum):
    UNKNOWN_TRANSACTION = "unknown_transaction"
    AMOUNT_MISMATCH = "amount_mismatch"
    MISSING_FROM_PROCESSOR = "missing_from_processor"


class ReconciliationStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class DepositStatus(StrEnum):
    EXPECTED = "expected"
    DEPOSITED = "deposited"


@dataclass(frozen=True)
class LineMatch:
    outcome: LineOutcome
    reason: ReconciliationReason | None = None
    note: str = ""


def match_line(line: BalanceTransaction, payment: Payment | None) -> LineMatch:
    if payment is None:
        return LineMatch(
            LineOutcome.UNMATCHED,
            ReconciliationReason.UNKNOWN_TRANSACTION,
            f"{line.type.value} {line.id} names {line.source_transaction_id or 'no charge'}, which no payment has",
        )
    if line.type is not BalanceType.CHARGE:
        return LineMatch(LineOutcome.RECORD)
    expected = payment.amount + payment.fee_amount
    if line.currency != payment.currency or line.amount != expected:
        return LineMatch(
            LineOutcome.UNMATCHED,
            ReconciliationReason.AMOUNT_MISMATCH,
            f"charge {line.id} pays out {line.amount} {line.currency}; payment {payment.payment_id} is "
            f"{expected} {payment.currency} (amount {payment.amount} + fee {payment.fee_amount})",
        )
    if payment.status in SETTLEABLE and payment.changed_at(PaymentStatus.SETTLED) is None:
        return LineMatch(LineOutcome.SETTLE)
    return LineMatch(LineOutcome.RECORD)


def missing_deadline(payment: Payment, closures: frozenset[date] = NO_CLOSURES) -> date | None:
    """The banking day by which its payout line is overdue; None for a payment no processor pays out."""
    delay = PAYOUT_DELAY_BANKING_DAYS.get(payment.method.type)
    if delay is None or not payment.transaction_id:
        return None
    return add_banking_days(payment.created_at.date(), delay + GRACE_BANKING_DAYS, closures)


def is_missing_from_processor(payment: Payment, today: date, closures: frozenset[date] = NO_CLOSURES) -> bool:
    deadline = missing_deadline(payment, closures)
    return (
        deadline is not None
        and today >= deadline
        and payment.status in SETTLEABLE
        and payment.changed_at(PaymentStatus.SETTLED) is None
    )


def days_due_for_missing_check(since: date, today: date, closures: frozenset[date] = NO_CLOSURES) -> list[date]:
    """The payment days whose deadline, for some method, falls after ``since`` and by ``today``: each payment day
    is looked at when one of its deadlines comes (again after a rerun, which changes nothing)."""
    delays = sorted({d + GRACE_BANKING_DAYS for d in PAYOUT_DELAY_BANKING_DAYS.values()})
    first = add_banking_days(since, -max(delays) - 1, closures)
    days = [first.fromordinal(n) for n in range(first.toordinal(), today.toordinal() + 1)]
    return [d for d in days if any(since < add_banking_days(d, delay, closures) <= today for delay in delays)]


def first_window_start(today: date, closures: frozenset[date] = NO_CLOSURES) -> date:
    return add_banking_days(today, -FIRST_RUN_BANKING_DAYS, closures)


def reconciliation_id(reason: ReconciliationReason, subject: str) -> str:
    """The same finding always gets the same id, so a rerun opens nothing new."""
    digest = hashlib.sha256(f"{reason.value}:{subject}".encode()).hexdigest()[:20]
    return f"rec_{digest}"
