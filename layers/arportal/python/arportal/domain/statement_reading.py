"""From the ledger as it stands today to a statement's records: its lines, and what was owed on its last day.

Pure. The reader (``adapters/dynamodb/history.py``) streams what it reads into ``StatementReading`` in this order:
allocations (when asked for), adjustments, credit notes, payments, invoices; the reading yields ledger entries
(``domain/statement.py``) and, for the aging, ``Receivable``s as of the statement's end ``until``.

What was owed at the end is worked back from today's figures, invoice by invoice:

    owed then = balance now
              + allocations made after the end             (the invoice was not paid yet)
              + credit applied after the end               (the invoice was not credited yet)
              - adjustments made after the end             (their effect had not happened yet)
              - what refunds and reversals after the end gave back to it  (it was still paid then)
              + credit spent on it that a refund or reversal up to the end had to give back (see below)

Which stretch of a payment a refund or reversal took back follows ``domain/staff_actions.plan_money_back``: the
credit the payment left on account first, then its allocations from the last invoice id to the first
(``statement.payment_parts`` / ``statement.givebacks``), so every invoice's share is known without a record per
refund. The credit a payment left (its overpayment hold) is followed from the payment's ``unapplied`` amount, its
applications and its givebacks, not from the hold's stored amount (a refund lowers that).

A voided or failed payment never moved money: it has no line, and it never paid anything either, whenever the
statement ends: its allocations were taken back when it was voided (today's balances already say so), and any
credit it left, even credit since applied to another invoice, never existed (that invoice is owed again).

When a refund or reversal gives back credit the customer has already spent, the ledger cannot take it back (the
``shortfall`` staff follow up); the customer has the money back, so what that credit paid is owed again, on the
invoices it paid (newest application first), from the refund's day. With that, every movement changes what the
invoices owe less the credit held by exactly its line's effect, so the aging as of the end explains the closing
balance: ``total_due - credit = closing`` (tests/property/test_statement_properties.py).

An account statement reads the same way limited to one account: its invoices, its credit notes, and each
payment as far as it paid the account's invoices or left its credit on the account. A hold that a refund took
back entirely is deleted, so its account is unknown: it then counts on no account statement (the payment's line
and the aging leave it out alike).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from arportal.domain.aging import Receivable
from arportal.domain.models import CreditNote, Payment
from arportal.domain.statement import (
    DayOf,
    LedgerEntry,
    Part,
    adjustment_entry,
    credit_application_entries,
    credit_entry,
    debit_adjustment,
    givebacks,
    invoice_entry,
    overlap,
    overpayment_source,
    payment_entries,
    payment_parts,
    utc_day,
)

Record = LedgerEntry | Receivable
_Event = tuple[datetime, int, str, int]  # when, 0 an application / 1 a giveback, the invoice applied to, amount


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """An invoice as the statement reads it (a projection: its lines are not needed)."""

    invoice_id: str
    invoice_number: str
    account_number: str
    department: str
    issue_date: date
    due_date: date
    amount: int  # now, debit adjustments included
    balance: int  # now
    voided: bool = False


@dataclass(frozen=True, slots=True)
class AdjustmentFacts:
    adjustment_id: str
    invoice_id: str
    kind: str  # "adjustment" or "write_off"
    amount: int  # as asked: signed for an adjustment, > 0 for a write-off
    on: date
    note: str = ""


@dataclass(frozen=True, slots=True)
class AllocationFacts:
    payment_id: str
    invoice_id: str
    account_number: str
    amount: int
    applied_on: date


@dataclass
class StatementReading:
    """One statement's read, folded as the pages stream past (see the module for the order and the rules)."""

    until: date
    account_number: str | None = None
    day: DayOf = utc_day  # the calendar an instant is dated by: the agency's (``AgencyTime.day``)
    corrections: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # invoice -> owed then - now
    credit_left: int = 0  # credit held at the end
    _allocations: dict[str, list[AllocationFacts]] = field(default_factory=lambda: defaultdict(list))
    _adjustments: dict[str, list[AdjustmentFacts]] = field(default_factory=lambda: defaultdict(list))
    _holds: dict[str, CreditNote] = field(default_factory=dict)  # payment id -> the credit it left on account

    # --- first: allocations and adjustments ---------------------------------------------------------------

    def allocation(self, allocation: AllocationFacts) -> None:
        self._allocations[allocation.payment_id].append(allocation)

    def adjustment(self, adjustment: AdjustmentFacts) -> None:
        self._adjustments[adjustment.invoice_id].append(adjustment)

    # --- then credit notes and payments -------------------------------------------------------------------

    def credit_note(self, note: CreditNote) -> Iterator[Record]:
        if overpayment_source(note):
            # The payment's own lines count this money; its payment says what became of it.
            self._holds[overpayment_source(note) or ""] = note
            if note.issued_on <= self.until:
                yield from credit_application_entries(note, day=self.day)
            return
        yield from self._plain_note(note)

    def _plain_note(self, note: CreditNote) -> Iterator[Record]:
        for application in note.applications:
            if self.day(application.applied_at) > self.until:
                self.corrections[application.invoice_id] += application.amount
        if note.issued_on > self.until:
            return
        credit = credit_entry(note, include_overpayment_holds=True)
        if credit is not None:
            yield credit
        yield from credit_application_entries(note, day=self.day)
        self.credit_left += note.amount - sum(
            a.amount for a in note.applications if self.day(a.applied_at) <= self.until
        )

    def payment_without_money(self, payment_id: str) -> None:
        """A failed or voided payment: it paid nothing, ever, and any credit it left never existed."""
        self._allocations.pop(payment_id, None)
        hold = self._holds.pop(payment_id, None)
        if hold is not None:
            for application in hold.applications:
                self.corrections[application.invoice_id] += application.amount

    def payment(self, payment: Payment) -> Iterator[Record]:
        if payment.status.value in {"failed", "voided"}:
            self.payment_without_money(payment.payment_id)
            return
        allocations = self._allocations.pop(payment.payment_id, [])
        hold = self._holds.pop(payment.payment_id, None)
        parts = payment_parts(payment, [(a.invoice_id, a.account_number, a.amount) for a in allocations])
        # On an account statement a hold is read only when it is on the account (the read is by account).
        holds_here = self.account_number is None or hold is not None
        if self.account_number is None:
            yield from payment_entries(payment, day=self.day)
        else:
            mine = [
                p for p in parts if (holds_here if p.invoice_id is None else p.account_number == self.account_number)
            ]
            yield from payment_entries(payment, within=mine, day=self.day)
        for allocation in allocations:
            if allocation.applied_on > self.until:
                self.corrections[allocation.invoice_id] += allocation.amount
        self._given_back_later(payment, parts)
        if payment.unapplied > 0 and holds_here:
            self._follow_hold(payment, hold)

    def _given_back_later(self, payment: Payment, parts: list[Part]) -> None:
        """Refunds and reversals after the end reopened invoices the payment had paid by then."""
        for giveback in givebacks(payment):
            if self.day(giveback.at) <= self.until:
                continue
            for part in parts:
                if part.invoice_id is not None:
                    share = overlap(giveback.start, giveback.end, part.start, part.end)
                    if share:
                        self.corrections[part.invoice_id] -= share

    def _follow_hold(self, payment: Payment, hold: CreditNote | None) -> None:
        """The credit the payment left, up to the end: spent by applications, taken back by givebacks."""
        applications = hold.applications if hold is not None else []
        for application in applications:
            if self.day(application.applied_at) > self.until:  # applied after the end: the invoice was open then
                self.corrections[application.invoice_id] += application.amount
        if self.day(payment.created_at) > self.until:
            return
        held = payment.unapplied
        events: list[_Event] = [
            (a.applied_at, 0, a.invoice_id, a.amount) for a in applications if self.day(a.applied_at) <= self.until
        ]
        events += [
            (g.at, 1, "", overlap(g.start, g.end, 0, held))
            for g in givebacks(payment)
            if self.day(g.at) <= self.until and g.start < held
        ]
        left = held
        spent: list[tuple[str, int]] = []  # applications so far, oldest first: (invoice, what is still funded)
        for _, kind, invoice_id, amount in sorted(events, key=lambda e: (e[0], e[1])):
            if kind == 0:
                left -= amount
                spent.append((invoice_id, amount))
                continue
            take = min(amount, max(left, 0))
            left -= take
            self._owed_again(spent, amount - take)
        self.credit_left += left

    def _owed_again(self, spent: list[tuple[str, int]], shortfall: int) -> None:
        """Credit already spent that a giveback returned to the customer: what it paid is owed again."""
        for index in range(len(spent) - 1, -1, -1):
            if shortfall <= 0:
                return
            invoice_id, funded = spent[index]
            again = min(funded, shortfall)
            self.corrections[invoice_id] += again
            spent[index] = (invoice_id, funded - again)
            shortfall -= again

    def payments_done(self) -> Iterator[Record]:
        """Holds whose payment was not found count as plain credit notes (the ledger would be damaged)."""
        holds, self._holds = self._holds, {}
        for note in holds.values():
            yield from self._plain_note(note)
        for allocations in self._allocations.values():  # a payment not found: its allocations stand
            for allocation in allocations:
                if allocation.applied_on > self.until:
                    self.corrections[allocation.invoice_id] += allocation.amount
        self._allocations.clear()

    # --- last: invoices, then the credit -------------------------------------------------------------------

    def invoice(self, facts: InvoiceFacts) -> Iterator[Record]:
        adjustments = self._adjustments.pop(facts.invoice_id, [])
        if facts.voided:
            return  # a voided invoice was never owed
        # A debit adjustment added a line to the invoice: the invoice's line is what it was issued for.
        issued = facts.amount - sum(debit_adjustment(a.kind, a.amount) for a in adjustments)
        entry = invoice_entry(
            invoice_id=facts.invoice_id,
            invoice_number=facts.invoice_number,
            account_number=facts.account_number,
            department=facts.department,
            issue_date=facts.issue_date,
            due_date=facts.due_date,
            amount=issued,
        )
        for record in adjustments:
            adjusted = adjustment_entry(
                adjustment_id=record.adjustment_id,
                kind=record.kind,
                amount=record.amount,
                on=record.on,
                invoice_number=entry.reference,
                account_number=entry.account_number,
                note=record.note[:120],
            )
            if adjusted.on > self.until:  # the balance at the end did not have it yet
                self.corrections[facts.invoice_id] -= adjusted.effect
            yield adjusted
        yield entry
        owed = facts.balance + self.corrections.pop(facts.invoice_id, 0)
        if facts.issue_date <= self.until and owed:
            # Below zero only if the ledger's own figures disagree; counted as credit so the aging still adds up.
            yield Receivable(owed, facts.due_date, facts.invoice_number)

    def finish(self) -> Iterator[Record]:
        if self.credit_left:
            yield Receivable(-self.credit_left, None if self.credit_left > 0 else self.until, "credit")
