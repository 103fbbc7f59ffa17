"""Where a payment stands: authorized, posted, settled (or failed, refunded, voided, reversed), since when, who
or what moved it, how it was applied, its receipt and its audit trail: what an agent confirms on the phone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from arportal.domain.duplicates import PaymentFacts, duplicate_of
from arportal.domain.errors import NotFoundError
from arportal.domain.models import Allocation, AuditEvent, Payment, Receipt
from arportal.domain.status import PaymentStatus, is_final
from arportal.ports import PaymentStatusReader

S = PaymentStatus


@dataclass(frozen=True)
class Milestones:
    """When each step happened (None: not, or not yet). A card payment authorizes and posts in one step, so a
    posted payment without a separate authorization counts as authorized when it posted."""

    authorized_at: datetime | None
    posted_at: datetime | None
    settled_at: datetime | None
    failed_at: datetime | None
    refunded_at: datetime | None  # the first refund, partial or whole
    voided_at: datetime | None
    reversed_at: datetime | None


@dataclass(frozen=True)
class PaymentStatusView:
    payment: Payment
    milestones: Milestones
    final: bool  # nothing can change it any more
    allocations: list[Allocation]
    receipt: Receipt | None
    audit: list[AuditEvent]
    likely_duplicate_of: str | None = None  # an earlier payment this one likely repeats (domain/duplicates.py)


def milestones(payment: Payment) -> Milestones:
    def first(*statuses: PaymentStatus) -> datetime | None:
        times = [t for t in (payment.changed_at(s) for s in statuses) if t is not None]
        return min(times) if times else None

    return Milestones(
        authorized_at=first(S.AUTHORIZED, S.POSTED),
        posted_at=first(S.POSTED),
        settled_at=first(S.SETTLED),
        failed_at=first(S.FAILED),
        refunded_at=first(S.PARTIALLY_REFUNDED, S.REFUNDED),
        voided_at=first(S.VOIDED),
        reversed_at=first(S.REVERSED),
    )


def payment_status(
    reader: PaymentStatusReader, payment_id: str, *, duplicate_window: timedelta | None = None
) -> PaymentStatusView:
    """With ``duplicate_window``, the view also names the earlier payment this one likely duplicates."""
    record = (
        reader.payment_status(payment_id, duplicate_window=duplicate_window)
        if duplicate_window is not None
        else reader.payment_status(payment_id)
    )
    if record is None:
        raise NotFoundError(f"no payment {payment_id}")
    payment = record.payment
    hint = None
    if duplicate_window is not None:
        facts = PaymentFacts(
            payment.payment_id,
            payment.customer_id,
            payment.amount,
            payment.currency,
            payment.created_at,
            payment.status,
            frozenset(a.invoice_id for a in record.allocations),
        )
        hint = duplicate_of(facts, record.earlier, duplicate_window)
    return PaymentStatusView(
        payment=payment,
        milestones=milestones(payment),
        final=is_final(payment.status),
        allocations=sorted(record.allocations, key=lambda a: (a.applied_at, a.invoice_number)),
        receipt=record.receipt,
        audit=record.audit,
        likely_duplicate_of=hint,
    )
