"""Applying a customer's held credit to their open invoices, planned before anything is written.

Credit sources are credit notes with something left: the overpayments held as credit (``domain/posting.py`` words
their reason "Overpayment held as credit from payment <id>") and credit notes the agency issued. Sources are used
in this order:
1. overpayment holds, oldest first: that money is the customer's own cash, refundable on request; spending it
   first keeps agency-issued credit (which may carry conditions or expire under an agency's rules) for last and
   shrinks the cash the agency holds on the customer's behalf;
2. then agency credit notes by issue date (then number), so the oldest credit is used first, as FIFO aging expects.

Where the money goes is decided by the agency's allocation rule, reusing ``domain/allocation.py``: oldest-due
first by default, or the invoices the customer chose, in their order; inside an invoice, fees -> penalties ->
adjustments -> principal (``split_by_line_kind``).

Credit stays within its account: a source applies only to invoices of its own account, because an account
belongs to one department and moving credit between departments is a transfer between funds, not a payment.

Invariants (property-tested in tests/property/test_credit_properties.py):
- no source gives more than it holds, so no ``remaining`` goes below zero;
- no invoice takes more than it owes, so no balance goes below zero;
- within each account, applied == min(credit held, owed on the chosen invoices);
- money is conserved: what the sources lose is exactly what the invoices' balances lose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from arportal.domain.allocation import allocate_chosen, allocate_oldest_first, split_by_line_kind
from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import CreditApplication, CreditNote, Invoice, LineKind
from arportal.domain.posting import InvoiceChange
from arportal.domain.statement import overpayment_source
from arportal.domain.status import invoice_status_for, transition_invoice


class NoCreditToApplyError(BusinessRuleError):
    code = "no_credit_to_apply"


@dataclass(frozen=True)
class CreditPart:
    """``amount`` of ``source`` applied to ``invoice``."""

    source_id: str
    source_number: str
    invoice_id: str
    invoice_number: str
    account_number: str
    amount: int


@dataclass(frozen=True)
class SourceChange:
    before: CreditNote
    after: CreditNote
    amount: int  # taken from the note


@dataclass(frozen=True)
class CreditPlan:
    parts: tuple[CreditPart, ...]
    source_changes: tuple[SourceChange, ...]
    invoice_changes: tuple[InvoiceChange, ...]
    splits: dict[str, dict[LineKind, int]]  # invoice id -> how its share divides into fees ... principal
    credit_left: int  # every source's remaining after the plan, in the currency

    @property
    def applied(self) -> int:
        return sum(p.amount for p in self.parts)


def source_order(notes: Sequence[CreditNote]) -> list[CreditNote]:
    """The order sources are spent in (see the module): overpayment holds, then credit notes, oldest first."""
    return sorted(
        notes,
        key=lambda n: (overpayment_source(n) is None, n.issued_on, n.number, n.credit_note_id),
    )


def credit_invoice(invoice: Invoice, amount: int) -> Invoice:
    """The invoice after ``amount`` of credit is applied to it (``credited`` rises, ``balance`` falls)."""
    if amount <= 0 or amount > invoice.balance:
        raise ValueError(f"invoice {invoice.invoice_number} cannot take {amount} of credit")
    credited = invoice.credited + amount
    balance = invoice.amount - invoice.paid - credited
    status = invoice_status_for(invoice.amount, balance, voided=invoice.voided)
    if status is not invoice.status:
        transition_invoice(invoice.status, status)
    return invoice.model_copy(
        update={"credited": credited, "balance": balance, "status": status, "version": invoice.version + 1}
    )


def plan_credit_application(
    notes: Sequence[CreditNote],
    invoices: Sequence[Invoice],
    *,
    currency: str,
    now: datetime,
    invoice_ids: Sequence[str] | None = None,
    account_number: str | None = None,
    max_records: int | None = None,
) -> CreditPlan:
    """Apply the credit of ``notes`` to ``invoices`` (see the module for the rules).

    ``invoice_ids`` (the customer's choice, in order) must all be open invoices of this customer in
    ``currency``; ``account_number`` limits both sources and invoices to one account. ``max_records`` bounds the
    sources plus invoices one plan touches (one transaction's room); what does not fit stays as credit.
    """
    sources = [n for n in source_order(notes) if n.remaining > 0 and n.currency == currency]
    if account_number is not None:
        sources = [n for n in sources if n.account_number == account_number]
    open_by_id = {i.invoice_id: i for i in invoices if i.balance > 0 and not i.voided and i.currency == currency}
    if invoice_ids is not None:
        _check_chosen(invoice_ids, open_by_id, account_number)
        targets = [open_by_id[i] for i in invoice_ids]
    else:
        targets = [i for i in open_by_id.values() if account_number is None or i.account_number == account_number]
    if not sources:
        raise NoCreditToApplyError("there is no credit on this account to apply", details={"credit": 0})
    if not targets:
        raise NoCreditToApplyError("there are no open invoices to apply credit to", details={"open_invoices": 0})

    parts: list[CreditPart] = []
    room = _Room(max_records if max_records is not None else len(sources) + len(targets))
    for account in sorted({n.account_number for n in sources}):
        held = [n for n in sources if n.account_number == account]
        owed = [i for i in targets if i.account_number == account]
        if not owed:
            continue
        total = sum(n.remaining for n in held)
        if invoice_ids is not None:
            plan = allocate_chosen(total, currency, owed, [(i.invoice_id, i.balance) for i in owed])
        else:
            plan = allocate_oldest_first(total, currency, owed)
        parts.extend(_pour(held, [(p.invoice, p.amount) for p in plan.parts], account, room))
    if not parts:
        raise NoCreditToApplyError(
            "no credit can be applied: the credit and the open invoices are on different accounts",
            details={"credit": sum(n.remaining for n in sources)},
        )
    return _plan_from(parts, notes, targets, currency=currency, now=now)


@dataclass
class _Room:
    """How many more sources plus invoices one transaction can touch."""

    limit: int
    sources: set[str] = field(default_factory=set)
    invoices: set[str] = field(default_factory=set)

    def takes(self, source_id: str, invoice_id: str) -> bool:
        new = (source_id not in self.sources) + (invoice_id not in self.invoices)
        if len(self.sources) + len(self.invoices) + new > self.limit:
            return False
        self.sources.add(source_id)
        self.invoices.add(invoice_id)
        return True


def _pour(held: list[CreditNote], shares: list[tuple[Invoice, int]], account: str, room: _Room) -> list[CreditPart]:
    """The sources, in their order, poured into the invoices' shares, in the rule's order."""
    parts: list[CreditPart] = []
    queue = [(n, n.remaining) for n in held]
    for invoice, share in shares:
        need = share
        while need and queue:
            note, left = queue[0]
            if not room.takes(note.credit_note_id, invoice.invoice_id):
                return parts  # the rest stays as credit, for another application
            take = min(need, left)
            parts.append(
                CreditPart(note.credit_note_id, note.number, invoice.invoice_id, invoice.invoice_number, account, take)
            )
            need -= take
            if left == take:
                queue.pop(0)
            else:
                queue[0] = (note, left - take)
    return parts


def _check_chosen(invoice_ids: Sequence[str], open_by_id: dict[str, Invoice], account_number: str | None) -> None:
    problems = []
    if len(set(invoice_ids)) != len(invoice_ids):
        problems.append({"field": "invoice_ids", "reason": "an invoice is named twice"})
    for position, invoice_id in enumerate(invoice_ids):
        invoice = open_by_id.get(invoice_id)
        if invoice is None:
            problems.append({"field": f"invoice_ids[{position}]", "reason": "not an open invoice of yours"})
        elif account_number is not None and invoice.account_number != account_number:
            problems.append({"field": f"invoice_ids[{position}]", "reason": f"not on account {account_number}"})
    if problems:
        raise BusinessRuleError("credit cannot be applied to these invoices", details=problems)


def _plan_from(
    parts: list[CreditPart],
    notes: Sequence[CreditNote],
    invoices: Sequence[Invoice],
    *,
    currency: str,
    now: datetime,
) -> CreditPlan:
    by_invoice = {i.invoice_id: i for i in invoices}
    taken: dict[str, int] = {}
    received: dict[str, int] = {}
    applications: dict[str, list[CreditApplication]] = {}
    for part in parts:
        taken[part.source_id] = taken.get(part.source_id, 0) + part.amount
        received[part.invoice_id] = received.get(part.invoice_id, 0) + part.amount
        applications.setdefault(part.source_id, []).append(
            CreditApplication(
                invoice_id=part.invoice_id, invoice_number=part.invoice_number, amount=part.amount, applied_at=now
            )
        )
    source_changes = []
    for note in notes:
        if note.credit_note_id in taken:
            after = note.model_copy(
                update={
                    "remaining": note.remaining - taken[note.credit_note_id],
                    "applications": [*note.applications, *applications[note.credit_note_id]],
                }
            )
            source_changes.append(SourceChange(note, after, taken[note.credit_note_id]))
    invoice_changes = []
    splits = {}
    for invoice_id, amount in received.items():
        before = by_invoice[invoice_id]
        splits[invoice_id] = split_by_line_kind(before, amount)
        invoice_changes.append(InvoiceChange(before, credit_invoice(before, amount), amount))
    left = sum(n.remaining for n in notes if n.currency == currency) - sum(taken.values())
    return CreditPlan(tuple(parts), tuple(source_changes), tuple(invoice_changes), splits, left)
