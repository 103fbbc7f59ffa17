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
- each refund (+its amount, on its day) and a reversal (+what the refunds had not given back, on its day), also
  when a refunded payment is later reversed, so a statement ending between them shows the refund;
- a credit note on its issue date, -amount, except the credit notes that hold a payment's overpayment: that money
  is already in the payment line, and counting it twice would understate the balance (an account statement
  counts the payment as far as it paid the account's invoices or left credit on the account);
- an adjustment or a write-off (issue 5) on the day staff made it, signed: a debit adjustment +amount (the
  invoice's own line shows its original amount, so the debit counts once), a credit adjustment -amount, a
  write-off -amount;
- an application of held credit to an invoice on the day it was applied, as a line that shows the amount but
  moves the balance by zero: the credit already lowered what is owed when it arose (the credit note's line, or
  the payment that left it), and applying it only says which invoice it now pays.

The aging as of the end (what was owed on that day, invoice by invoice, and the credit held then) is worked out by
``domain/statement_reading.py`` from the ledger as it stands; its total less the credit is the closing balance.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from arportal.domain.aging import AgingSummary, Receivable, age_receivables
from arportal.domain.models import CreditNote, Payment
from arportal.domain.money import Money
from arportal.domain.status import PaymentStatus

__all__ = [
    "AgingSummary",
    "DayOf",
    "EntryKind",
    "Giveback",
    "LedgerEntry",
    "Part",
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
    "givebacks",
    "invoice_entry",
    "overlap",
    "overpayment_source",
    "payment_entries",
    "payment_parts",
    "utc_day",
]


DayOf = Callable[[datetime], date]  # the calendar day an instant falls on: the agency's (``AgencyTime.day``)


def utc_day(moment: datetime) -> date:
    """The UTC day of an instant: the default where no agency zone is named (an agency in UTC)."""
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()


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
    reference: str  # what a person quotes: invoice number, receipt number (none yet: ""), credit note number
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
    opening: int = 0,
) -> Statement:
    """Fold ``records`` (ledger entries and, for the aging summary, receivables as of ``end``) into a statement.

    One pass: entries before ``start`` only add to the opening balance; entries in the range are kept (the only
    list held) and sorted once; entries after ``end`` are ignored. ``opening`` is the balance before every entry
    given (a balance checkpoint's, when only the entries from its month on are read).
    """
    if start > end:
        raise ValueError("the statement starts after it ends")
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


def held_from_payment(reason: str) -> str | None:
    """The payment a credit note holds the overpayment of (its reason names it, ``domain/posting.py``)."""
    match = _OVERPAYMENT_HOLD.match(reason)
    return match.group(1) if match else None


def reason_in_words(reason: str) -> str:
    """A credit note's reason as a person reads it: an overpayment's without the payment's internal id."""
    return "Overpayment held as credit" if held_from_payment(reason) else reason


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


@dataclass(frozen=True, slots=True)
class Part:
    """A stretch ``[start, end)`` of a payment's amount, in the order money back takes it back: the credit the
    payment left on account first (``invoice_id`` None), then its allocations from the last invoice id to the
    first (``domain/staff_actions.plan_money_back``'s order, so the n-th refund takes exactly the same stretch)."""

    start: int
    end: int
    invoice_id: str | None
    account_number: str | None = None

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Giveback:
    """Money that left a payment again: a refund, or a reversal (what the refunds had not taken yet), as the
    stretch ``[start, end)`` of the payment it took back."""

    at: datetime
    kind: EntryKind  # REFUND or REVERSAL
    start: int
    end: int

    @property
    def on(self) -> date:
        return self.at.date()

    @property
    def size(self) -> int:
        return self.end - self.start


def overlap(start: int, end: int, other_start: int, other_end: int) -> int:
    return max(0, min(end, other_end) - max(start, other_start))


def payment_parts(payment: Payment, allocations: Iterable[tuple[str, str, int]]) -> list[Part]:
    """``payment``'s stretches: its unapplied credit, then ``allocations`` ((invoice id, account, amount)) from
    the last invoice id to the first."""
    parts = [Part(0, payment.unapplied, None)] if payment.unapplied > 0 else []
    offset = payment.unapplied
    for invoice_id, account_number, amount in sorted(allocations, key=lambda a: a[0], reverse=True):
        parts.append(Part(offset, offset + amount, invoice_id, account_number))
        offset += amount
    return parts


def givebacks(payment: Payment) -> list[Giveback]:
    """Each refund with its moment and the stretch it took back, then the reversal, if any, of the rest.

    Refunds recorded with their amount come in the order they were made; what is refunded beyond them (refunds
    recorded before amounts were kept, or reported by the processor) comes last, at the latest refund's moment.
    A reversal takes back what the refunds had not: ``[refunded, amount)``. Voided and failed payments give
    nothing back: they never moved money (see ``payment_entries``).
    """
    refund_statuses = (P.REFUNDED, P.PARTIALLY_REFUNDED)
    out: list[Giveback] = []
    taken = 0
    latest: datetime | None = None
    for change in payment.history:
        if change.status in refund_statuses:
            latest = change.at
            if change.amount:
                out.append(Giveback(change.at, EntryKind.REFUND, taken, taken + change.amount))
                taken += change.amount
    if payment.refunded > taken:
        out.append(Giveback(latest or payment.created_at, EntryKind.REFUND, taken, payment.refunded))
    if payment.status is P.REVERSED and payment.amount > payment.refunded:
        reversed_at = max((c.at for c in payment.history if c.status is P.REVERSED), default=payment.created_at)
        out.append(Giveback(reversed_at, EntryKind.REVERSAL, payment.refunded, payment.amount))
    return out


def payment_entries(
    payment: Payment, *, within: Sequence[Part] | None = None, day: DayOf = utc_day
) -> list[LedgerEntry]:
    """The lines a payment contributes: the payment, then each refund and the reversal of what was left.

    ``within`` limits the payment to some of its stretches (``payment_parts``): an account statement counts the
    allocations to the account and the credit held on it, and each refund or reversal as far as it took back
    from those stretches. Without it the whole payment counts: ``amount`` less what was given back, in total.
    Each line is on ``day`` of its moment: the agency's calendar day.
    """
    if payment.status not in _MOVED_MONEY and payment.status not in _PENDING:
        return []  # failed and voided payments moved no money
    spans = [(0, payment.amount)] if within is None else [(p.start, p.end) for p in within]
    amount = sum(end - start for start, end in spans)
    if amount <= 0:
        return []
    method = payment.method.brand or payment.method.type.value
    last4 = f" ending {payment.method.last4}" if payment.method.last4 else ""
    reference = payment.receipt_number or ""  # a payment not cleared yet has no number a person can quote
    # What the customer knows the payment by: its receipt number, never the platform's id.
    named = f"payment {payment.receipt_number}" if payment.receipt_number else f"your payment by {method}{last4}"
    entries = [
        LedgerEntry(
            on=day(payment.created_at),
            kind=EntryKind.PAYMENT,
            amount=amount,
            reference=reference,
            description=f"Payment by {method}{last4}" + (" (pending)" if payment.status in _PENDING else ""),
            source_id=payment.payment_id,
            pending=payment.status in _PENDING,
        )
    ]
    back = givebacks(payment)
    refunds = sum(1 for g in back if g.kind is EntryKind.REFUND)
    for n, giveback in enumerate(back, start=1):
        part = sum(overlap(giveback.start, giveback.end, start, end) for start, end in spans)
        if part <= 0:
            continue
        if giveback.kind is EntryKind.REVERSAL:
            entries.append(
                LedgerEntry(
                    on=day(giveback.at),
                    kind=EntryKind.REVERSAL,
                    amount=part,
                    reference=reference,
                    description=f"Reversal of {named} (returned by the bank or disputed)",
                    source_id=f"{payment.payment_id}#reversal",
                )
            )
            continue
        entries.append(
            LedgerEntry(
                on=day(giveback.at),
                kind=EntryKind.REFUND,
                amount=part,
                reference=reference,
                description=f"Refund of {named}",
                source_id=f"{payment.payment_id}#refund" + (f"#{n}" if refunds > 1 else ""),
            )
        )
    return entries


def credit_application_entries(note: CreditNote, *, day: DayOf = utc_day) -> list[LedgerEntry]:
    """Each application of ``note`` to an invoice, as a line that moves the balance by zero (see the module)."""
    return [
        LedgerEntry(
            on=day(application.applied_at),
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
