"""Payments: receipts, replayed answers and what processors report later (issue 4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from arportal.domain import models as domain_models
from arportal.domain.models import (
    AuditEvent,
    CreditNote,
    Customer,
    Invoice,
    Payment,
)
from arportal.domain.payment_intents import IntentOutcome, LedgerEvent, PaymentIntent
from arportal.domain.posting import InvoiceChange, Posting
from arportal.domain.status import PaymentStatus
from arportal.ports.core import ChargeResult, PaymentPosting, SavedMethodResult


@dataclass(frozen=True)
class PaymentRecord:
    """A payment with what its posting wrote and who paid: what a receipt or a replayed answer is built from."""

    payment: Payment
    allocations: list[domain_models.Allocation]
    receipt: domain_models.Receipt | None
    payer: Customer | None


class PaymentRecords(Protocol):
    def payment_record(self, customer_id: str, payment_id: str) -> PaymentRecord | None:
        """The payment, its allocations, its receipt record and the payer's profile."""
        ...

    def allocations(self, customer_id: str, payment_id: str) -> list[domain_models.Allocation]: ...

    def customer(self, customer_id: str) -> Customer | None: ...

    def receipt(self, customer_id: str, receipt_number: str) -> domain_models.Receipt | None:
        """The receipt the posting wrote (its lines and its payment's id), by its number."""
        ...

    def receipt_filed(self, customer_id: str, receipt_number: str) -> bool:
        """Whether the receipt's PDF was stored as a Document (a crash may have come between posting and it)."""
        ...


class ReceiptRenderer(Protocol):
    def render(self, receipt: domain_models.Receipt, payment: Payment, *, agency_name: str, payer: str) -> bytes:
        """The receipt laid out as a PDF."""
        ...


@dataclass(frozen=True)
class PaymentState:
    """A payment as a processor's later report finds it: where its money went, the invoices as they are now,
    and the credit note holding its unapplied rest (if any)."""

    payment: Payment
    allocations: list[domain_models.Allocation]
    invoices: list[Invoice]
    credit: CreditNote | None


@dataclass(frozen=True)
class PaymentStatusChange:
    """Everything one processor-reported status change writes, planned before anything is written."""

    before: Payment
    after: Payment  # new status, history entry appended, version + 1 (receipt number when it posts)
    invoice_changes: tuple[InvoiceChange, ...]  # allocations taken back (failed, returned)
    credit_before: CreditNote | None
    credit_after: CreditNote | None  # None with credit_before set: the unused credit note is removed
    receipt: domain_models.Receipt | None  # issued when a pending payment posts


@dataclass(frozen=True)
class AppliedProcessorEvent:
    event_id: str
    payment_id: str
    status: PaymentStatus


class PaymentStatusStore(Protocol):
    def payment_for_transaction(self, transaction_id: str) -> tuple[str | None, str] | None:
        """(customer id, payment id) of the payment the processor knows by ``transaction_id``."""
        ...

    def payment_state(self, customer_id: str | None, payment_id: str, *, credit_note_id: str) -> PaymentState | None:
        """The payment, its allocations, its invoices and credit note, read strongly consistently."""
        ...

    def applied_event(self, processor: str, event_id: str) -> AppliedProcessorEvent | None:
        """What an already-applied processor event did, if it was applied."""
        ...

    def apply_status_change(
        self, change: PaymentStatusChange, *, processor: str, event_id: str, audit: AuditEvent
    ) -> None:
        """One transaction guarded by the event id and conditioned on the statuses and versions read;
        ``ConflictError`` when any condition fails (nothing is written)."""
        ...


# --- payment intents (issue 10): every charge ends up recorded ------------------------------------------------


@runtime_checkable
class IntentPosting(PaymentPosting, Protocol):
    """A payment ledger that records each payment's intent before the processor is charged and closes it in the
    transaction that posts the payment (``domain/payment_intents.py``). The DynamoDB ledger does; ``payments.pay``
    records intents whenever its ledger is one (a ledger without them, like older unit tests' in-memory fake,
    pays as before, without a reconciler to fall back on)."""

    def open_intent(self, intent: PaymentIntent) -> PaymentIntent | None:
        """Record ``intent`` as open under its charge key, conditionally: when no intent is stored there, or the
        stored one is not posted and is for the same payment (a retry re-opens it). None when recorded; else
        the intent stored under the key, unchanged (posted, or another payment's)."""
        ...

    def post(
        self,
        posting: Posting,
        *,
        scope: str,
        idempotency_key: str,
        audit: AuditEvent,
        intent: PaymentIntent | None = None,
        events: Sequence[LedgerEvent] = (),
    ) -> None:
        """``PaymentPosting.post``, closing ``intent`` (posted, naming the payment, out of the open index) and
        writing ``events`` in the same transaction."""
        ...


@runtime_checkable
class CancellableCharges(Protocol):
    """A processor whose charges can wait for the payer's action (3-D Secure): one left waiting is cancelled."""

    def cancel_charge(self, transaction_id: str) -> ChargeResult | None:
        """Cancel the charge if it still waits; the charge as it is afterwards (None: unknown to the processor)."""
        ...


@runtime_checkable
class PaymentMethodSaver(Protocol):
    """A processor that keeps a payment method for a customer, for charges made when the payer is away."""

    def save_payment_method(self, customer_id: str, token: str, *, idempotency_key: str) -> SavedMethodResult:
        """Keep the method ``token`` (from the processor's secure fields) for our ``customer_id``, once per
        ``idempotency_key``; the same key after the payer's action reads how it ended."""
        ...


class IntentStore(Protocol):
    """What the reconciler reads and closes."""

    def open_intents(self, *, created_before: datetime, limit: int) -> list[PaymentIntent]:
        """Open intents created before ``created_before``, oldest first, at most ``limit`` (one index query;
        the index is eventually consistent: read each again with ``intent`` before acting)."""
        ...

    def intent(self, charge_key: str) -> PaymentIntent | None:
        """The intent stored under ``charge_key``, read strongly consistently."""
        ...

    def close_intent(
        self,
        intent: PaymentIntent,
        *,
        outcome: IntentOutcome,
        at: datetime,
        audit: AuditEvent,
        events: Sequence[LedgerEvent] = (),
        payment_id: str | None = None,
        code: str | None = None,
    ) -> None:
        """Close ``intent`` without posting anything, with its audit record and ``events``, in one transaction
        conditioned on it being still open at the attempt read (``ConflictError`` when a retry re-opened it or
        it was closed meanwhile: nothing is written)."""
        ...
