"""What settlement reads and writes: the settlement machine's steps (``services/payout_settlement.py``) and the
finance console's payouts, deposits and reconciliation items (``services/finance_settlement.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from arportal.domain.models import AuditEvent, Payment, StatusChange
from arportal.domain.payouts import BalanceTransaction
from arportal.domain.status import PaymentStatus


@dataclass(frozen=True)
class SettlementCandidate:
    payment_id: str
    customer_id: str | None
    amount: int
    currency: str
    fee: int = 0  # the convenience fee charged with it: the processor deposits it with the payment
    refunded: int = 0  # refunded before it settled: not in the deposit
    status: str = "posted"  # posted, or partially_refunded (refunded in part before it settled)


class SettlementStore(Protocol):
    """The day's payments that have not settled yet, and the conditional write that settles one."""

    def posted_payments(self, day: date, *, limit: int) -> list[Payment]:
        """Payments created on ``day`` that have not settled yet: still ``posted``, or ``partially_refunded``
        before settling (the ByActivityDay index)."""
        ...

    def append_status(self, payment: SettlementCandidate, change: StatusChange, *, expected: PaymentStatus) -> bool:
        """Set the payment's status and append ``change`` to its history if its status is still ``expected``."""
        ...

    def payment_status(self, payment: SettlementCandidate) -> PaymentStatus | None: ...


@dataclass(frozen=True)
class PayoutRecord:
    """A processor payout as the ledger keeps it: also the deposit the agency expects on its bank account."""

    payout_id: str
    processor: str
    amount: int
    currency: str
    arrival_date: date
    bank_trace_id: str | None
    transactions: int
    matched: int
    unmatched: int
    recorded_at: datetime
    deposit_status: str = "expected"  # expected -> deposited (confirmed by hand, or by a bank file's line)
    deposited_by: str | None = None
    deposited_at: datetime | None = None
    bank_line_key: str | None = None  # the bank file line that showed the deposit
    bank_booked_on: date | None = None
    bank_file_id: str | None = None


@dataclass(frozen=True)
class ReconciliationItem:
    item_id: str
    reason: str  # unknown_transaction, amount_mismatch, missing_from_processor; drawer_currency_mismatch
    status: str  # open, resolved
    opened_at: datetime
    note: str
    payout_id: str | None = None
    transaction_id: str | None = None  # the processor's balance transaction or charge id
    payment_id: str | None = None
    amount: int | None = None
    currency: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None


@dataclass(frozen=True)
class PayoutLine:
    """One balance transaction of a payout, as matched: recorded under its payout, with the payment it names."""

    transaction: BalanceTransaction
    payment_id: str | None
    customer_id: str | None
    outcome: str  # settle, record, unmatched


@dataclass(frozen=True)
class FinancePage:
    items: list[Any]
    next_cursor: str | None


class PayoutSettlementStore(Protocol):
    """What settlement from payouts reads and writes in the ledger; every write is conditional, so a rerun
    changes nothing."""

    def cursor(self) -> date | None:
        """The last arrival date a completed run took in, or None before the first run."""
        ...

    def move_cursor(self, through: date, *, at: datetime) -> None: ...

    def payment_for_transaction(self, transaction_id: str) -> Payment | None: ...

    def payments_for_transactions(self, transaction_ids: Iterable[str]) -> dict[str, Payment]:
        """transaction id -> its payment, for those that have one (read in batches)."""
        ...

    def settle(self, before: Payment, after: Payment, line: PayoutLine, audit: AuditEvent) -> bool:
        """One transaction: the payment (conditioned on the version read), its payout line, the
        ``payment.settled`` outbox event and the audit record. False: it had changed, or is settled already."""
        ...

    def record_line(self, line: PayoutLine, *, at: datetime) -> bool:
        """The payout line, unless it is there already."""
        ...

    def open_item(self, item: ReconciliationItem) -> bool:
        """The reconciliation item, unless one of its id exists (open or resolved)."""
        ...

    def put_chunk_marker(self, run: str, key: str, counts: dict[str, list[int]], *, at: datetime) -> None: ...

    def chunk_markers(self, run: str) -> list[dict[str, list[int]]]: ...

    def record_payout(self, payout: PayoutRecord) -> bool:
        """The payout (and the deposit it is), unless it is recorded already."""
        ...

    def unsettled_payments(self, day: date) -> list[Payment]: ...


class FinanceStore(Protocol):
    """The finance console's reads and its two hand-made changes."""

    def payouts(self, since: date, until: date, *, limit: int, cursor: str | None) -> FinancePage: ...

    def deposits(
        self, since: date, until: date, *, status: str | None, limit: int, cursor: str | None
    ) -> FinancePage: ...

    def payout(self, payout_id: str) -> PayoutRecord | None: ...

    def confirm_deposit(self, payout_id: str, *, by: str, at: datetime, audit: AuditEvent) -> bool:
        """expected -> deposited, with who and when and an audit record; False when not expected any more."""
        ...

    def confirm_from_bank(
        self, payout_id: str, *, line_key: str, booked_on: date, file_id: str, by: str, at: datetime, audit: AuditEvent
    ) -> bool:
        """The bank line recorded on the deposit (expected -> deposited, or a deposit confirmed by hand keeps who
        confirmed it), with an audit record; False when a bank line is recorded on it already."""
        ...

    def reconciliation_items(
        self, status: str, *, reason: str | None, limit: int, cursor: str | None
    ) -> FinancePage: ...

    def reconciliation_item(self, item_id: str) -> ReconciliationItem | None: ...

    def resolve_item(self, item_id: str, *, note: str, by: str, at: datetime, audit: AuditEvent) -> bool:
        """open -> resolved with the note; False when it is not open any more."""
        ...


@runtime_checkable
class PayoutTransactionPages(Protocol):
    """A processor that lists a payout's balance transactions a page at a time (Stripe: 100 a page), so a listing
    can stop between pages and go on in another invocation. A processor without it is read whole."""

    def payout_transactions_page(
        self, payout_id: str, *, after: str | None
    ) -> tuple[list[BalanceTransaction], str | None]:
        """The transactions listed after the one whose id is ``after`` (None: from the first), in an order that does
        not change, and the cursor of the next page (None: that was the last). The payout's own transfer is left
        out, as in ``payout_transactions``."""
        ...


class SettlementMetrics(Protocol):
    def reconciliation_items_opened(self, count: int) -> None:
        """Count items opened (``ArPortal``/``ReconciliationItemsOpened``, alarmed on)."""
        ...

    def missing_payouts(self, count: int) -> None:
        """Count ``missing_from_processor`` items opened: payments past their payout deadline
        (``ArPortal``/``MissingPayouts``, alarmed on)."""
        ...
