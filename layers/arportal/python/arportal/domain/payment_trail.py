"""The trail of one payment: authorized -> posted -> settled -> paid out -> deposited -> in the GL -> bank line,
each stage done, pending or not applicable, with who and when and the records it drills down to.

Two kinds of money, two paths to the bank:

- charged through a processor (card, debit, wallet, ACH): settlement from the processor's payouts settles it
  (``settled_at``, ``payout_id``, ``processor_fee``); the payout is the deposit the agency expects, which finance
  confirms by hand when the bank statement shows it;
- taken at the counter (cash, cheque): nothing settles or pays it out; the drawer close-out puts it in a deposit
  (``DEPOSITED#<payment>``), which is itself a ``PAYOUT#<deposit>`` confirmed the same way. Its "paid out" stage
  is that close-out.

The GL stage holds this payment's lines of the journals of the banking days that took its movements (the day it
was applied, each day money went back), every batch of those days included (a correction's reversal and
replacement too). The bank line stage is the line of an imported bank file that carried the money: the deposit's
line (recorded on the payout when a bank file confirmed it, ``services/bank_application.py``), or for money that
came through the bank on its own (channel ``bank``: a wire, an ACH credit, a lockbox cheque) the payment's own
line, whose key is its transaction id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from arportal.domain.banking_days import is_banking_day, next_banking_day
from arportal.domain.journals import JournalLine
from arportal.domain.models import Allocation, AuditEvent, Channel, Payment, PaymentMethodType
from arportal.domain.status import PaymentStatus

S = PaymentStatus
COUNTER_METHODS = frozenset({PaymentMethodType.CASH, PaymentMethodType.CHEQUE})
MONEY_BACK = frozenset({S.REFUNDED, S.PARTIALLY_REFUNDED, S.VOIDED, S.REVERSED})
APPLIED = frozenset({S.PENDING, S.POSTED})  # the change whose event the journal takes as the money applied
# Statuses from which the payment may still settle (settlement takes posted and partially refunded payments).
MAY_SETTLE = frozenset({S.PENDING, S.AUTHORIZED, S.POSTED, S.PARTIALLY_REFUNDED})
AUDIT_OF = {
    "authorized": ("payment.charged", "payment.pending"),
    "posted": ("payment.posted", "payment.reconciled"),
    "settled": ("payment.settled",),
}


class StageName(StrEnum):
    AUTHORIZED = "authorized"
    POSTED = "posted"
    SETTLED = "settled"
    PAID_OUT = "paid_out"
    DEPOSITED = "deposited"
    IN_GL = "in_gl"
    BANK_LINE = "bank_line"


class StageStatus(StrEnum):
    DONE = "done"
    PENDING = "pending"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Stage:
    stage: StageName
    status: StageStatus
    at: datetime | None = None
    on: date | None = None  # a business date: the payout's arrival, the journal's day
    by: str | None = None
    note: str = ""
    references: tuple[tuple[str, str], ...] = ()  # (kind, id): the records this stage drills down to
    amounts: Mapping[str, int] = field(default_factory=dict)  # minor units, in the payment's currency


@dataclass(frozen=True)
class Payout:
    """A processor's payout, or a counter deposit (processor ``counter``): either is the deposit the bank gets."""

    payout_id: str
    processor: str
    amount: int
    arrival_date: date
    bank_trace_id: str | None
    deposit_status: str
    deposited_by: str | None = None
    deposited_at: datetime | None = None
    bank_line_key: str | None = None  # the bank file line that showed it (None: not seen in a bank file yet)
    bank_booked_on: date | None = None
    bank_file_id: str | None = None


@dataclass(frozen=True)
class DrawerDeposit:
    deposit_id: str
    closed_at: datetime
    closed_by: str


@dataclass(frozen=True)
class GlBatch:
    """A stored batch of a journal day, with only this payment's lines."""

    batch_id: str
    business_date: date
    created_at: datetime
    created_by: str
    lines: tuple[JournalLine, ...]
    reverses: str | None = None
    replaces: str | None = None
    imported_at: datetime | None = None
    imported_by: str | None = None


@dataclass(frozen=True)
class MoneyBack:
    status: str
    at: datetime
    by: str
    amount: int | None
    note: str | None


@dataclass(frozen=True)
class TrailFacts:
    payment: Payment
    allocations: Sequence[Allocation] = ()
    audit: Sequence[AuditEvent] = ()
    payout: Payout | None = None  # the processor's payout named by the payment, or the counter deposit
    drawer_deposit: DrawerDeposit | None = None
    batches: Mapping[date, Sequence[GlBatch]] = field(default_factory=dict)  # journal day -> its batches


@dataclass(frozen=True)
class PaymentTrail:
    payment: Payment
    stages: tuple[Stage, ...]
    money_back: tuple[MoneyBack, ...]
    gl_batches: tuple[GlBatch, ...]

    def stage(self, name: StageName) -> Stage:
        return next(s for s in self.stages if s.stage is name)


def covering_day(day: date) -> date:
    """The banking day whose journal takes calendar day ``day`` (itself, or the next banking day after it)."""
    return day if is_banking_day(day) else next_banking_day(day)


def journal_days(payment: Payment) -> tuple[date, ...]:
    """The banking days whose journals take this payment's movements: where it was applied (accepted, for ACH),
    and each day money went back (a processor's failure of an applied payment included)."""
    days: set[date] = set()
    applied = False
    for change in payment.history:
        if change.status in APPLIED and not applied:
            applied = True
            days.add(covering_day(change.at.date()))
        elif change.status in MONEY_BACK or (change.status is S.FAILED and applied):
            days.add(covering_day(change.at.date()))
    return tuple(sorted(days))


def payment_trail(facts: TrailFacts) -> PaymentTrail:
    p = facts.payment
    counter = p.method.type in COUNTER_METHODS
    authorized, posted = _authorized(facts), _posted(facts)
    if p.channel is Channel.BANK:  # it arrived in the bank: nothing settles, pays out or deposits it
        settled, paid_out, deposited = (
            Stage(name, StageStatus.NOT_APPLICABLE, note="arrived in the agency's bank account: no processor")
            for name in (StageName.SETTLED, StageName.PAID_OUT, StageName.DEPOSITED)
        )
    elif counter:
        settled = Stage(StageName.SETTLED, StageStatus.NOT_APPLICABLE, note="taken at the counter: no processor")
        paid_out, deposited = _drawer_stages(facts, posted)
    else:
        settled = _settled(facts, posted)
        paid_out, deposited = _payout_stages(facts, settled)
    bank = _bank_line(facts)
    batches = tuple(b for day in sorted(facts.batches) for b in facts.batches[day])
    stages = (authorized, posted, settled, paid_out, deposited, _in_gl(facts, batches), bank)
    back = tuple(MoneyBack(c.status.value, c.at, c.by, c.amount, c.note) for c in p.history if c.status in MONEY_BACK)
    return PaymentTrail(p, stages, back, batches)


def _first(payment: Payment, statuses: Iterable[PaymentStatus]) -> tuple[datetime, str] | None:
    wanted = frozenset(statuses)
    return next(((c.at, c.by) for c in payment.history if c.status in wanted), None)


def _audit_ids(facts: TrailFacts, stage: str) -> tuple[tuple[str, str], ...]:
    return tuple(("audit", e.event_id) for e in facts.audit if e.action in AUDIT_OF[stage])


def _authorized(facts: TrailFacts) -> Stage:
    p = facts.payment
    refs = ((("transaction", p.transaction_id),) if p.transaction_id else ()) + _audit_ids(facts, "authorized")
    amounts = {"charged": p.amount + p.fee_amount, "fee": p.fee_amount}
    found = _first(p, (S.AUTHORIZED, S.PENDING, S.POSTED))
    if found is None:
        note = "declined: never authorized" if p.status is S.FAILED else "not authorized yet"
        status = StageStatus.NOT_APPLICABLE if p.status is S.FAILED else StageStatus.PENDING
        return Stage(StageName.AUTHORIZED, status, note=note, references=refs, amounts=amounts)
    at, by = found
    method = p.method.type
    note = f"{method.value} at the counter" if method in COUNTER_METHODS else f"{method.value} through {p.processor}"
    if p.taken_by:
        note += f", taken by {p.taken_by}"  # the history names the processor; the staff member is worth saying
    return Stage(StageName.AUTHORIZED, StageStatus.DONE, at=at, by=by, note=note, references=refs, amounts=amounts)


def _posted(facts: TrailFacts) -> Stage:
    p = facts.payment
    refs = tuple(("invoice", a.invoice_id) for a in facts.allocations)
    refs += ((("receipt", p.receipt_number),) if p.receipt_number else ()) + _audit_ids(facts, "posted")
    amounts = {"applied": sum(a.amount for a in facts.allocations), "held_as_credit": p.unapplied}
    found = _first(p, (S.POSTED,))
    if found is not None:
        at, by = found
        return Stage(StageName.POSTED, StageStatus.DONE, at=at, by=by, references=refs, amounts=amounts)
    if p.status in (S.PENDING, S.AUTHORIZED):
        return Stage(StageName.POSTED, StageStatus.PENDING, note="waiting for the processor", references=refs)
    return Stage(StageName.POSTED, StageStatus.NOT_APPLICABLE, note=f"{p.status.value} before it posted")


def _settled(facts: TrailFacts, posted: Stage) -> Stage:
    p = facts.payment
    refs = ((("payout", p.payout_id),) if p.payout_id else ()) + _audit_ids(facts, "settled")
    if p.settled_at is not None:
        found = _first(p, (S.SETTLED,))
        amounts = {"processor_fee": p.processor_fee or 0, "net": p.amount + p.fee_amount - (p.processor_fee or 0)}
        return Stage(
            StageName.SETTLED,
            StageStatus.DONE,
            at=p.settled_at,
            by=found[1] if found else None,
            references=refs,
            amounts=amounts,
        )
    if p.status in MAY_SETTLE and posted.status is not StageStatus.NOT_APPLICABLE:
        return Stage(StageName.SETTLED, StageStatus.PENDING, note="waiting for the processor's payout")
    return Stage(StageName.SETTLED, StageStatus.NOT_APPLICABLE, note=f"{p.status.value} before it settled")


def _payout_stages(facts: TrailFacts, settled: Stage) -> tuple[Stage, Stage]:
    p, payout = facts.payment, facts.payout
    if settled.status is StageStatus.NOT_APPLICABLE:
        na = StageStatus.NOT_APPLICABLE
        return Stage(StageName.PAID_OUT, na, note=settled.note), Stage(StageName.DEPOSITED, na, note=settled.note)
    if payout is None:
        note = f"payout {p.payout_id} not recorded yet" if p.payout_id else "not paid out yet"
        named: tuple[tuple[str, str], ...] = (("payout", p.payout_id),) if p.payout_id else ()
        return (
            Stage(StageName.PAID_OUT, StageStatus.PENDING, note=note, references=named),
            Stage(StageName.DEPOSITED, StageStatus.PENDING, note="waiting for the payout"),
        )
    refs: tuple[tuple[str, str], ...] = (("payout", payout.payout_id),)
    if payout.bank_trace_id:
        refs += (("bank_trace", payout.bank_trace_id),)
    # What the payout's line for this charge says (gross, fee, net) is on the payment already (settled stage);
    # the line itself is keyed by the processor's balance transaction id, which the payment does not keep.
    amounts = {"payout": payout.amount}
    paid_out = Stage(
        StageName.PAID_OUT,
        StageStatus.DONE,
        on=payout.arrival_date,
        by=f"processor:{payout.processor}",
        references=refs,
        amounts=amounts,
    )
    return paid_out, _deposited(payout, (("deposit", payout.payout_id),))


def _drawer_stages(facts: TrailFacts, posted: Stage) -> tuple[Stage, Stage]:
    drawer, deposit = facts.drawer_deposit, facts.payout
    if posted.status is StageStatus.NOT_APPLICABLE:
        na = StageStatus.NOT_APPLICABLE
        return Stage(StageName.PAID_OUT, na, note=posted.note), Stage(StageName.DEPOSITED, na, note=posted.note)
    if drawer is None:
        note = f"in drawer {facts.payment.drawer_id}" if facts.payment.drawer_id else "not closed out of a drawer yet"
        return (
            Stage(StageName.PAID_OUT, StageStatus.PENDING, note=note),
            Stage(StageName.DEPOSITED, StageStatus.PENDING, note="waiting for the drawer close-out"),
        )
    refs = (("deposit", drawer.deposit_id),)
    closed = Stage(
        StageName.PAID_OUT,
        StageStatus.DONE,
        at=drawer.closed_at,
        by=drawer.closed_by,
        note="closed out of the drawer into a deposit",
        references=refs,
        amounts={"deposit": deposit.amount} if deposit else {},
    )
    if deposit is None:
        return closed, Stage(StageName.DEPOSITED, StageStatus.PENDING, note="deposit not recorded", references=refs)
    return closed, _deposited(deposit, refs)


def _deposited(payout: Payout, refs: tuple[tuple[str, str], ...]) -> Stage:
    if payout.deposit_status == "deposited":
        return Stage(
            StageName.DEPOSITED,
            StageStatus.DONE,
            at=payout.deposited_at,
            on=payout.arrival_date,
            by=payout.deposited_by,
            note="confirmed on the bank statement",
            references=refs,
        )
    note = f"expected on {payout.arrival_date.isoformat()}, not confirmed yet"
    return Stage(StageName.DEPOSITED, StageStatus.PENDING, on=payout.arrival_date, note=note, references=refs)


def _bank_line(facts: TrailFacts) -> Stage:
    p = facts.payment
    if p.channel is Channel.BANK and p.transaction_id:
        return Stage(
            StageName.BANK_LINE,
            StageStatus.DONE,
            at=p.created_at,
            note="the bank line this payment was applied from",
            references=(("bank_line", p.transaction_id),),
        )
    payout = facts.payout
    if payout is not None and payout.bank_line_key:
        refs = [("bank_line", payout.bank_line_key)] + (
            [("bank_file", payout.bank_file_id)] if payout.bank_file_id else []
        )
        return Stage(
            StageName.BANK_LINE,
            StageStatus.DONE,
            on=payout.bank_booked_on,
            note="the deposit's line on the bank statement",
            references=tuple(refs),
            amounts={"deposit": payout.amount},
        )
    # Not pending: an agency that imports no bank files confirms deposits by hand, and the trail is complete then.
    note = "no bank file has shown its deposit" if payout else "no deposit to look for on a bank statement"
    return Stage(StageName.BANK_LINE, StageStatus.NOT_APPLICABLE, note=note)


def _in_gl(facts: TrailFacts, batches: tuple[GlBatch, ...]) -> Stage:
    days = journal_days(facts.payment)
    if not days:
        return Stage(StageName.IN_GL, StageStatus.NOT_APPLICABLE, note="no money was applied")
    missing = [d for d in days if not any(b.lines for b in facts.batches.get(d, ()))]
    refs = tuple(("journal_batch", b.batch_id) for b in batches if b.lines)
    lines = [line for b in batches for line in b.lines]
    amounts = {"debits": sum(x.debit for x in lines), "credits": sum(x.credit for x in lines)} if lines else {}
    if missing:
        note = "no line in the journal of " + ", ".join(d.isoformat() for d in missing) + " yet"
        return Stage(StageName.IN_GL, StageStatus.PENDING, on=missing[0], note=note, references=refs, amounts=amounts)
    first = next(b for b in batches if b.lines)
    return Stage(
        StageName.IN_GL,
        StageStatus.DONE,
        at=first.created_at,
        on=first.business_date,
        by=first.created_by,
        references=refs,
        amounts=amounts,
    )
