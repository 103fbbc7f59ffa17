"""Ports: what the services need from the outside world, as Protocols. Adapters implement them.

Unit tests hand services in-memory fakes (``tests/fakes.py``); integration tests and Lambda use the
DynamoDB/S3/SES/EventBridge adapters against moto or AWS.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel

from arportal.domain import balances as domain_balances
from arportal.domain import credit as domain_credit
from arportal.domain import duplicates as domain_duplicates
from arportal.domain import email_change, invoice_views
from arportal.domain import exceptions as domain_exceptions
from arportal.domain import models as domain_models
from arportal.domain import statement as domain_statement
from arportal.domain.models import (
    Account,
    Approval,
    AuditEvent,
    CreditNote,
    Customer,
    Invoice,
    Payment,
    Schedule,
    StatusChange,
)
from arportal.domain.posting import InvoiceChange, Posting
from arportal.domain.processing import ChargeOutcome
from arportal.domain.search import SearchKind
from arportal.domain.status import ApprovalStatus, PaymentStatus


@dataclass(frozen=True)
class CustomerSnapshot:
    """A customer's live items, as the dashboard needs them."""

    customer: Customer
    accounts: list[Account]
    open_invoices: list[Invoice]
    credit_notes: list[CreditNote]
    schedules: list[Schedule]
    recent_payments: list[Payment]
    unread_notices: Sequence[domain_models.Document] = ()  # notices the customer has not opened yet


@dataclass(frozen=True)
class LookupHit:
    """One record found by an external key, with the customer who owns it (if any)."""

    kind: SearchKind
    entity_type: str
    entity_id: str
    customer_id: str | None
    entity: dict[str, object]


class CustomerRepository(Protocol):
    def get(self, customer_id: str) -> Customer | None:
        """The profile, or None."""
        ...

    def snapshot(self, customer_id: str, *, recent_payments: int = 5) -> CustomerSnapshot | None:
        """Profile, accounts, open invoices, credit and schedules plus recent payments in two queries."""
        ...


class LookupRepository(Protocol):
    def lookup(self, kind: SearchKind | None, value: str, *, limit: int = 10) -> list[LookupHit]:
        """Records whose external key (of ``kind``, when given) equals ``value``: one index query."""
        ...

    def customers_and_payments(
        self, customer_ids: Sequence[str], payments: Sequence[tuple[str | None, str]]
    ) -> tuple[dict[str, Customer], dict[str, dict[str, object]]]:
        """Profiles by customer id and payments by (owner, payment id), together in one batch read."""
        ...


class LedgerWriter(Protocol):
    """Loads records that do not move money (set-up, imports, seed data)."""

    def put_new(self, records: Sequence[BaseModel]) -> None:
        """Write records that must not exist yet; batched, idempotent per record."""
        ...


class AuditLog(Protocol):
    def record(self, event: AuditEvent) -> None: ...


@dataclass(frozen=True)
class ChargeRequest:
    idempotency_key: str  # forwarded to the processor so a retried call cannot charge twice
    amount: int
    currency: str
    token: str  # from the processor's hosted fields; never a card number
    description: str
    customer_id: str | None = None
    metadata: dict[str, str] | None = None


@dataclass(frozen=True)
class ChargeResult:
    outcome: ChargeOutcome
    transaction_id: str | None
    code: str | None = None  # the processor's failure code, when it failed
    message: str | None = None
    brand: str | None = None
    last4: str | None = None
    method_type: str | None = None


class PaymentProcessor(Protocol):
    name: str

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Charge once per idempotency key; raises ``ProcessorUnavailableError`` if the answer is unknown."""
        ...

    def find_charge(self, idempotency_key: str) -> ChargeResult | None:
        """The charge made with this key, if any: how a timeout is reconciled without charging again."""
        ...

    def refund(self, transaction_id: str, amount: int, *, idempotency_key: str) -> RefundResult:
        """Refund part or all of a charge, once per idempotency key."""
        ...

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> ProcessorEvent:
        """Verify a webhook's signature and timestamp and read it; ``WebhookSignatureError`` if it fails."""
        ...


class ProcessorUnavailableError(Exception):
    """The processor did not answer; whether a charge happened is unknown until ``find_charge``."""


class PaymentLedger(Protocol):
    """The reads a payment is planned from and the one transaction that posts it."""

    def open_invoices(self, customer_id: str) -> list[Invoice]: ...

    def invoices(self, customer_id: str | None, invoice_ids: list[str]) -> list[Invoice]:
        """Named invoices, strongly consistent."""
        ...

    def account(self, customer_id: str, account_number: str) -> Account | None: ...

    def customer_accounts(self, customer_id: str) -> list[Account]:
        """The customer's accounts: where money is held when nothing it was for is open any more."""
        ...

    def posted_payment(self, scope: str, idempotency_key: str) -> Payment | None:
        """The payment already posted under this key in this scope, if any."""
        ...

    def post(self, posting: Posting, *, scope: str, idempotency_key: str, audit: AuditEvent) -> None:
        """All of the posting or nothing; ``ConflictError`` if the key was used or an invoice changed."""
        ...


@dataclass(frozen=True)
class SettlementCandidate:
    payment_id: str
    customer_id: str | None
    amount: int
    currency: str


class WorkflowStore(Protocol):
    """What the workflow tasks read and write in the ledger table."""

    def posted_payments(self, day: date, *, limit: int) -> list[Payment]:
        """Payments created on ``day`` that are still ``posted`` (the ByActivityDay index)."""
        ...

    def append_status(self, payment: SettlementCandidate, change: StatusChange, *, expected: PaymentStatus) -> bool:
        """Set the payment's status and append ``change`` to its history if its status is still ``expected``."""
        ...

    def payment_status(self, payment: SettlementCandidate) -> PaymentStatus | None: ...

    def save_approval_request(self, approval: Approval, *, task_token: str, expires_at: datetime) -> None:
        """Create or refresh a pending approval with the token that resumes its execution."""
        ...

    def set_approval_status(
        self,
        approval_id: str,
        *,
        expected: ApprovalStatus,
        status: ApprovalStatus,
        at: datetime,
        decided_by: str | None = None,
        note: str | None = None,
    ) -> bool:
        """Move an approval from ``expected`` to ``status``; False when it was not ``expected``."""
        ...

    def approval_status(self, approval_id: str) -> ApprovalStatus | None: ...


@dataclass(frozen=True)
class Email:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[tuple[str, str, bytes], ...] = ()  # (filename, content type, bytes)


class Mailer(Protocol):
    def send(self, email: Email) -> str:
        """Send one message; returns the provider's message id."""
        ...


class DocumentStore(Protocol):
    def put(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> None: ...

    def url(self, key: str, *, filename: str, expires_in: int = 300) -> str:
        """A short-lived download link; issue only after checking the caller may see the document."""
        ...


@dataclass(frozen=True)
class RefundResult:
    succeeded: bool
    refund_id: str | None
    code: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class ProcessorEvent:
    """A processor's report about a charge, from a verified webhook (or the sandbox's simulation)."""

    event_id: str  # the processor's id: the same event delivered twice is applied once
    kind: str  # "charge.succeeded" | "charge.failed" | "charge.returned" | "refund.succeeded" | "refund.failed"
    transaction_id: str
    occurred_at: datetime
    code: str | None = None
    amount: int | None = None


class WebhookSignatureError(Exception):
    """A webhook's signature or timestamp did not verify: the request is refused and nothing is read."""


# --- the customer portal's own views, profile, linking, guest access, support (issue 3) ---------------------


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list in storage order; ``next_key`` is where the next page starts (None: the last page).

    The key is opaque to services; the HTTP edge turns it into a cursor bound to the caller's partition.
    """

    items: list[T]
    next_key: dict[str, object] | None


class PortalReader(Protocol):
    """A customer's own records, read only from that customer's partition (no Scan, bounded pages)."""

    def invoices(
        self, customer_id: str, where: invoice_views.InvoiceFilter, *, max_items: int
    ) -> list[domain_models.Invoice]:
        """Invoices whose stored fields match ``where``; at most ``max_items + 1`` (so overflow shows)."""
        ...

    def invoice(self, customer_id: str, invoice_id: str) -> domain_models.Invoice | None: ...

    def invoice_activity(
        self, customer_id: str, invoice_id: str
    ) -> tuple[list[domain_models.Allocation], list[domain_models.CreditNote]]:
        """The allocations paid onto the invoice and the customer's credit notes (applications name invoices)."""
        ...

    def payments(
        self, customer_id: str, where: invoice_views.PaymentFilter, *, limit: int, start: dict[str, object] | None
    ) -> Page[domain_models.Payment]:
        """Newest first."""
        ...

    def payment(self, customer_id: str, payment_id: str) -> domain_models.Payment | None: ...

    def payments_by_id(self, customer_id: str, payment_ids: Sequence[str]) -> list[domain_models.Payment]: ...

    def payment_allocations(self, customer_id: str, payment_id: str) -> list[domain_models.Allocation]: ...

    def credit_from_payment(self, customer_id: str, payment_id: str) -> domain_models.CreditNote | None:
        """The credit note an overpayment created, if any."""
        ...

    def receipt_document_id(self, customer_id: str, receipt_number: str) -> str | None: ...

    def credit_notes(
        self, customer_id: str, *, limit: int, start: dict[str, object] | None
    ) -> Page[domain_models.CreditNote]: ...

    def sales_orders(
        self, customer_id: str, *, limit: int, start: dict[str, object] | None
    ) -> Page[domain_models.SalesOrder]: ...

    def schedules(
        self, customer_id: str, *, limit: int, start: dict[str, object] | None
    ) -> Page[domain_models.Schedule]: ...

    def accounts(
        self, customer_id: str, *, limit: int, start: dict[str, object] | None
    ) -> Page[domain_models.Account]: ...

    def open_balances(self, customer_id: str) -> tuple[list[domain_models.Invoice], list[domain_models.CreditNote]]:
        """Open invoices and credit notes with something left (the OpenItems index)."""
        ...


class RateCounter(Protocol):
    """Counts events per (rule, subject) in the rule's current window; counters expire by themselves."""

    def counts(self, wanted: Sequence[tuple[str, int, str]], *, now: datetime) -> list[int]:
        """The current count of each (rule name, window seconds, subject), in one read."""
        ...

    def add(self, rule: str, window_s: int, subject: str, *, limit: int, now: datetime) -> int | None:
        """Count one event; the new count, or None when the window already holds ``limit`` (nothing counted)."""
        ...


class ProfileStore(Protocol):
    def get(self, customer_id: str) -> domain_models.Customer | None: ...

    def update_contact(self, customer_id: str, changes: dict[str, object]) -> domain_models.Customer:
        """Set profile fields (``None`` removes one); ``NotFoundError`` if there is no profile."""
        ...

    def pending_email(self, customer_id: str) -> email_change.PendingEmailChange | None: ...

    def save_pending_email(self, pending: email_change.PendingEmailChange) -> None:
        """Create or replace the customer's one pending change."""
        ...

    def count_wrong_code(self, pending: email_change.PendingEmailChange) -> None:
        """One more wrong attempt on exactly this pending change (a newer one is left alone)."""
        ...

    def confirm_email(self, pending: email_change.PendingEmailChange) -> None:
        """Apply the new address and drop the pending change in one transaction, once (``ConflictError`` if
        the pending change was replaced or used meanwhile)."""
        ...


class LinkingStore(Protocol):
    def account_by_number(self, account_number: str) -> domain_models.Account | None: ...

    def invoice_by_number(self, invoice_number: str) -> domain_models.Invoice | None: ...

    def get(self, customer_id: str) -> domain_models.Customer | None: ...

    def claim_login(self, customer_id: str, login_subject: str) -> None:
        """Record the login on the profile unless another login holds it (``ConflictError``)."""
        ...


class LoginDirectory(Protocol):
    def link_customer(self, login_subject: str, customer_id: str) -> None:
        """Set the login's customer id attribute (read by the portal from the next token on)."""
        ...


class GuestStore(Protocol):
    def invoice_and_owner(
        self, invoice_number: str
    ) -> tuple[domain_models.Invoice | None, domain_models.Customer | None]:
        """The invoice with this number and its owner's profile; the same reads whether or not it exists."""
        ...


class SupportStore(Protocol):
    def owns(self, customer_id: str, *, invoice_id: str | None, payment_id: str | None) -> tuple[bool, bool]:
        """Whether the named invoice and payment are this customer's (True for a name not given)."""
        ...

    def record(self, interaction: domain_models.Interaction, *, idempotency_key: str, fingerprint: str) -> None:
        """Create the interaction guarded by the key; ``ConflictError`` if the key was used already."""
        ...

    def recorded(self, customer_id: str, idempotency_key: str) -> tuple[str, domain_models.Interaction] | None:
        """The fingerprint and interaction a key created, if any."""
        ...


# --- payments: receipts, replayed answers and what processors report later (issue 4) -------------------------


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


# --- autopay, payment plans, saved payment methods, scheduled jobs (issue 4) -----------------------------------


@dataclass(frozen=True)
class RequestClaim:
    """An Idempotency-Key claimed by a create: the same key names the same record, for a day."""

    customer_id: str
    scope: str  # what was created: "payment_method" | "schedule"
    key: str
    fingerprint: str  # of the request body: the same key with another body is refused
    target_id: str  # the id created under this key


class PaymentMethodStore(Protocol):
    def methods(self, customer_id: str, *, limit: int, start: dict[str, object] | None = None) -> MethodPage:
        """One page of the customer's saved methods (one Query)."""
        ...

    def method(self, customer_id: str, method_id: str) -> domain_models.SavedPaymentMethod | None: ...

    def claim(self, customer_id: str, scope: str, key: str) -> RequestClaim | None:
        """The record created under this Idempotency-Key, if any."""
        ...

    def add(self, method: domain_models.SavedPaymentMethod, *, claim: RequestClaim, unset_default: str | None) -> None:
        """Create the method and claim the key in one transaction (and clear the old default's flag);
        ``ConflictError`` if the key was claimed meanwhile."""
        ...

    def remove(
        self,
        method: domain_models.SavedPaymentMethod,
        *,
        moved: Sequence[Schedule] = (),
        replacement: str | None = None,
    ) -> None:
        """Delete the method; in the same transaction point ``moved`` (still active) at ``replacement``."""
        ...


@dataclass(frozen=True)
class MethodPage:
    methods: list[domain_models.SavedPaymentMethod]
    next_start: dict[str, object] | None


class ScheduleStore(Protocol):
    def schedule(self, customer_id: str, schedule_id: str) -> Schedule | None:
        """Strongly consistent."""
        ...

    def active_schedules(self, customer_id: str) -> list[Schedule]: ...

    def claim(self, customer_id: str, scope: str, key: str) -> RequestClaim | None: ...

    def create(self, schedule: Schedule, *, claim: RequestClaim) -> None:
        """The schedule with its guards and due-date entries, in one transaction: ``ConflictError`` when the
        account already has autopay, an invoice is already in a plan, or the key was claimed meanwhile."""
        ...

    def close(self, schedule: Schedule, *, at: datetime) -> bool:
        """Deactivate it and remove its guards and due-date entries; False when it was no longer active."""
        ...

    def save_instalments(self, schedule: Schedule, instalments: Sequence[domain_models.Instalment]) -> None: ...


@dataclass(frozen=True)
class AutopayEnrolment:
    schedule_id: str
    customer_id: str
    account_number: str
    days_before_due: int


@dataclass(frozen=True)
class InstalmentDue:
    schedule_id: str
    customer_id: str
    account_number: str
    number: int  # 1-based
    due_date: date
    amount: int
    currency: str


@dataclass(frozen=True)
class DueItems:
    invoices: list[Invoice]
    instalments: list[InstalmentDue]


class DueItemsReader(Protocol):
    """The reads the scheduled jobs make: the ByDueDate index, then batched reads by key. No scans."""

    def autopay_enrolments(self) -> list[AutopayEnrolment]: ...

    def due_on(self, day: date) -> DueItems:
        """Open invoices and plan instalments due on ``day``."""
        ...

    def plan_covered(self, invoices: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (customer id, invoice id) are in an active payment plan."""
        ...

    def schedules_by_key(self, keys: Sequence[tuple[str, str]]) -> dict[str, Schedule]:
        """(customer id, schedule id) -> schedule, by schedule id."""
        ...

    def methods_by_key(self, keys: Sequence[tuple[str, str]]) -> dict[str, domain_models.SavedPaymentMethod]: ...

    def invoices_by_key(self, keys: Sequence[tuple[str, str]]) -> dict[str, Invoice]:
        """Strongly consistent: amounts to charge are worked out from these."""
        ...

    def profiles(self, customer_ids: Sequence[str]) -> dict[str, Customer]: ...


class NoticeLog(Protocol):
    """Keys are ``arportal.domain.reminders.NoticeKey``'s fields: customer, kind, subject, due date."""

    def claim(self, customer_id: str, kind: str, subject: str, due: date, *, at: datetime, keep_until: date) -> bool:
        """Record that this notice is being sent; False when it already was (send nothing)."""
        ...

    def release(self, customer_id: str, kind: str, subject: str, due: date) -> None:
        """Forget a claim whose email could not be sent, so the next run tries again."""
        ...


class WorkflowStarter(Protocol):
    def start_payment_retry(self, name: str, payload: Mapping[str, object]) -> bool:
        """Start a payment_retry execution named ``name``; False when one with that name already exists."""
        ...


# --- statements and documents (issue 3) ------------------------------------------------------------------------


class StatementHistory(Protocol):
    """The reads a statement is built from: a customer's money events, streamed page by page."""

    def history(
        self, customer_id: str, *, until: date, account_number: str | None = None, today: date
    ) -> Iterator[domain_statement.LedgerEntry | domain_statement.Receivable]:
        """Every money event up to ``until`` (in no particular order), then the receivables as of ``until``.

        Bounded in memory: items are mapped as each page arrives; only what the aging needs is kept meanwhile.
        """
        ...

    def account(self, customer_id: str, account_number: str) -> Account | None: ...


@dataclass(frozen=True)
class RenderedFile:
    body: bytes
    content_type: str
    extension: str  # without the dot


class StatementRenderer(Protocol):
    def render(self, statement: domain_statement.Statement, customer: Customer, fmt: str) -> RenderedFile:
        """The statement as a file: ``fmt`` is "pdf" or "csv"."""
        ...


class DocumentRepository(Protocol):
    def add(self, document: domain_models.Document) -> None:
        """Record a new document; ``ConflictError`` if its id exists."""
        ...

    def get(self, customer_id: str, document_id: str) -> domain_models.Document | None:
        """The document only if it is this customer's: the key is in the customer's own partition."""
        ...

    def list(
        self,
        customer_id: str,
        *,
        kind: domain_models.DocumentKind | None,
        limit: int,
        start: dict[str, object] | None,
    ) -> Page[domain_models.Document]:
        """Newest first, ``limit`` at most, from ``start`` (a previous page's ``next_key``)."""
        ...

    def mark_read(self, customer_id: str, document_id: str, at: datetime) -> bool:
        """Record the first time the customer opened the document (conditional: later calls change nothing);
        True only for the call that recorded it."""
        ...


# --- staff console: customer record, balances, payment status, interactions, activity, reports (issue 5) ------


class BalanceConnector(Protocol):
    """One department's source of balances: the built-in ledger or a connected system."""

    source: str
    department: str

    def balance(self, customer_id: str, account_numbers: Sequence[str]) -> domain_balances.SourceBalance:
        """The customer's balance in these accounts. A source that cannot answer is an answer too: this never
        raises for the source's own failure, it returns ``fresh=False``, an ``error`` and the last known figure."""
        ...


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
    ) -> DayActivity: ...


# --- staff actions: exceptions, adjustments, approvals, duplicates (issue 5, part 2) ----------------------------


@dataclass(frozen=True)
class StoredApproval:
    """An approval as stored: the request it carries out once approved (None: filed outside the staff API, so
    there is nothing to carry out), the token that resumes its execution, and the decision claimed on it."""

    approval: domain_models.Approval
    request: dict[str, object] | None
    task_token: str | None = None
    decision: str | None = None  # "approved" | "rejected", claimed before the execution is resumed
    decision_by: str | None = None
    outcome: dict[str, object] | None = None  # what carrying it out did (executed or failed)


@dataclass(frozen=True)
class AppliedAction:
    """The guard of a staff action applied under a key: what it wrote, so a retry answers the same."""

    entity_id: str  # the payment or the adjustment
    result: dict[str, object]

    FILED = "filed"  # in ``result``: the request was filed for approval, and ``entity_id`` is the approval

    @property
    def filed_approval_id(self) -> str | None:
        return self.entity_id if self.result.get(self.FILED) else None


class ExceptionStore(Protocol):
    def locate_payment(self, payment_id: str) -> PaymentState | None:
        """The payment wherever it lives (by its id), with its allocations, invoices and credit note."""
        ...

    def applied(self, scope: str, key: str) -> AppliedAction | None: ...

    def apply_money_back(
        self, back: domain_exceptions.MoneyBack, *, scope: str, key: str, audit: domain_models.AuditEvent
    ) -> None:
        """One transaction: guard, payment, invoices, credit note, outbox event, chained audit record."""
        ...

    def invoice(self, customer_id: str, invoice_id: str) -> Invoice | None: ...

    def apply_adjustment(
        self,
        change: InvoiceChange,
        record: domain_exceptions.AdjustmentRecord,
        *,
        scope: str,
        key: str,
        audit: domain_models.AuditEvent,
    ) -> None: ...


class ApprovalStore(Protocol):
    def file(
        self,
        approval: domain_models.Approval,
        request: dict[str, object],
        audit: domain_models.AuditEvent,
        *,
        guard: tuple[str, str] | None = None,
    ) -> None:
        """The pending approval (listed in the queue at once) and its audit record, in one transaction; with
        ``guard`` (scope, Idempotency-Key), also the request's action guard, naming the approval as filed, so a
        retry of the request finds it (``ExceptionStore.applied``) instead of filing another."""
        ...

    def get(self, approval_id: str) -> StoredApproval | None: ...

    def claim_decision(
        self, approval_id: str, *, decision: str, decided_by: str, note: str | None, audit: domain_models.AuditEvent
    ) -> bool:
        """Record who decided what while it is pending and undecided; False when it is not."""
        ...

    def finish(
        self,
        approval_id: str,
        *,
        status: ApprovalStatus,
        outcome: dict[str, object],
        audit: domain_models.AuditEvent,
        at: datetime,
    ) -> bool:
        """approved -> executed | failed, with what happened; False when it had already moved on."""
        ...

    def listed(
        self, *, status: ApprovalStatus | None, requested_by: str | None, limit: int, start: dict[str, object] | None
    ) -> Page[StoredApproval]: ...


class ApprovalWorkflow(Protocol):
    def start_approval(self, name: str, payload: Mapping[str, object]) -> bool: ...

    def send_task_success(self, task_token: str, output: Mapping[str, object]) -> bool:
        """False when the token no longer waits (the execution moved on or ended)."""
        ...


class RecentPayments(Protocol):
    def recent_payment_facts(self, customer_id: str, *, limit: int) -> list[domain_duplicates.PaymentFacts]:
        """The customer's newest payments with the invoices each paid (newest first)."""
        ...


@dataclass(frozen=True)
class CreditApplicationRecord:
    """What one application of credit did (``CUST#<id>`` / ``CAPP#<id>``): what a replay answers with."""

    application_id: str
    customer_id: str
    currency: str
    applied: int
    credit_left: int
    parts: tuple[Mapping[str, object], ...]  # source, invoice, account, amount
    invoices: tuple[Mapping[str, object], ...]  # invoice id, number, account, amount, split, balance, status
    actor: str
    at: datetime
    fingerprint: str  # the request it answered: a reused key with another request is refused


class CreditLedger(Protocol):
    def credit_sources(self, customer_id: str) -> list[domain_models.CreditNote]:
        """The customer's credit notes with something left, read strongly consistently."""
        ...

    def open_invoices(self, customer_id: str) -> list[domain_models.Invoice]:
        """The customer's open invoices, fresh enough to plan from (conditions re-check them at write)."""
        ...

    def applied(self, customer_id: str, scope: str, idempotency_key: str) -> CreditApplicationRecord | None:
        """The application already made under this key, if any."""
        ...

    def apply(
        self,
        plan: domain_credit.CreditPlan,
        record: CreditApplicationRecord,
        *,
        scope: str,
        idempotency_key: str,
        audit: domain_models.AuditEvent,
    ) -> None:
        """One transaction; ``ConflictError`` when a source or invoice changed since it was read."""
        ...
