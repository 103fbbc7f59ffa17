"""The ports every part uses: customers and lookups, the ledger and audit log, the payment processor, mail and
documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from pydantic import BaseModel

from arportal.domain import models as domain_models
from arportal.domain.models import (
    Account,
    AuditEvent,
    CreditNote,
    Customer,
    Invoice,
    Payment,
    Schedule,
)
from arportal.domain.payouts import BalanceTransaction, Payout
from arportal.domain.posting import Posting
from arportal.domain.processing import ChargeOutcome
from arportal.domain.search import SearchKind


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
    # The payer is not there to confirm anything (autopay, a plan's instalment): a bank's request to authenticate
    # is a decline the payer is told about, never a wait for their browser.
    off_session: bool = False


@dataclass(frozen=True)
class ChargeResult:
    outcome: ChargeOutcome
    transaction_id: str | None
    code: str | None = None  # the processor's failure code, when it failed
    message: str | None = None
    brand: str | None = None
    last4: str | None = None
    method_type: str | None = None
    # REQUIRES_ACTION only: what the payer's browser needs to finish it (Stripe's client_secret). Handed to that
    # browser in the answer and never stored or logged.
    client_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SavedMethodResult:
    """What a processor answered when asked to keep a payment method for later charges.

    SUCCEEDED: ``token`` is what later charges name (Stripe: the ``pm_...`` attached to the customer);
    REQUIRES_ACTION: the payer's bank asks them to confirm first (``client_secret`` for their browser, never stored);
    anything else: refused, with the processor's ``code`` and ``message``."""

    outcome: ChargeOutcome
    token: str | None
    code: str | None = None
    message: str | None = None
    brand: str | None = None
    last4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None
    client_secret: str | None = field(default=None, repr=False)


class PaymentProcessor(Protocol):
    name: str

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Charge once per idempotency key; raises ``ProcessorUnavailableError`` if the answer is unknown."""
        ...

    def find_charge(self, idempotency_key: str) -> ChargeResult | None:
        """The charge made with this key, if any: how a timeout is reconciled without charging again."""
        ...

    def save_payment_method(self, customer_id: str, token: str, *, idempotency_key: str) -> SavedMethodResult:
        """Keep the method ``token`` (from the processor's secure fields) for our ``customer_id``, once per
        ``idempotency_key``; the same key after the payer's action reads how it ended (``PaymentMethodSaver``)."""
        ...

    def refund(self, transaction_id: str, amount: int, *, idempotency_key: str) -> RefundResult:
        """Refund part or all of a charge, once per idempotency key."""
        ...

    def represent_debit(self, transaction_id: str, request: ChargeRequest) -> ChargeResult:
        """Debit again the bank account that ACH debit ``transaction_id`` took money from, under the same payer
        authorization (a NACHA re-presentment of an R01/R09 return; the caller checks the rules), as a new
        transaction charged once per ``request.idempotency_key`` (its ``token`` is ignored). A declined result if
        the original is not an ACH debit of this processor or its authorization cannot be used again."""
        ...

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> ProcessorEvent:
        """Verify a webhook's signature and timestamp and read it; ``WebhookSignatureError`` if it fails."""
        ...

    def payouts(self, *, arrived_since: date, arrived_until: date) -> list[Payout]:
        """Every payout the processor has created whose arrival date is from ``arrived_since`` to ``arrived_until``
        (both included), whatever its status, oldest arrival first; every page is read. Asking again returns the
        same payouts, each with the same id and amount; only a status moves (in transit -> paid or failed).
        ``DependencyError`` if the processor cannot be asked."""
        ...

    def payout_transactions(self, payout_id: str) -> list[BalanceTransaction]:
        """Every balance transaction the payout pays out (never the payout's own transfer), every page read; their
        ``net`` adds up to the payout's amount. A charge, refund, return or dispute names the charge it concerns by
        the id ``charge`` returned (``source_transaction_id``). ``NotFoundError`` for a payout the processor never
        made; ``DependencyError`` if the processor cannot be asked."""
        ...


class ProcessorUnavailableError(Exception):
    """The processor did not answer; whether a charge happened is unknown until ``find_charge``."""


class PaymentPosting(Protocol):
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

    def put_new(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> bool:
        """Store ``body`` only if nothing is stored under ``key`` yet (a conditional write); False when something
        was: two writers of the same file store it once."""
        ...

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
    charge_key: str | None = None  # the key the charge was made under, when the processor reports it


class WebhookSignatureError(Exception):
    """A webhook's signature or timestamp did not verify: the request is refused and nothing is read."""
