"""A banking day's double-entry GL journal, built from its movements (``domain/journal_movements.py``).

Basis: revenue is recognised when money is applied to an invoice (a receipts interface, as agencies' cashiering
systems post): a collection credits the revenue account of its department and fee code. Money waits in a
clearing account per method ("undeposited funds") until the deposit. Accounts come from the chart
(``domain/chart_of_accounts.py``; C below is the clearing fund, F the fund of the department involved):

    payment posted       Dr clearing[method] (C)               the total, fee included
                         Cr revenue[department, fee code] (F)  each part paid on an invoice
                         Cr credit held (F of the credit)      the overpayment held as the customer's credit
                         Cr convenience fee revenue[method]    the fee on top
    refund               Dr refunds, contra-revenue (F)        each part; Dr credit held for credit given back
                         Cr clearing[method] (C)               (the fee stays: the processor keeps it)
    reversal             as a refund, on reversals (contra-revenue): the bank took it back (staff- or processor-
                         reported); a returned fee debits the convenience fee revenue
    void                 the posting undone: Dr the same revenue, credit held and fee accounts, Cr clearing; the
                         charge is cancelled before it settles, so it was never revenue to refund
    processor fee        Dr processor fees, expense (C)  Cr clearing[method] (C): the payout arrives net of them
    credit applied       overpayment: Dr credit held (F of the credit)  Cr revenue[department, fee code] (F)
                         agency credit note: Dr adjustments, contra-revenue (F)  Cr receivable (F)
    adjustment           raising what is owed: Dr receivable (F)  Cr adjustments, contra-revenue (F)
                         lowering it: Dr adjustments (F)  Cr receivable (F)
    write-off            Dr bad debt, expense (F)  Cr receivable (F)

Adjustments, write-offs and agency credit notes move no money: they change what a department's billing says is
owed, so they go to the department's receivable and its offsets, never to revenue (which waits for money).

Funds: the clearing accounts live in one fund, as the deposit lands in one pooled bank account, while the invoices
a payment pays may belong to several funds. Rather than a clearing account per fund (which would split one card
payment, and one deposit line, across accounts the bank never sees), each movement is balanced fund by fund with
interfund lines against its anchor fund (the clearing fund for money; the credit's fund for credit applied): a fund
that received credits debits ``dueFrom`` (owed by the anchor) and the anchor credits ``dueTo``; a fund that was
debited (a refund's contra-revenue) credits ``dueTo`` and the anchor debits ``dueFrom``. The treasurer settles
them when the pooled cash is distributed. So every movement, and every journal, balances per fund and currency.

Determinism: movements are put in a canonical order (kind, currency, ids) and each produces its lines in a fixed
order, so the same movements in any order give identical lines, numbered from 1. A batch is never changed: a
correction is ``reversal_of`` (every line mirrored) plus a new batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date

from arportal.domain.chart_of_accounts import ChartOfAccounts, GlAccount, Role
from arportal.domain.journal_movements import (
    CreditApplied,
    CreditSource,
    InvoiceAdjusted,
    Movement,
    PaymentPosted,
    PaymentReturned,
    ProcessorFee,
    ReturnKind,
)
from arportal.domain.staff_actions import AdjustmentKind


class UnbalancedJournalError(ValueError):
    """Lines that do not balance per fund and currency: a defect, never exported."""


@dataclass(frozen=True, slots=True)
class SourceRef:
    """The records a line comes from (the trail drills down through these)."""

    payment_id: str | None = None
    invoice_id: str | None = None
    refund_id: str | None = None
    adjustment_id: str | None = None
    application_id: str | None = None
    credit_note_id: str | None = None
    payout_id: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {f.name: value for f in fields(self) if (value := getattr(self, f.name)) is not None}


SOURCE_FIELDS = tuple(f.name for f in fields(SourceRef))


@dataclass(frozen=True, slots=True)
class JournalLine:
    line_number: int
    kind: str  # the movement: payment, refund, void, reversal, processor_fee, credit_applied, adjustment, write_off
    fund: str
    department: str | None
    account: str
    debit: int
    credit: int
    currency: str
    memo: str
    source: SourceRef

    def __post_init__(self) -> None:
        if min(self.debit, self.credit) != 0 or max(self.debit, self.credit) <= 0:
            raise ValueError(f"line {self.line_number}: one of debit and credit, the other zero ({self})")


@dataclass(frozen=True, slots=True)
class Journal:
    batch_id: str
    business_date: date
    agency: str
    lines: tuple[JournalLine, ...]
    reverses: str | None = None  # the batch this one reverses

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(sorted({line.currency for line in self.lines}))

    def control_totals(self, currency: str) -> tuple[int, int, int]:
        """(detail records, debits, credits) of ``currency``'s lines."""
        mine = [line for line in self.lines if line.currency == currency]
        return len(mine), sum(x.debit for x in mine), sum(x.credit for x in mine)


def batch_id_for(agency: str, business_date: date, sequence: int = 1) -> str:
    """``GL-springfield-20260312-01``: a day's first batch; a correction's new batch takes the next sequence."""
    return f"GL-{agency}-{business_date:%Y%m%d}-{sequence:02d}"


def build_journal(
    movements: Iterable[Movement], chart: ChartOfAccounts, *, batch_id: str, business_date: date, agency: str
) -> Journal:
    """The journal of ``movements``; raises ``UnmappedCodeError`` for anything the chart does not map."""
    ordered = sorted(movements, key=_order)
    _no_twice(ordered)
    legs: list[_Leg] = []
    for movement in ordered:
        legs.extend(_legs(movement, chart))
    lines = tuple(
        JournalLine(
            number,
            leg.kind,
            leg.at.fund,
            leg.at.department,
            leg.at.account,
            max(leg.amount, 0),
            max(-leg.amount, 0),
            leg.currency,
            leg.memo,
            leg.source,
        )
        for number, leg in enumerate(legs, start=1)
    )
    journal = Journal(batch_id, business_date, agency, lines)
    unbalanced = imbalances(journal.lines)
    if unbalanced:
        raise UnbalancedJournalError(f"journal {batch_id} does not balance: {unbalanced}")
    return journal


def reversal_of(journal: Journal, *, batch_id: str, business_date: date | None = None) -> Journal:
    """Every line of ``journal`` mirrored (debit for credit), in the same order: it and the original net to zero."""
    lines = tuple(
        replace(line, debit=line.credit, credit=line.debit, memo=f"reversal of {journal.batch_id}: {line.memo}")
        for line in journal.lines
    )
    return Journal(batch_id, business_date or journal.business_date, journal.agency, lines, reverses=journal.batch_id)


def imbalances(lines: Iterable[JournalLine]) -> dict[tuple[str, str], int]:
    """Per (currency, fund), debits minus credits where it is not zero: empty for a balanced journal."""
    net: dict[tuple[str, str], int] = {}
    for line in lines:
        key = (line.currency, line.fund)
        net[key] = net.get(key, 0) + line.debit - line.credit
    return {key: value for key, value in sorted(net.items()) if value}


@dataclass(frozen=True, slots=True)
class _Leg:
    kind: str
    at: GlAccount
    amount: int  # > 0 debit, < 0 credit
    currency: str
    memo: str
    source: SourceRef


@dataclass
class _Entry:
    """One movement's legs, in the order they are posted."""

    kind: str
    currency: str
    source: SourceRef
    legs: list[_Leg] = field(default_factory=list)

    def post(self, at: GlAccount, amount: int, memo: str, **source: str | None) -> None:
        self.legs.append(_Leg(self.kind, at, amount, self.currency, memo, replace(self.source, **source)))

    def by_fund(self, anchor: str, chart: ChartOfAccounts) -> list[_Leg]:
        """The legs plus the interfund lines that balance each other fund against ``anchor`` (see the module)."""
        net: dict[str, int] = {}
        for leg in self.legs:
            net[leg.at.fund] = net.get(leg.at.fund, 0) + leg.amount
        for fund in sorted(net):
            owed = net[fund]  # > 0: this fund was debited more (it owes the anchor); < 0: the anchor owes it
            if fund == anchor or not owed:
                continue
            here, there = (Role.DUE_TO, Role.DUE_FROM) if owed > 0 else (Role.DUE_FROM, Role.DUE_TO)
            self.post(chart.account_for(here, fund=fund), -owed, f"{here.value.replace('_', ' ')} fund {anchor}")
            self.post(chart.account_for(there, fund=anchor), owed, f"{there.value.replace('_', ' ')} fund {fund}")
        return self.legs


_RANK = {PaymentPosted: 0, PaymentReturned: 1, CreditApplied: 2, InvoiceAdjusted: 3, ProcessorFee: 4}


def _order(movement: Movement) -> tuple[object, ...]:
    return (_RANK[type(movement)], movement.currency, *_identity(movement), repr(movement))


def _identity(movement: Movement) -> tuple[str, ...]:
    match movement:
        case PaymentPosted():
            return (movement.payment_id,)
        case PaymentReturned():
            return (movement.payment_id, movement.kind.value, movement.refund_id or "")
        case CreditApplied():
            return (movement.application_id,)
        case InvoiceAdjusted():
            return (movement.adjustment_id,)
        case ProcessorFee():
            return (movement.payout_id, movement.method.value)


def _no_twice(ordered: list[Movement]) -> None:
    """A payment, credit application or adjustment is one record: twice in a day would post it twice."""
    seen: set[tuple[object, ...]] = set()
    for movement in ordered:
        if isinstance(movement, PaymentPosted | CreditApplied | InvoiceAdjusted):
            key = (type(movement).__name__, *_identity(movement))
            if key in seen:
                raise ValueError(f"{key[0]} {key[1]} appears twice among the day's movements")
            seen.add(key)


def _legs(movement: Movement, chart: ChartOfAccounts) -> list[_Leg]:
    match movement:
        case PaymentPosted():
            return _money(movement, chart, sign=-1, kind="payment", revenue=Role.REVENUE)
        case PaymentReturned():
            role = {ReturnKind.REFUND: Role.REFUNDS, ReturnKind.REVERSAL: Role.REVERSALS}.get(movement.kind)
            return _money(movement, chart, sign=1, kind=movement.kind.value, revenue=role or Role.REVENUE)
        case ProcessorFee():
            entry = _Entry("processor_fee", movement.currency, SourceRef(payout_id=movement.payout_id))
            memo = f"processor fees kept from payout {movement.payout_id} ({movement.method.value})"
            entry.post(chart.account_for(Role.PROCESSOR_FEES), movement.amount, memo)
            entry.post(chart.account_for(Role.CLEARING, method=movement.method), -movement.amount, memo)
            return entry.legs
        case InvoiceAdjusted():
            return _adjusted(movement, chart)
        case CreditApplied():
            return _credit_applied(movement, chart)


def _money(
    movement: PaymentPosted | PaymentReturned, chart: ChartOfAccounts, *, sign: int, kind: str, revenue: Role
) -> list[_Leg]:
    """A payment (``sign`` -1: revenue side credited) or money going back (``sign`` 1: revenue side debited)."""
    method = movement.method.value
    returned = movement if isinstance(movement, PaymentReturned) else None
    source = SourceRef(payment_id=movement.payment_id, refund_id=returned.refund_id if returned else None)
    entry = _Entry(kind, movement.currency, source)
    by = f" ({returned.reported_by})" if returned and returned.kind is ReturnKind.REVERSAL else ""
    clearing = chart.account_for(Role.CLEARING, method=method)
    entry.post(clearing, -sign * movement.total, f"{method} {kind} {movement.payment_id}{by}")
    for part in movement.parts:
        at = chart.account_for(revenue, department=part.department, fee_code=part.fee_code)
        memo = f"{kind}: {part.department} {part.fee_code} on invoice {part.invoice_id}"
        entry.post(at, sign * part.amount, memo, invoice_id=part.invoice_id)
    if movement.credit is not None:
        held = movement.credit
        at = chart.account_for(Role.CREDIT_HELD, department=held.department)
        memo = f"{kind}: credit held on a {held.department} account"
        entry.post(at, sign * held.amount, memo, credit_note_id=held.credit_note_id)
    if movement.fee:
        at = chart.account_for(Role.CONVENIENCE_FEE, method=method)
        entry.post(at, sign * movement.fee, f"{kind}: convenience fee ({method})")
    return entry.by_fund(chart.clearing.fund, chart)


def _adjusted(movement: InvoiceAdjusted, chart: ChartOfAccounts) -> list[_Leg]:
    department = movement.department
    write_off = movement.kind is AdjustmentKind.WRITE_OFF
    source = SourceRef(invoice_id=movement.invoice_id, adjustment_id=movement.adjustment_id)
    entry = _Entry("write_off" if write_off else "adjustment", movement.currency, source)
    offset = chart.account_for(Role.BAD_DEBT if write_off else Role.ADJUSTMENTS, department=department)
    # a write-off and a lowering debit the offset; raising what is owed (amount > 0) debits the receivable
    amount = movement.amount if write_off else -movement.amount
    memo = f"{entry.kind.replace('_', '-')} of invoice {movement.invoice_id} ({department})"
    entry.post(offset, amount, memo)
    entry.post(chart.account_for(Role.RECEIVABLE, department=department), -amount, memo)
    return entry.legs


def _credit_applied(movement: CreditApplied, chart: ChartOfAccounts) -> list[_Leg]:
    source = SourceRef(application_id=movement.application_id, credit_note_id=movement.credit_note_id)
    entry = _Entry("credit_applied", movement.currency, source)
    if movement.source is CreditSource.OVERPAYMENT:
        held = chart.account_for(Role.CREDIT_HELD, department=movement.credit_department)
        total = sum(p.amount for p in movement.parts)
        entry.post(held, total, f"credit held applied ({movement.credit_department})")
        for part in movement.parts:
            at = chart.account_for(Role.REVENUE, department=part.department, fee_code=part.fee_code)
            memo = f"credit applied: {part.department} {part.fee_code} on invoice {part.invoice_id}"
            entry.post(at, -part.amount, memo, invoice_id=part.invoice_id)
        return entry.by_fund(held.fund, chart)
    for part in movement.parts:
        memo = f"credit note {movement.credit_note_id} applied to invoice {part.invoice_id} ({part.department})"
        adjustments = chart.account_for(Role.ADJUSTMENTS, department=part.department)
        entry.post(adjustments, part.amount, memo, invoice_id=part.invoice_id)
        receivable = chart.account_for(Role.RECEIVABLE, department=part.department)
        entry.post(receivable, -part.amount, memo, invoice_id=part.invoice_id)
    return entry.legs
