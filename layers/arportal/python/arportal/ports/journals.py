"""GL journal batches: what is stored once per batch, the files an ERP imports, corrections waiting for a second
finance user, and the two ledger reads the day's movements need beyond the event feed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from arportal.domain.models import CreditNote, PaymentMethodType


@dataclass(frozen=True)
class JournalBatch:
    """A stored batch: written once (``JournalStore.create``), then only marked imported."""

    batch_id: str
    business_date: date
    agency: str
    sequence: int  # within the day: 1 the first batch; a correction's reversal and new batch take the next two
    reverses: str | None  # the batch this one reverses
    replaces: str | None  # the batch a correction's new batch replaces
    csv_key: str
    json_key: str
    csv_sha256: str
    json_sha256: str
    totals: tuple[tuple[str, int, int, int], ...]  # (currency, records, debits, credits)
    created_at: datetime
    created_by: str
    imported_at: datetime | None = None
    imported_by: str | None = None
    # (currency, net payment credits to revenue and credit held): the GL side of the metrics' variance
    # (``domain/gl_variance.py``); None on batches stored before it was kept (read from the JSON file then).
    receipts: tuple[tuple[str, int], ...] | None = None


@dataclass(frozen=True)
class JournalCorrection:
    correction_id: str
    batch_id: str  # the batch to correct
    reason: str
    requested_by: str
    requested_at: datetime
    status: str = "pending"  # pending -> approved | rejected
    decided_by: str | None = None
    decided_at: datetime | None = None
    reversal_batch_id: str | None = None
    new_batch_id: str | None = None


class JournalStore(Protocol):
    def create(self, batch: JournalBatch) -> bool:
        """Store ``batch`` unless its id exists; False (nothing written) when it does."""
        ...

    def get(self, batch_id: str) -> JournalBatch | None: ...

    def day(self, agency: str, business_date: date) -> list[JournalBatch]:
        """The day's batches, by sequence."""
        ...

    def mark_imported(self, batch_id: str, *, by: str, at: datetime) -> JournalBatch:
        """Marked imported once; asked again, the batch as first marked. ``NotFoundError`` for no such batch."""
        ...

    def file_correction(self, correction: JournalCorrection) -> None: ...

    def correction(self, correction_id: str) -> JournalCorrection | None: ...

    def decide_correction(self, correction_id: str, *, status: str, by: str, at: datetime) -> bool:
        """Pending -> ``status`` by ``by``; False when it was no longer pending."""
        ...

    def correction_done(self, correction_id: str, *, reversal_batch_id: str, new_batch_id: str) -> None: ...


class JournalFiles(Protocol):
    """Where the batch files live (the audit bucket, under Object Lock): written once, read back as written."""

    def put(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> None: ...

    def get(self, key: str) -> bytes: ...


class JournalLedgerReads(Protocol):
    def credit_notes(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], CreditNote]:
        """The credit notes of ``keys`` ((customer id, credit note id)) that exist."""
        ...

    def payment_methods(self, transaction_ids: Sequence[str]) -> dict[str, PaymentMethodType]:
        """The method of the payment each processor transaction id belongs to (those the ledger knows)."""
        ...
