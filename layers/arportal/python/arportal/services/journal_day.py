"""A banking day's movements of money, read from the ledger and the processor, for its GL journal.

Where each comes from:

- the ledger's side from the day's outbox events (the event feed: ``DAYPK = EVENTS`` of the activity index, every
  event written in the transaction of the change it reports, kept 400 days): ``payment.posted`` /
  ``payment.pending`` (money applied), ``payment.refunded`` / ``partially_refunded`` / ``voided`` / ``reversed``
  and a processor-reported ``payment.failed`` of an applied payment (money going back), ``invoice.adjustment`` /
  ``invoice.write_off`` and ``credit.applied``. An event is the change as committed, so a later change of the same
  payment does not rewrite an earlier day;
- the payment method from the payment items, the fee codes and departments from the invoices' lines (an
  allocation is split by fee code as ``revenue_parts`` says, taking the invoice as it stands to be the state just
  after the movement: exact while nothing later touched that invoice), overpayment holds from the credit notes;
- the processor fees of the payouts that arrive on the day: each balance transaction's ``fee``, and the fees the
  processor debited on their own, attributed to the clearing account of the method of the charge they concern
  (a card's when the ledger does not know the charge).

A banking day's journal takes the calendar days since the previous banking day, up to and including it (days run
00:00-24:00 UTC, as the activity index's): Monday's takes Saturday's and Sunday's too, so every calendar day's
movements are in exactly one banking day's journal, and payouts (which arrive on banking days) in the journal of
their arrival date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from arportal.domain.banking_days import is_banking_day, previous_banking_day
from arportal.domain.errors import BusinessRuleError
from arportal.domain.event_feed import FeedEvent, position_at
from arportal.domain.journal_movements import (
    CreditApplied,
    CreditSource,
    HeldCredit,
    InvoiceAdjusted,
    Movement,
    PaymentPosted,
    PaymentReturned,
    ProcessorFee,
    ReturnKind,
    RevenuePart,
    revenue_parts,
)
from arportal.domain.models import Invoice, Payment, PaymentMethodType
from arportal.domain.payouts import BalanceType, PayoutStatus
from arportal.domain.staff_actions import AdjustmentKind
from arportal.domain.statement import overpayment_source
from arportal.domain.status import PaymentStatus
from arportal.ports import (
    EventFeedStore,
    InvoiceBalanceStore,
    JournalLedgerReads,
    PaymentProcessor,
    PaymentReadbackStore,
    PaymentRef,
)

FEED_PAGE = 500
POSTED = frozenset({"payment.posted", "payment.pending"})
RETURNS = {
    "payment.refunded": ReturnKind.REFUND,
    "payment.partially_refunded": ReturnKind.REFUND,
    "payment.voided": ReturnKind.VOID,
    "payment.reversed": ReturnKind.REVERSAL,
    "payment.failed": ReturnKind.REVERSAL,  # only a processor's report on a payment already applied (see below)
}
ADJUSTED = frozenset({"invoice.adjustment", "invoice.write_off"})


@dataclass(frozen=True)
class JournalSources:
    events: EventFeedStore
    payments: PaymentReadbackStore
    invoices: InvoiceBalanceStore
    ledger: JournalLedgerReads
    processor: PaymentProcessor


def covered_days(day: date) -> tuple[date, date]:
    """The calendar days (first, last) the journal of banking day ``day`` takes; refused for another day."""
    if not is_banking_day(day):
        raise BusinessRuleError(
            f"{day} is not a banking day: its movements are in the next banking day's journal",
            details=[{"field": "date", "reason": "a weekend day or a Federal Reserve holiday"}],
        )
    try:
        return previous_banking_day(day) + timedelta(days=1), day
    except OverflowError:  # the calendar's first banking day: every day before it is its own
        return date.min, day


def day_movements(sources: JournalSources, day: date) -> list[Movement]:
    first, last = covered_days(day)
    events = [e for e in day_events(sources.events, first, last) if _moves_money(e)]
    payments = sources.payments.payments(
        [
            PaymentRef(e.detail.get("customer_id"), str(e.detail["payment_id"]))
            for e in events
            if "payment_id" in e.detail
        ]
    )
    invoice_keys = {(str(e.detail.get("customer_id")), str(i)) for e in events for i in _invoice_ids(e)}
    invoices = sources.invoices.invoices(sorted(invoice_keys))
    note_keys = {
        (str(e.detail["customer_id"]), str(p["credit_note_id"]))
        for e in events
        if e.type == "credit.applied"
        for p in e.detail.get("parts", [])
    }
    notes = sources.ledger.credit_notes(sorted(note_keys))
    movements: list[Movement] = []
    for event in events:
        d, customer = event.detail, str(event.detail.get("customer_id"))

        invoice = partial(_invoice, invoices, customer, event.event_id)
        if event.type in POSTED:
            paid = payments[str(d["payment_id"])]
            method = paid.payment.method.type
            parts = _parts(invoice, d.get("allocations", []), after=False)
            credit = _held(int(d.get("credit") or 0), paid.allocations, paid.payment.departments)
            if method is PaymentMethodType.CREDIT:
                continue  # not a way to pay (services/payments.py refuses it): credit applied has its own events
            movements.append(
                PaymentPosted(d["payment_id"], d["currency"], method, parts, credit, int(d.get("fee_amount") or 0))
            )
        elif event.type in RETURNS:
            movements.extend(_returned(event, payments, invoice))
        elif event.type in ADJUSTED:
            target = invoice(str(d["invoice_id"]))
            kind = AdjustmentKind(d["kind"])
            movements.append(
                InvoiceAdjusted(
                    d["adjustment_id"], target.invoice_id, target.department, d["currency"], kind, int(d["amount"])
                )
            )
        elif event.type == "credit.applied":
            movements.extend(_credit_applied(event, notes, invoice))
    return movements + payout_fees(sources, day)


def day_events(feed: EventFeedStore, first: date, last: date) -> list[FeedEvent]:
    """The events written from ``first`` 00:00 to ``last`` 24:00 UTC, oldest first."""
    start = datetime.combine(first, time(), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC)
    after, before = position_at(start), position_at(end)
    found: list[FeedEvent] = []
    while True:
        page = feed.events(after=after, before=before, limit=FEED_PAGE)
        if not page:
            return found
        found += page
        after = page[-1].event_id


def payout_fees(sources: JournalSources, day: date) -> list[Movement]:
    fees: list[Movement] = []
    first, last = covered_days(day)
    for payout in sources.processor.payouts(arrived_since=first, arrived_until=last):
        if payout.status in (PayoutStatus.FAILED, PayoutStatus.CANCELED):
            continue  # the money went back to the processor balance: a later payout carries it
        transactions = sources.processor.payout_transactions(payout.payout_id)
        methods = sources.ledger.payment_methods(
            sorted({t.source_transaction_id for t in transactions if t.source_transaction_id})
        )
        by_method: dict[PaymentMethodType, int] = defaultdict(int)
        for t in transactions:
            kept = -t.amount if t.type is BalanceType.FEE else t.fee
            if kept:
                by_method[methods.get(t.source_transaction_id or "", PaymentMethodType.CARD)] += kept
        fees += [
            ProcessorFee(payout.payout_id, payout.currency, method, amount)
            for method, amount in sorted(by_method.items())
            if amount > 0
        ]
    return fees


def _invoice(invoices: Mapping[tuple[str, str], Invoice], customer: str, event_id: str, invoice_id: str) -> Invoice:
    found = invoices.get((customer, invoice_id))
    if found is None:
        raise LookupError(f"invoice {invoice_id} of event {event_id} is not in the ledger")
    return found


def _moves_money(event: FeedEvent) -> bool:
    if event.type == "payment.posted" and "previous_status" in event.detail:
        return False  # a processor confirming a pending payment: it was applied (and journaled) when accepted
    if event.type == "payment.failed":
        # An interactive decline applied nothing; a processor reporting an applied payment failed takes it back.
        return event.detail.get("previous_status") in ("pending", "posted", "settled")
    return event.type in POSTED or event.type in RETURNS or event.type in ADJUSTED or event.type == "credit.applied"


def _invoice_ids(event: FeedEvent) -> Iterable[str]:
    d = event.detail
    for key in ("allocations", "reopened_invoices", "parts"):
        yield from (str(x["invoice_id"]) for x in d.get(key, []))
    if "invoice_id" in d:
        yield str(d["invoice_id"])


def _parts(invoice: Any, applied: Iterable[Mapping[str, Any]], *, after: bool) -> tuple[RevenuePart, ...]:
    """Each invoice's ``amount`` split by fee code: applied now (``after`` False) or taken back (True)."""
    parts: list[RevenuePart] = []
    for x in applied:
        target: Invoice = invoice(str(x["invoice_id"]))
        amount = abs(int(x["amount"]))
        if amount:
            parts += revenue_parts(_covering(target, amount, after=after), amount)
    return tuple(parts)


def _covering(invoice: Invoice, amount: int, *, after: bool) -> Invoice:
    """The invoice with what was covered before ``amount`` was applied (or after it was taken back)."""
    covered = invoice.paid + invoice.credited - (0 if after else amount)
    covered = max(0, min(covered, invoice.amount - amount))
    return invoice.model_copy(update={"paid": covered, "credited": 0})


def _held(amount: int, allocations: list[Any], departments: list[str]) -> HeldCredit | None:
    """The overpayment held as credit: on the account of the first invoice paid (as ``plan_posting`` holds it)."""
    if amount <= 0:
        return None
    department = allocations[0].department if allocations else (departments[0] if departments else "")
    return HeldCredit(department, amount)


def _returned(event: FeedEvent, payments: Mapping[str, Any], invoice: Any) -> list[Movement]:
    d = event.detail
    paid = payments[str(d["payment_id"])]
    method = paid.payment.method.type
    if method is PaymentMethodType.CREDIT:
        return []
    reopened = d.get("reopened_invoices", [])
    parts = _parts(invoice, reopened, after=True)
    by_processor = "previous_status" in d and "actor" not in d
    taken = int(d.get("credit_removed") or 0) if by_processor else int(d["amount"]) - sum(p.amount for p in parts)
    credit = _held(taken, paid.allocations, paid.payment.departments)
    fee = _void_fee(paid.payment, int(d["amount"])) if event.type == "payment.voided" else 0
    if not parts and credit is None and not fee:
        return []
    return [
        PaymentReturned(
            RETURNS[event.type],
            d["payment_id"],
            d["currency"],
            method,
            parts,
            credit,
            fee,
            refund_id=event.event_id,
            reported_by="processor" if by_processor else "staff",
        )
    ]


def _void_fee(payment: Payment, amount: int) -> int:
    """The convenience fee a void gave back: its status change records the amount and the fee it returned (the
    payment's own fee is zeroed by the void, and the event names the amount only)."""
    voided = [c for c in payment.history if c.status is PaymentStatus.VOIDED and c.amount is not None]
    return max(0, (voided[-1].amount or 0) - amount) if voided else 0


def _credit_applied(event: FeedEvent, notes: Mapping[tuple[str, str], Any], invoice: Any) -> list[Movement]:
    d = event.detail
    by_note: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for part in d.get("parts", []):
        by_note[str(part["credit_note_id"])].append(part)
    found: list[Movement] = []
    for n, (note_id, parts) in enumerate(sorted(by_note.items())):
        note = notes.get((str(d["customer_id"]), note_id))
        if note is None:
            raise LookupError(f"credit note {note_id} of event {event.event_id} is not in the ledger")
        source = CreditSource.OVERPAYMENT if overpayment_source(note) else CreditSource.CREDIT_NOTE
        # one movement per credit note spent; the first keeps the application's id, the rest number after it
        application = d["application_id"] if n == 0 else f"{d['application_id']}-{n + 1}"
        found.append(
            CreditApplied(
                application, d["currency"], source, note_id, note.department, _parts(invoice, parts, after=False)
            )
        )
    return found
