"""Balance checkpoints: how much each month moved a customer's statement balance, so that a statement's opening
balance is read (the months before it) rather than replayed from the whole history. Pure.

A record's share of the months is exactly what its statement lines add up to, month by month (the agency's
calendar), for the customer's statement (``domain/statement.py``; an account statement has none):
- an invoice: its amount (debit adjustments included) in its issue month; a voided invoice nothing;
- a debit or credit adjustment and a write-off: its signed effect in its own month, less what a debit added to
  the invoice's amount, in the invoice's issue month (the invoice's line shows it as issued);
- a payment: each of its lines (the payment, each refund, the reversal) in its month; failed and voided nothing;
- a credit note: minus its amount in its issue month; an overpayment hold nothing (its payment's line counts it).

A write changes a record; its checkpoint change is ``change(months_after, months_before)``, added (DynamoDB
``ADD``, in the write's own transaction) to each month it touches. Additions commute, so concurrent writes need
no ordering, and a record dated in a past month (an invoice loaded late) changes that month only: the balance
at a month's end is the sum of the months up to it (one Query of small items).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from arportal.domain.models import CreditNote, Invoice, Payment
from arportal.domain.statement import (
    DayOf,
    LedgerEntry,
    adjustment_entry,
    debit_adjustment,
    overpayment_source,
    payment_entries,
    utc_day,
)

Months = dict[str, int]  # "yyyy-mm" -> what the month moved the balance (positive: the customer owes more)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def previous_month(month: str) -> str:
    start = month_start(month)
    return f"{start.year - 1:04d}-12" if start.month == 1 else f"{start.year:04d}-{start.month - 1:02d}"


def by_month(entries: Iterable[LedgerEntry]) -> Months:
    out: dict[str, int] = defaultdict(int)
    for entry in entries:
        out[month_of(entry.on)] += entry.effect
    return {m: v for m, v in out.items() if v}


def payment_months(payment: Payment, *, day: DayOf = utc_day) -> Months:
    if payment.customer_id is None:
        return {}  # a guest payment is on no statement
    return by_month(payment_entries(payment, day=day))


def invoice_months(invoice: Invoice) -> Months:
    if invoice.voided or not invoice.amount:
        return {}
    return {month_of(invoice.issue_date): invoice.amount}


def credit_note_months(note: CreditNote) -> Months:
    if overpayment_source(note) or not note.amount:
        return {}
    return {month_of(note.issued_on): -note.amount}


def adjustment_months(*, kind: str, amount: int, on: date, invoice_issued: date) -> Months:
    effect = adjustment_entry(
        adjustment_id="", kind=kind, amount=amount, on=on, invoice_number="", account_number=None
    ).effect
    return add({month_of(on): effect}, {month_of(invoice_issued): -debit_adjustment(kind, amount)})


def add(*parts: Mapping[str, int]) -> Months:
    out: dict[str, int] = defaultdict(int)
    for part in parts:
        for month, value in part.items():
            out[month] += value
    return {m: v for m, v in sorted(out.items()) if v}


def change(after: Mapping[str, int], before: Mapping[str, int]) -> Months:
    """What a write adds to each month: the record's months after it less before it."""
    return add(after, {m: -v for m, v in before.items()})


def balance_before(months: Mapping[str, int], month: str) -> int:
    """The balance at the start of ``month``: every month before it."""
    return sum(v for m, v in months.items() if m < month)
