"""Fakes of the GL journal's stores and sources for ``tests/unit/test_journal_batches.py``, and the day they hold:
a card payment over two departments, part of it refunded, an adjustment, a write-off and held credit applied (each
fake keeps what it is given, as the DynamoDB and S3 adapters do)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from arportal.domain.audit_chain import Verification
from arportal.domain.errors import DependencyError
from arportal.domain.event_entities import EventEntity
from arportal.domain.event_feed import EVENT_PREFIX, FeedEvent
from arportal.domain.ids import new_id
from arportal.domain.models import (
    AuditEvent,
    Channel,
    CreditNote,
    Invoice,
    InvoiceLine,
    MethodDetail,
    Payment,
    PaymentMethodType,
    StatusChange,
)
from arportal.domain.payouts import BalanceTransaction, BalanceType, Payout, PayoutStatus
from arportal.domain.status import PaymentStatus
from arportal.ports.journals import JournalBatch, JournalCorrection
from arportal.ports.readback import PaymentRef, PaymentWithAllocations
from arportal.services import journal_batches as jb
from arportal.services.journal_day import JournalSources, covered_days

DAY = date(2026, 3, 10)  # a Tuesday: its journal takes the 10th only
NOW = datetime(2026, 3, 11, 11, tzinfo=UTC)
CUSTOMER = "CUS-0000000001"


def at_hour(hour: int) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, tzinfo=UTC)


def feed_event(detail_type: str, hour: int, /, **detail: Any) -> FeedEvent:
    at = at_hour(hour)
    event_id = new_id(EVENT_PREFIX, now_ms=int(at.timestamp() * 1000))
    return FeedEvent(event_id, detail_type, at, EventEntity("payment", "x", 1), {"customer_id": CUSTOMER, **detail})


def invoice_with(invoice_id: str, department: str, lines: list[tuple[str, int]], *, covered: int) -> Invoice:
    amount = sum(a for _, a in lines)
    return Invoice(
        invoice_id=invoice_id,
        invoice_number=invoice_id.upper().replace("_", "-") + "01",
        customer_id=CUSTOMER,
        account_number="ACC-0001",
        department=department,
        issue_date=date(2026, 2, 1),
        due_date=date(2026, 3, 1),
        currency="USD",
        lines=[InvoiceLine(description=c, fee_code=c, unit_amount=a, amount=a) for c, a in lines],
        amount=amount,
        paid=covered,
        balance=amount - covered,
    )


def payment_of(payment_id: str, method: PaymentMethodType, transaction_id: str) -> Payment:
    return Payment(
        payment_id=payment_id,
        customer_id=CUSTOMER,
        amount=1,
        currency="USD",
        method=MethodDetail(type=method),
        channel=Channel.PORTAL,
        status=PaymentStatus.POSTED,
        history=[StatusChange(status=PaymentStatus.POSTED, at=at_hour(9), by="customer")],
        departments=["utilities", "parking"],
        processor="sandbox",
        transaction_id=transaction_id,
        created_at=at_hour(9),
    )


class Feed:
    def __init__(self, events: list[FeedEvent]) -> None:
        self.all = sorted(events, key=lambda e: e.event_id)

    def events(self, *, after: str, before: str, limit: int) -> list[FeedEvent]:
        return [e for e in self.all if after < e.event_id < before][:limit]

    def payment_events(self, *, after: str, before: str, limit: int) -> list[FeedEvent]:
        # as the adapter's payment partition holds them: the events whose entity is a payment
        mine = self.events(after=after, before=before, limit=len(self.all))
        return [e for e in mine if e.entity is not None and e.entity.type == "payment"][:limit]


class Ledger:
    def __init__(self, payments: dict[str, Payment], invoices: list[Invoice], notes: list[CreditNote]) -> None:
        self.by_id, self.invoice_list, self.notes = payments, invoices, notes

    def payments(self, wanted: Sequence[PaymentRef]) -> dict[str, PaymentWithAllocations]:
        return {r.payment_id: PaymentWithAllocations(self.by_id[r.payment_id], []) for r in wanted}

    def invoices(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Invoice]:
        found = {(i.customer_id, i.invoice_id): i for i in self.invoice_list}
        return {k: found[k] for k in keys if k in found}

    def credit_notes(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], CreditNote]:
        return {(n.customer_id, n.credit_note_id): n for n in self.notes if (n.customer_id, n.credit_note_id) in keys}

    def payment_methods(self, transaction_ids: Sequence[str]) -> dict[str, PaymentMethodType]:
        return {p.transaction_id: p.method.type for p in self.by_id.values() if p.transaction_id in transaction_ids}


class Processor:
    name = "sandbox"

    def payouts(self, *, arrived_since: date, arrived_until: date) -> list[Payout]:
        assert (arrived_since, arrived_until) == covered_days(DAY)
        return [Payout("po_1", "sandbox", 9_000, "USD", DAY, PayoutStatus.PAID, None, at_hour(1))]

    def payout_transactions(self, payout_id: str) -> list[BalanceTransaction]:
        charge = BalanceTransaction(
            "txn_a", payout_id, BalanceType.CHARGE, "ch_card", 9_300, 300, 9_000, "USD", DAY, at_hour(1)
        )
        return [charge]


class Store:
    def __init__(self) -> None:
        self.batches: dict[str, JournalBatch] = {}
        self.corrections: dict[str, JournalCorrection] = {}

    def create(self, batch: JournalBatch) -> bool:
        return self.batches.setdefault(batch.batch_id, batch) is batch

    def get(self, batch_id: str) -> JournalBatch | None:
        return self.batches.get(batch_id)

    def day(self, agency: str, business_date: date) -> list[JournalBatch]:
        mine = [b for b in self.batches.values() if b.business_date == business_date and b.agency == agency]
        return sorted(mine, key=lambda b: b.sequence)

    def mark_imported(self, batch_id: str, *, by: str, at: datetime) -> JournalBatch:
        batch = self.batches[batch_id]
        if batch.imported_at is None:
            self.batches[batch_id] = batch = replace(batch, imported_at=at, imported_by=by)
        return batch

    def file_correction(self, correction: JournalCorrection) -> None:
        self.corrections[correction.correction_id] = correction

    def correction(self, correction_id: str) -> JournalCorrection | None:
        return self.corrections.get(correction_id)

    def decide_correction(self, correction_id: str, *, status: str, by: str, at: datetime) -> bool:
        found = self.corrections[correction_id]
        if found.status != "pending":
            return False
        self.corrections[correction_id] = replace(found, status=status, decided_by=by, decided_at=at)
        return True

    def correction_done(self, correction_id: str, *, reversal_batch_id: str, new_batch_id: str) -> None:
        found = self.corrections[correction_id]
        self.corrections[correction_id] = replace(found, reversal_batch_id=reversal_batch_id, new_batch_id=new_batch_id)


class Files:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> None:
        self.objects[key] = body

    def get(self, key: str) -> bytes:
        return self.objects[key]


class Audit:
    """The audit log and its reader: records appended in order, read back per entity."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []
        self.failing = False

    def record(self, event: AuditEvent) -> None:
        if self.failing:
            raise DependencyError("the audit table did not answer")
        self.events.append(event)

    def history(self, entity_type: str, entity_id: str, *, limit: int = 100) -> list[dict[str, Any]]:
        mine = [e for e in self.events if (e.entity_type, e.entity_id) == (entity_type, entity_id)]
        return [e.model_dump() for e in mine][:limit]

    def verify(self, entity_type: str, entity_id: str) -> Verification:
        # the fake keeps no hash chain: every record it holds is in order by construction
        return Verification(ok=True, records=len(self.history(entity_type, entity_id)))


def day_sources(*, extra_events: Sequence[FeedEvent] = ()) -> tuple[JournalSources, Ledger]:
    utilities = invoice_with("inv_u", "utilities", [("WATER_BASE", 2_000), ("WATER_USAGE", 3_000)], covered=5_000)
    parking = invoice_with("inv_p", "parking", [("PK_CITATION", 4_000)], covered=4_000)
    written = invoice_with("inv_w", "parking", [("PK_CITATION", 1_000)], covered=0)
    credited = invoice_with("inv_c", "utilities", [("WATER_USAGE", 700)], covered=700)
    note = CreditNote(
        credit_note_id="cn_1",
        number="CR-1",
        customer_id=CUSTOMER,
        account_number="ACC-0001",
        department="utilities",
        currency="USD",
        amount=700,
        remaining=700,
        reason="Overpayment held as credit from payment pay_old",
        issued_on=date(2026, 3, 1),
    )
    payments = {"pay_card": payment_of("pay_card", PaymentMethodType.CARD, "ch_card")}
    events = [
        # a card payment over two departments, with a convenience fee
        feed_event(
            "payment.posted",
            9,
            payment_id="pay_card",
            status="posted",
            amount=9_000,
            fee_amount=300,
            currency="USD",
            allocations=[{"invoice_id": "inv_u", "amount": 5_000}, {"invoice_id": "inv_p", "amount": 4_000}],
            credit=0,
        ),
        # part of the parking share refunded by staff (the invoice reopened by 1,000)
        feed_event(
            "payment.partially_refunded",
            10,
            payment_id="pay_card",
            amount=1_000,
            currency="USD",
            reopened_invoices=[{"invoice_id": "inv_p", "amount": 1_000, "balance": 1_000}],
            actor="stf_1",
        ),
        feed_event(
            "invoice.adjustment",
            11,
            adjustment_id="adj_1",
            invoice_id="inv_u",
            kind="adjustment",
            amount=-250,
            currency="USD",
        ),
        feed_event(
            "invoice.write_off",
            12,
            adjustment_id="adj_2",
            invoice_id="inv_w",
            kind="write_off",
            amount=1_000,
            currency="USD",
        ),
        feed_event(
            "credit.applied",
            13,
            application_id="capp_1",
            currency="USD",
            parts=[{"credit_note_id": "cn_1", "invoice_id": "inv_c", "amount": 700}],
        ),
        # not money: a decline, and a processor confirming a payment applied earlier
        feed_event("payment.failed", 14, payment_id="pay_card", currency="USD", amount=1),
        feed_event("payment.posted", 15, payment_id="pay_card", previous_status="pending", currency="USD", amount=1),
        *extra_events,
    ]
    # the parking invoice stands reopened by the refund (covered 3,000 of 4,000)
    parking = parking.model_copy(update={"paid": 3_000, "balance": 1_000})
    ledger = Ledger(payments, [utilities, parking, written, credited], [note])
    return JournalSources(Feed(events), ledger, ledger, ledger, Processor()), ledger  # type: ignore[arg-type]


def new_books() -> jb.JournalBooks:
    audit = Audit()
    return jb.JournalBooks(Store(), Files(), audit, "springfield", audit)
