"""Response model of a payment's status as staff confirm it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from arportal.api.record_schemas import AllocationOut
from arportal.api.schemas import MoneyOut, Out
from arportal.services.payment_status_view import PaymentStatusView
from staff_api.schemas_common import StaffPaymentOut


class MilestonesOut(Out):
    authorized_at: datetime | None
    posted_at: datetime | None
    settled_at: datetime | None
    failed_at: datetime | None
    refunded_at: datetime | None
    voided_at: datetime | None
    reversed_at: datetime | None


class ReceiptLineOut(Out):
    description: str
    invoice_number: str | None
    department: str | None
    amount: MoneyOut


class PaymentReceiptOut(Out):
    receipt_number: str
    issued_at: datetime
    total: MoneyOut
    fee: MoneyOut
    lines: list[ReceiptLineOut]


class AuditEntryOut(Out):
    event_id: str
    action: str
    actor: str
    at: datetime
    reason: str | None
    request_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class PaymentStatusOut(Out):
    payment: StaffPaymentOut
    status: str
    final: bool
    milestones: MilestonesOut
    allocations: list[AllocationOut]
    receipt: PaymentReceiptOut | None
    audit: list[AuditEntryOut]
    likely_duplicate_of: str | None = Field(
        default=None,
        description="An earlier payment by the same payer, of the same amount, toward the same invoice, within the "
        "agency's duplicate window (DUPLICATE_WINDOW_MINUTES): flagged for a person to check, never refused",
    )

    @classmethod
    def of(cls, v: PaymentStatusView) -> PaymentStatusOut:
        p, ms, r = v.payment, v.milestones, v.receipt
        return cls(
            payment=StaffPaymentOut.of(p),
            status=p.status.value,
            final=v.final,
            milestones=MilestonesOut(
                authorized_at=ms.authorized_at,
                posted_at=ms.posted_at,
                settled_at=ms.settled_at,
                failed_at=ms.failed_at,
                refunded_at=ms.refunded_at,
                voided_at=ms.voided_at,
                reversed_at=ms.reversed_at,
            ),
            allocations=[AllocationOut.of(a) for a in v.allocations],
            receipt=PaymentReceiptOut(
                receipt_number=r.receipt_number,
                issued_at=r.issued_at,
                total=MoneyOut.of(r.total, r.currency),
                fee=MoneyOut.of(r.fee_amount, r.currency),
                lines=[
                    ReceiptLineOut(
                        description=line.description,
                        invoice_number=line.invoice_number,
                        department=line.department,
                        amount=MoneyOut.of(line.amount, r.currency),
                    )
                    for line in r.lines
                ],
            )
            if r
            else None,
            audit=[
                AuditEntryOut(
                    event_id=e.event_id,
                    action=e.action,
                    actor=e.actor,
                    at=e.at,
                    reason=e.reason,
                    request_id=e.request_id,
                    before=e.before,
                    after=e.after,
                )
                for e in v.audit
            ],
            likely_duplicate_of=v.likely_duplicate_of,
        )
