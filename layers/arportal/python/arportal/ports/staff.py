"""The staff console's reads: customer record, balances, payment status, interactions, activity, reports
(issue 5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from arportal.domain import balances as domain_balances
from arportal.domain import duplicates as domain_duplicates
from arportal.domain import models as domain_models
from arportal.domain.email_feedback import Suppression
from arportal.domain.models import (
    Account,
    Approval,
    AuditEvent,
    CreditNote,
    Customer,
    Invoice,
    Payment,
    Schedule,
)
from arportal.domain.search import SearchKind
from arportal.domain.status import PaymentStatus
from arportal.ports.core import LookupHit
from arportal.ports.portal import Page


class BalanceConnector(Protocol):
    """One department's source of balances: the built-in ledger or a connected system."""

    source: str
    department: str

    def balance(self, customer_id: str, account_numbers: Sequence[str]) -> domain_balances.SourceBalance:
        """The customer's balance in these accounts. A source that cannot answer is an answer too: this never
        raises for the source's own failure, it returns ``fresh=False``, an ``error`` and the last known figure."""
        ...


class ConnectorChooser(Protocol):
    """Which source answers for a department (``adapters/balances/config.py``: by the agency's configuration)."""

    def connector(self, department: str) -> BalanceConnector: ...


class LastKnownBalances(Protocol):
    def last_known(self, customer_id: str, department: str) -> domain_balances.SourceBalance | None: ...

    def remember(self, customer_id: str, balance: domain_balances.SourceBalance) -> None:
        """Keep a good answer; an older answer never replaces a newer one."""
        ...


@dataclass(frozen=True)
class CustomerHeader:
    """The top of a customer's partition, in one query: profile, every account, last known balances."""

    customer: Customer
    accounts: list[Account]
    last_known: dict[str, domain_balances.SourceBalance]  # by department
    email_suppression: Suppression | None = None  # a bounce or complaint marked the record (services/email_suppression)


@dataclass(frozen=True)
class CustomerOpenItems:
    open_invoices: list[Invoice]
    credit_notes: list[CreditNote]  # with credit remaining
    schedules: list[Schedule]  # active


class StaffCustomerQueries(Protocol):
    """What the staff console reads of one customer; lists are newest first, one bounded query a page."""

    def header(self, customer_id: str) -> CustomerHeader | None: ...

    def open_items(self, customer_id: str) -> CustomerOpenItems: ...

    def payments(self, customer_id: str, *, limit: int, start: dict[str, object] | None) -> Page[Payment]: ...

    def invoices(self, customer_id: str, *, limit: int, start: dict[str, object] | None) -> Page[Invoice]: ...

    def interactions(
        self, customer_id: str, *, limit: int, start: dict[str, object] | None
    ) -> Page[domain_models.Interaction]: ...

    def documents(
        self, customer_id: str, *, limit: int, start: dict[str, object] | None
    ) -> Page[domain_models.Document]: ...


class PendingApprovals(Protocol):
    def pending_approvals(self, *, customer_id: str | None, limit: int) -> list[Approval]:
        """Approvals waiting for a decision, oldest first (all of them, or those of one customer)."""
        ...


@dataclass(frozen=True)
class PaymentStatusRecord:
    payment: Payment
    allocations: list[domain_models.Allocation]
    receipt: domain_models.Receipt | None
    audit: list[AuditEvent]
    # With a duplicate window asked for: the payment and the same payer's payments made within it before it.
    earlier: list[domain_duplicates.PaymentFacts] = field(default_factory=list)


class PaymentStatusReader(Protocol):
    def payment_status(
        self, payment_id: str, *, duplicate_window: timedelta | None = None
    ) -> PaymentStatusRecord | None:
        """The payment (strongly consistent), its allocations, receipt and audit trail; None if unknown. With
        ``duplicate_window``, also ``earlier`` (bounded reads, beside the others)."""
        ...


class InteractionStore(Protocol):
    def references(
        self, customer_id: str, *, invoice_id: str | None, payment_id: str | None
    ) -> tuple[bool, bool, bool]:
        """Whether the customer exists and the named invoice and payment are theirs (True for a name not given)."""
        ...

    def record(
        self,
        interaction: domain_models.Interaction,
        *,
        actor: str,
        idempotency_key: str,
        fingerprint: str,
        audit: AuditEvent,
    ) -> None:
        """The interaction, its key claim and its audit record in one transaction; ``ConflictError`` if the key
        was claimed already (nothing written)."""
        ...

    def recorded(
        self, customer_id: str, *, actor: str, idempotency_key: str
    ) -> tuple[str, domain_models.Interaction] | None:
        """The fingerprint and interaction this staff member's key created, if any."""
        ...


@dataclass(frozen=True)
class ActivityFilter:
    department: str | None = None
    channel: str | None = None
    terminal: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class DayActivity:
    """What one day's activity index partition holds, of the kinds asked for."""

    payments: list[Payment]
    allocations: list[domain_models.Allocation]
    interactions: list[domain_models.Interaction]
    complete: bool  # False when the day held more than a report reads in one go


class ActivityReader(Protocol):
    def day_payments(
        self, day: date, where: ActivityFilter, *, limit: int, start: dict[str, object] | None
    ) -> Page[Payment]:
        """One Query of the day's partition of ByActivityDay, newest first, filtered by the index read itself."""
        ...

    def day_activity(
        self,
        day: date,
        *,
        payment_statuses: frozenset[PaymentStatus],
        allocations: bool = False,
        interactions: bool = False,
        whole: bool = False,
    ) -> DayActivity:
        """The day's records of the kinds asked for: up to 50 pages (``complete`` False beyond), or ``whole``,
        every page (a job's read, not a request's)."""
        ...

    def exception_payments(
        self, currency: str, status: PaymentStatus, *, start: date, end: date, limit: int
    ) -> tuple[list[Payment], bool]:
        """The newest ``limit`` payments taken from ``start`` to ``end`` that stand in ``status`` (pending or
        failed), newest first, with one Query of their list; and whether more are there."""
        ...

    def list_exception(self, payment: Payment) -> bool:
        """Put a payment standing pending or failed on its list if a write before the list existed left it off
        (a backfill: conditioned on its status being still that); True if it was added."""
        ...


class PrefixSearch(Protocol):
    def prefix_search(self, kind: SearchKind, text: str, *, limit: int) -> list[LookupHit]:
        """Profiles with a word of the name, or an email or phone (``kind``), that starts with ``text``: one index
        query. A name hit says at which word it matched in ``entity["name_word"]`` (0: the first)."""
        ...


@dataclass(frozen=True)
class ReindexPage:
    profiles: int  # profiles read on this page
    reindexed: int  # of which lacked their pointers and got them
    cursor: str | None  # where the next page starts; None when every profile has been read


class SearchReindexer(Protocol):
    def reindex_page(self, cursor: str | None, *, page_size: int) -> ReindexPage:
        """Write the search pointers of the profiles on one page that lack them (one scan of the sparse name
        index, one batch read, the writes); ``cursor`` from the previous page, None to start. ValueError for a
        cursor this reindexer did not return."""
        ...


class DepartmentDirectory(Protocol):
    def departments(self) -> list[domain_models.Department]:
        """The agency's department records (code and name): one query of the agency's partition."""
        ...


class ReceiptOwners(Protocol):
    def receipt_owner(self, receipt_number: str) -> tuple[str | None, str] | None:
        """The receipt's (customer id, payment id), the customer id None when the payment is in no customer's
        partition; None for an unknown receipt."""
        ...
