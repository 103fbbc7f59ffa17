"""Autopay, payment plans, saved payment methods and scheduled jobs (issue 4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from arportal.domain import models as domain_models
from arportal.domain.models import (
    Customer,
    Invoice,
    Schedule,
)


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
