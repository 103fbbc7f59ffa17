"""How a payment is applied to a customer's open invoices.

Invariants (property-tested in tests/property/test_allocation_properties.py):
- the parts plus what is left unapplied equal the payment exactly;
- no part exceeds its invoice's balance, so no balance ever goes below zero;
- an invoice gets money only if it is open and in the payment's currency.

Rules: ``OLDEST_DUE_FIRST`` (the default: earliest due date, then invoice number) and ``CHOSEN`` (the customer
names invoices and amounts; each is capped at the balance and the rest is unapplied, held as credit). Within an
invoice, agencies that apply money to fees, then penalties, then principal use ``split_by_line_kind``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from arportal.domain.models import Invoice, LineKind


class AllocationRule(StrEnum):
    OLDEST_DUE_FIRST = "oldest_due_first"
    CHOSEN = "chosen"


@dataclass(frozen=True)
class Part:
    invoice: Invoice
    amount: int


@dataclass(frozen=True)
class AllocationPlan:
    parts: tuple[Part, ...]
    unapplied: int  # held as customer credit

    @property
    def applied(self) -> int:
        return sum(p.amount for p in self.parts)


def _payable(invoice: Invoice, currency: str) -> bool:
    return invoice.balance > 0 and not invoice.voided and invoice.currency == currency


def allocate_oldest_first(amount: int, currency: str, invoices: Sequence[Invoice]) -> AllocationPlan:
    if amount < 0:
        raise ValueError("a payment amount cannot be negative")
    remaining = amount
    parts = []
    for invoice in sorted((i for i in invoices if _payable(i, currency)), key=lambda i: (i.due_date, i.invoice_number)):
        if remaining == 0:
            break
        take = min(remaining, invoice.balance)
        parts.append(Part(invoice, take))
        remaining -= take
    return AllocationPlan(tuple(parts), remaining)


def allocate_chosen(
    amount: int, currency: str, invoices: Sequence[Invoice], chosen: Sequence[tuple[str, int]]
) -> AllocationPlan:
    """``chosen`` is ``(invoice_id, amount)`` in the customer's order; unknown or closed invoices are errors."""
    if amount < 0 or any(a <= 0 for _, a in chosen):
        raise ValueError("amounts must be positive")
    if len({i for i, _ in chosen}) != len(chosen):
        raise ValueError("the same invoice is named twice: name each invoice once")
    by_id = {i.invoice_id: i for i in invoices}
    remaining = amount
    parts = []
    for invoice_id, wanted in chosen:
        invoice = by_id.get(invoice_id)
        if invoice is None or not _payable(invoice, currency):
            # Said to the payer: the invoice's number, never its id (one not theirs or unknown has no number to say)
            named = f"invoice {invoice.invoice_number}" if invoice is not None else "an invoice you chose"
            raise ValueError(f"{named} is not open for payment")
        take = min(wanted, invoice.balance, remaining)
        if take:
            parts.append(Part(invoice, take))
            remaining -= take
    return AllocationPlan(tuple(parts), remaining)


PRIORITY = (LineKind.FEE, LineKind.PENALTY, LineKind.ADJUSTMENT, LineKind.PRINCIPAL)


def split_by_line_kind(invoice: Invoice, amount: int) -> dict[LineKind, int]:
    """How ``amount`` applied to ``invoice`` divides into fees, penalties and principal.

    Earlier payments are taken to have followed the same order, so what they covered is worked out from
    ``invoice.paid + invoice.credited`` first; the new amount then fills what is left, in order.
    """
    if amount > invoice.balance:
        raise ValueError("amount exceeds the invoice balance")
    due = {kind: sum(line.amount for line in invoice.lines if line.kind is kind) for kind in PRIORITY}
    covered = invoice.paid + invoice.credited
    for kind in PRIORITY:
        used = min(covered, due[kind])
        due[kind] -= used
        covered -= used
    split: dict[LineKind, int] = {}
    for kind in PRIORITY:
        take = min(amount, due[kind])
        if take:
            split[kind] = take
            amount -= take
    return split
