"""An account statement: opening balance, every money event in a date range with a running balance, closing
balance and an aging summary. Pure: it folds a stream of ledger entries, in any order, into figures.

Invariants (tested with Hypothesis in tests/property/test_statement_properties.py):
- closing = opening + invoices - payments - credits + refunds + reversals + adjustments (adjustments are signed;
  a write-off is a negative adjustment); a credit application moves nothing (see below);
- each line's balance is the previous line's balance (the opening balance for the first) plus the line's effect,
  and the last line's balance is the closing balance;
- the opening balance is the net effect of every entry dated before the range; entries after it are ignored.

Balances are what the customer owes: positive owes, negative is credit in the customer's favour.

What becomes an entry (the adapter's mapping, see docs/data-model.md "Statements"):
- an invoice (not voided) on its issue date, +amount;
- a payment that moved money on the day it was made, -amount: posted, settled, partially refunded, refunded and
  reversed payments; pending (ACH) and authorized ones too, marked ``pending``, because the ledger has already
  applied them to the invoices; failed and voided payments never appear (no money moved);
- a refund (+refunded, on the day of the refund) and a reversal (+amount, on the day of the reversal);
- a credit note on its issue date, -amount, except the credit notes that hold a payment's overpayment: that money
  is already in the payment line, and counting it twice would understate the balance;
- an adjustment or a write-off (issue 5) on the day staff made it, signed: a debit adjustment +amount (the
  invoice's own line shows its original amount, so the debit counts once), a credit adjustment -amount, a
  write-off -amount;
- an application of held credit to an invoice on the day it was applied, as a line that shows the amount but
  moves the balance by zero: the credit already lowered what is owed when it arose (the credit note's line, or
  the payment that left it), and applying it only says which invoice it now pays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from arportal.domain.aging import AgingSummary, Receivable, age_receivables
from arportal.domain.models import CreditNote, Payment
from arportal.domain.money import Money, allocate
from arportal.domain.status import PaymentStatus

__all__ = [
    "AgingSummary",
    "EntryKind",
    "LedgerEntry",
    "Receivable",
    "Statement",
    "StatementLine",
    "StatementTooLargeError",
    "Totals",
    "adjustment_entry",
    "build_statement",
    "credit_application_entries",
    "credit_entry",
    "debit_adjustment",
    "invoice_entry",
    "overpayment_source",
    "payment_entries",
]


class EntryKind(StrEnum):
    INVOICE = "invoice"
    PAYMENT = "payment"
    CREDIT = "credit"
    ADJUSTMENT = "adjustment"
    REFUND = "refund"
    REVERSAL = "reversal"
    CREDIT_APPLIED = "credit_applied"


# How an entry of each kind moves what the customer owes; an adjustment carries its own sign.
_SIGN = {
    EntryKind.INVOICE: 1,
    EntryKind.PAYMENT: -1,
    EntryKind.CREDIT: -1,
    EntryKind.ADJUSTMENT: 1,
    EntryKind.REFUND: 1,
    EntryKind.REVERSAL: 1,
    EntryKind.CREDIT_APPLIED: 0,
}
# Same-day order: charges first, then what paid them, then what undid a payment, so a day reads naturally.
_DAY_ORDER = {
    EntryKind.INVOICE: 0,
    EntryKind.ADJUSTMENT: 1,
    EntryKind.CREDIT: 2,
    EntryKind.PAYMENT: 3,
    EntryKind.REFUND: 4,
    EntryKind.REVERSAL: 5,
    EntryKind.CREDIT_APPLIED: 6,
}


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One money event. ``amount`` is a magnitude (>= 0) except for adjustments, whose sign is their direction."""

    on: date
    kind: EntryKind
    amount: int
    reference: str  # what a person quotes: invoice number, receipt number or payment id, credit note number
    description: str
    source_id: str  # the entity's id: a stable tie-break, so the same ledger always prints the same order
    account_number: str | None = None
    due_date: date | None = None
    pending: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("amounts are integer minor units")
        if self.amount < 0 and self.kind is not EntryKind.ADJUSTMENT:
            raise ValueError(f"a {self.kind.value} amount is a magnitude; only adjustments are signed")

    @property
    def effect(self) -> int:
        """The change to what the customer owes."""
        return _SIGN[self.kind] * self.amount

    def sort_key(self) -> tuple[date, int, str, str, int]:
        return (self.on, _DAY_ORDER[self.kind], self.reference, self.source_id, self.amount)


@dataclass(frozen=True, slots=True)
class StatementLine:
    entry: LedgerEntry
    balance: int  # after this line


@dataclass(frozen=True)
class Totals:
    invoiced: int = 0
    paid: int = 0
    credited: int = 0
    refunded: int = 0
    reversed: int = 0
    adjusted: int = 0  # signed
    applied_credit: int = 0  # credit applied to invoices: shown, not part of the net (it moved nothing)

    def net(self) -> int:
        return self.invoiced - self.paid - self.credited + self.refunded + self.reversed + self.adjusted


@dataclass(frozen=True)
class Statement:
    customer_id: str
    currency: str
    start: date
    end: date
    account_number: str | None
    opening: int
    closing: int
    totals: Totals
    aging: AgingSummary
    entries: Sequence[LedgerEntry] = field(repr=False)  # in statement order; lines are derived on demand

    @property
    def line_count(self) -> int:
        return len(self.entries)

    def lines(self) -> Iterator[StatementLine]:
        """The lines with their running balance, computed as they are read (never a second list)."""
        balance = self.opening
        for entry in self.entries:
            balance += entry.effect
            yield StatementLine(entry, balance)


class StatementTooLargeError(ValueError):
    """The range holds more lines than one statement may carry."""


def build_statement(
    records: Iterable[LedgerEntry | Receivable],
    *,
    customer_id: str,
    currency: str,
    start: date,
    end: date,
    account_number: str | None = None,
    max_lines: int | None = None,
) -> Statement:
    """Fold ``records`` (ledger entries and, for the aging summary, receivables as of ``end``) into a statement.

    One pass: entries before ``start`` only add to the opening balance; entries in the range are kept (the only
    list held) and sorted once; entries after ``end`` are ignored.
    """
    if start > end:
        raise ValueError("the statement starts after it ends")
    opening = 0
    kept: list[LedgerEntry] = []
    receivables: list[Receivable] = []
    sums = dict.fromkeys(EntryKind, 0)
    for record in records:
        if isinstance(record, Receivable):
            receivables.append(record)
            continue
        if record.on > end:
            continue
        if record.on < start:
            opening += record.effect
            continue
        kept.append(record)
        sums[record.kind] += record.amount
        if max_lines is not None and len(kept) > max_lines:
            raise StatementTooLargeError(f"more than {max_lines} lines")
    kept.sort(key=LedgerEntry.sort_key)
    totals = Totals(
        invoiced=sums[EntryKind.INVOICE],
        paid=sums[EntryKind.PAYMENT],
        credited=sums[EntryKind.CREDIT],
        refunded=sums[EntryKind.REFUND],
        reversed=sums[EntryKind.REVERSAL],
        adjusted=sums[EntryKind.ADJUSTMENT],
        applied_credit=sums[EntryKind.CREDIT_APPLIED],
    )
    return Statement(
        customer_id=customer_id,
        currency=currency,
        start=start,
        end=end,
        account_number=account_number,
        opening=opening,
        closing=opening + totals.net(),
        totals=totals,
        aging=age_receivables(receivables, as_of=end),
        entries=kept,
    )


# --- from ledger records to entries ----------------------------------------------------------------------------

P = PaymentStatus
# Statuses in which the payment's money left the customer (for good or, later, to come back as a refund/reversal).
_MOVED_MONEY = frozenset({P.POSTED, P.SETTLED, P.PARTIALLY_REFUNDED, P.REFUNDED, P.REVERSED})
# Already applied to invoices by the ledger, but the processor has not confirmed the money yet.
_PENDING = frozenset({P.PENDING, P.AUTHORIZED})
_OVERPAYMENT_HOLD = re.compile(r"^Overpayment held as credit from payment (\S+)$")


def invoice_entry(
    *,
    invoice_id: str,
    invoice_number: str,
    account_number: str,
    department: str,
    issue_date: date,
    due_date: date,
    amount: int,
) -> LedgerEntry:
    return LedgerEntry(
        on=issue_date,
        kind=EntryKind.INVOICE,
        amount=amount,
        reference=invoice_number,
        description=f"{department.replace('_', ' ').title()} invoice, due {due_date.isoformat()}",
        source_id=invoice_id,
        account_number=account_number,
        due_date=due_date,
    )


def overpayment_source(note: CreditNote) -> str | None:
    """The payment whose unapplied rest ``note`` holds (``domain/posting.plan_posting`` words it so), if any."""
    match = _OVERPAYMENT_HOLD.match(note.reason)
    return match.group(1) if match else None


def credit_entry(note: CreditNote, *, include_overpayment_holds: bool = False) -> LedgerEntry | None:
    """A credit note as a credit line; None for an overpayment hold unless asked for (account statements, where
    the payment counts only as far as it was applied to the account)."""
    if overpayment_source(note) and not include_overpayment_holds:
        return None
    return LedgerEntry(
        on=note.issued_on,
        kind=EntryKind.CREDIT,
        amount=note.amount,
        reference=note.number,
        description=f"Credit: {note.reason}",
        source_id=note.credit_note_id,
        account_number=note.account_number,
    )


def _changed_on(payment: Payment, statuses: frozenset[PaymentStatus]) -> date:
    """The day of the latest change into one of ``statuses`` (a refund's or reversal's date)."""
    days = [change.at.date() for change in payment.history if change.status in statuses]
    return max(days) if days else payment.created_at.date()


def _refunds(payment: Payment) -> list[tuple[date, int]]:
    """Each refund of a payment with its day: one per refund recorded with its amount; whatever is refunded
    beyond those (refunds reported before amounts were kept, e.g. by the processor) on the latest refund day."""
    statuses = frozenset({P.REFUNDED, P.PARTIALLY_REFUNDED})
    recorded = [(c.at.date(), c.amount) for c in payment.history if c.status in statuses and c.amount]
    rest = payment.refunded - sum(amount for _, amount in recorded)
    return recorded + ([(_changed_on(payment, statuses), rest)] if rest > 0 else [])


def payment_entries(payment: Payment, *, applied: int | None = None) -> list[LedgerEntry]:
    """The lines a payment contributes: the payment, then any refund or reversal of it.

    ``applied`` limits the payment to the part applied to one account (account statements); refunds and
    reversals then count in the same proportion.
    """
    if payment.status not in _MOVED_MONEY and payment.status not in _PENDING:
        return []  # failed and voided payments moved no money
    amount = payment.amount if applied is None else min(applied, payment.amount)
    if amount <= 0:
        return []

    def share(whole: int) -> int:
        return whole if applied is None else whole * amount // payment.amount

    method = payment.method.brand or payment.method.type.value
    last4 = f" ending {payment.method.last4}" if payment.method.last4 else ""
    reference = payment.receipt_number or payment.payment_id
    entries = [
        LedgerEntry(
            on=payment.created_at.date(),
            kind=EntryKind.PAYMENT,
            amount=amount,
            reference=reference,
            description=f"Payment by {method}{last4}" + (" (pending)" if payment.status in _PENDING else ""),
            source_id=payment.payment_id,
            pending=payment.status in _PENDING,
        )
    ]
    if payment.refunded > 0 and payment.status is not P.REVERSED:
        refunds = _refunds(payment)
        shares = allocate(Money(share(payment.refunded), payment.currency), [whole for _, whole in refunds])
        for n, ((on, _), part) in enumerate(zip(refunds, shares, strict=True), start=1):
            if part.minor > 0:
                suffix = f"#{n}" if len(refunds) > 1 else ""
                entries.append(
                    LedgerEntry(
                        on=on,
                        kind=EntryKind.REFUND,
                        amount=part.minor,
                        reference=reference,
                        description=f"Refund of payment {payment.payment_id}",
                        source_id=f"{payment.payment_id}#refund{suffix}",
                    )
                )
    if payment.status is P.REVERSED:
        entries.append(
            LedgerEntry(
                on=_changed_on(payment, frozenset({P.REVERSED})),
                kind=EntryKind.REVERSAL,
                amount=amount,
                reference=reference,
                description=f"Reversal of payment {payment.payment_id} (returned or charged back)",
                source_id=f"{payment.payment_id}#reversal",
            )
        )
    return entries


def credit_application_entries(note: CreditNote) -> list[LedgerEntry]:
    """Each application of ``note`` to an invoice, as a line that moves the balance by zero (see the module)."""
    return [
        LedgerEntry(
            on=application.applied_at.date(),
            kind=EntryKind.CREDIT_APPLIED,
            amount=application.amount,
            reference=note.number,
            description=(
                f"Credit {note.number} applied to invoice {application.invoice_number}: "
                f"{Money(application.amount, note.currency).format()}"
            ),
            source_id=f"{note.credit_note_id}#{application.invoice_id}#{application.applied_at.isoformat()}",
            account_number=note.account_number,
        )
        for application in note.applications
    ]


def adjustment_entry(
    *,
    adjustment_id: str,
    kind: str,
    amount: int,
    on: date,
    invoice_number: str,
    account_number: str | None,
    note: str = "",
) -> LedgerEntry:
    """An adjustment (``amount`` signed as asked) or a write-off (``amount`` > 0, the part not collected)."""
    write_off = kind == "write_off"
    effect = -abs(amount) if write_off else amount
    what = "Write-off" if write_off else ("Adjustment (charge)" if amount > 0 else "Adjustment (credit)")
    return LedgerEntry(
        on=on,
        kind=EntryKind.ADJUSTMENT,
        amount=effect,
        reference=invoice_number,
        description=f"{what} on invoice {invoice_number}" + (f": {note}" if note else ""),
        source_id=adjustment_id,
        account_number=account_number,
    )


def debit_adjustment(kind: str, amount: int) -> int:
    """What an adjustment added to its invoice's amount (a debit); the invoice's line subtracts it."""
    return amount if kind != "write_off" and amount > 0 else 0
