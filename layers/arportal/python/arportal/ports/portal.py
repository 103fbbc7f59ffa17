"""The customer portal's own ports: views, profile, linking, guest access, support (issue 3)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar

from arportal.domain import email_change, invoice_views
from arportal.domain import models as domain_models

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list in storage order; ``next_key`` is where the next page starts (None: the last page).

    The key is opaque to services; the HTTP edge turns it into a cursor bound to the caller's partition.
    """

    items: list[T]
    next_key: dict[str, object] | None


def _any_key(key: Mapping[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class PageStart:
    """The keys one list could have handed out as a page's ``next_key``, as its storage describes them.

    Every such key carries each ``partition`` attribute at its value (the caller's own partition), and ``admits``
    says whether the rest fits too (this list, not another in the same partition). The HTTP edge refuses a cursor
    that is not one of them, so an edited cursor cannot start a read inside someone else's records, without the
    edge knowing what a key looks like.
    """

    partition: Mapping[str, str]
    admits: Callable[[Mapping[str, Any]], bool] = _any_key


class PortalReader(Protocol):
    """A customer's own records, read only from that customer's partition (no Scan, bounded pages)."""

    def invoices(
        self,
        customer_id: str,
        where: invoice_views.InvoiceFilter,
        sort: invoice_views.InvoiceSort,
        *,
        today: date,
        limit: int,
        after: tuple[str, str] | None,
    ) -> invoice_views.InvoicePage:
        """A page of what ``where`` selects (statuses as of ``today``) in ``sort`` order, after the (date, invoice
        id) ``after``; it may hold fewer than ``limit`` rows and still name where the next one starts."""
        ...

    def invoice(self, customer_id: str, invoice_id: str) -> domain_models.Invoice | None: ...

    def invoice_activity(
        self, customer_id: str, invoice_id: str
    ) -> tuple[list[domain_models.Allocation], list[domain_models.CreditNote], list[domain_models.Payment]]:
        """The allocations paid onto the invoice, the credit notes applied to it (their applications name it) and
        the payments of those allocations: the invoice's own items, never the customer's history."""
        ...

    def payments(
        self, customer_id: str, where: invoice_views.PaymentFilter, *, limit: int, start: dict[str, object] | None
    ) -> Page[domain_models.Payment]:
        """Newest first."""
        ...

    def payment(self, customer_id: str, payment_id: str) -> domain_models.Payment | None: ...

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
