"""What a processor pays into the agency's bank account, and the movements each payment is made of.

A **payout** is one transfer from the processor to the bank: it arrives on a date, net of whatever the processor
kept back. Its **balance transactions** are the movements it pays out: each charge (gross, less the processor's
fee), each refund and ACH return taken back, each fee debited on its own, disputes and adjustments. They are what
settlement matches to our payments (``source_transaction_id`` is the processor's id that a payment keeps as its
``transaction_id``), and what a deposit is reconciled from.

Amounts are signed integer minor units: money into the processor balance is positive (a charge), money out
negative (a refund, a return, a fee debited apart). A balance transaction's ``fee`` is what the processor kept of
that movement, so ``net == amount - fee``; a payout's ``amount`` is the sum of the ``net`` of its transactions
(``payout_difference`` says by how much a payout and its transactions disagree, 0 when they agree). A payout's
amount may be negative: a day whose refunds exceed its charges is debited from the bank.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

_CURRENCY = re.compile(r"^[A-Z]{3}$")


class PayoutStatus(StrEnum):
    PENDING = "pending"  # created, not yet sent to the bank
    IN_TRANSIT = "in_transit"  # sent, expected on its arrival date
    PAID = "paid"  # arrived (as far as the processor knows: the bank statement confirms it)
    FAILED = "failed"  # the bank refused it; the money went back to the processor balance
    CANCELED = "canceled"


class BalanceType(StrEnum):
    CHARGE = "charge"  # a payment collected
    REFUND = "refund"  # money given back to the payer
    FEE = "fee"  # a processor fee debited on its own (not netted from a charge)
    RETURN = "return"  # an ACH debit the payer's bank sent back after it had settled
    DISPUTE = "dispute"  # a card chargeback (or its reversal)
    ADJUSTMENT = "adjustment"  # anything else the processor moved


@dataclass(frozen=True)
class Payout:
    payout_id: str
    processor: str
    amount: int  # net, minor units; negative when the processor debits the account
    currency: str
    arrival_date: date
    status: PayoutStatus
    bank_trace_id: str | None  # the trace number the bank statement shows, once the processor knows it
    created_at: datetime

    def __post_init__(self) -> None:
        _check_currency(self.currency)
        if self.created_at.tzinfo is None:
            raise ValueError("a payout's created_at must be timezone-aware")


@dataclass(frozen=True)
class BalanceTransaction:
    id: str
    payout_id: str
    type: BalanceType
    source_transaction_id: str | None  # the processor's id of the charge it concerns (a payment's transaction_id)
    amount: int  # gross, signed
    fee: int  # what the processor kept of it
    net: int  # amount - fee: what it adds to the payout
    currency: str
    available_on: date  # the day the processor made its net available for payout
    created_at: datetime  # when the movement happened at the processor

    def __post_init__(self) -> None:
        _check_currency(self.currency)
        if self.net != self.amount - self.fee:
            raise ValueError(f"balance transaction {self.id}: net {self.net} != amount {self.amount} - fee {self.fee}")
        if self.created_at.tzinfo is None:
            raise ValueError("a balance transaction's created_at must be timezone-aware")


def net_total(transactions: Iterable[BalanceTransaction]) -> int:
    return sum(t.net for t in transactions)


def payout_difference(payout: Payout, transactions: Iterable[BalanceTransaction]) -> int:
    """The payout's amount less what its transactions add up to: 0 for a payout that is whole."""
    return payout.amount - net_total(transactions)


def _check_currency(currency: str) -> None:
    if not _CURRENCY.match(currency):
        raise ValueError(f"currency {currency!r} is not an ISO 4217 code in upper case")
