"""Staff actions: exceptions, adjustments, approvals, duplicates; applying credit (issues 4 and 5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from arportal.domain import credit as domain_credit
from arportal.domain import duplicates as domain_duplicates
from arportal.domain import models as domain_models
from arportal.domain import staff_actions as domain_actions
from arportal.domain.models import (
    Invoice,
)
from arportal.domain.posting import InvoiceChange
from arportal.domain.status import ApprovalStatus
from arportal.ports.payments import PaymentState
from arportal.ports.portal import Page


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


class StaffActionStore(Protocol):
    def locate_payment(self, payment_id: str) -> PaymentState | None:
        """The payment wherever it lives (by its id), with its allocations, invoices and credit note."""
        ...

    def applied(self, scope: str, key: str) -> AppliedAction | None: ...

    def apply_money_back(
        self, back: domain_actions.MoneyBack, *, scope: str, key: str, audit: domain_models.AuditEvent
    ) -> None:
        """One transaction: guard, payment, invoices, credit note, outbox event, chained audit record."""
        ...

    def invoice(self, customer_id: str, invoice_id: str) -> Invoice | None: ...

    def apply_adjustment(
        self,
        change: InvoiceChange,
        record: domain_actions.AdjustmentRecord,
        *,
        scope: str,
        key: str,
        audit: domain_models.AuditEvent,
    ) -> None: ...


class ApprovalStore(Protocol):
    """The staff side of an approval (``services/approvals.py``): filing it, the queue, claiming a decision and
    finishing it once carried out. The approval machine's own writes are ``ApprovalWorkflowStore``."""

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
        retry of the request finds it (``StaffActionStore.applied``) instead of filing another."""
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
    """The approval machine's executions: one started per filed request, resumed with the decision."""

    def start_approval(self, name: str, payload: Mapping[str, object]) -> bool: ...

    def send_task_success(self, task_token: str, output: Mapping[str, object]) -> bool:
        """False when the token no longer waits (the execution moved on or ended)."""
        ...


class ApprovalWorkflowStore(Protocol):
    """The approval machine's own writes on an approval (``services/approval_workflow.py``): the task token it
    waits on, and the status it records once resumed (approved, rejected) or timed out (expired). The staff
    side's reads and writes of the same approval are ``ApprovalStore``."""

    def save_approval_request(self, approval: domain_models.Approval, *, task_token: str, expires_at: datetime) -> None:
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


class CreditApplications(Protocol):
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


class ApprovedActions(Protocol):
    def execute(self, approval_id: str, *, decided_by: str, now: datetime) -> str:
        """Carry out the approved request; its approval's status after it (executed, failed; "ready" when it
        names nothing to carry out)."""
        ...
