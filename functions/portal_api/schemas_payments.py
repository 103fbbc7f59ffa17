"""Response models of the portal's payment views: the list and one payment's detail.

Taking a payment answers with the models it shares with the guest payment (``arportal/api/pay.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import Field

from arportal.api.record_schemas import AllocationOut
from arportal.api.schemas import MoneyOut, Out, StatusChangeOut
from arportal.domain import models as m
from portal_api.schemas_views import MethodOut

if TYPE_CHECKING:
    from arportal.services.portal_views import PaymentDetail


class PaymentOut(Out):
    payment_id: str
    created_at: datetime
    amount: MoneyOut
    fee: MoneyOut
    total: MoneyOut
    method: MethodOut
    channel: str
    status: str
    receipt_number: str | None
    history: list[StatusChangeOut]

    @classmethod
    def of(cls, p: m.Payment) -> PaymentOut:
        return cls(
            payment_id=p.payment_id,
            created_at=p.created_at,
            amount=MoneyOut.of(p.amount, p.currency),
            fee=MoneyOut.of(p.fee_amount, p.currency),
            total=MoneyOut.of(p.amount + p.fee_amount, p.currency),
            method=MethodOut.of(p.method),
            channel=p.channel.value,
            status=p.status.value,
            receipt_number=p.receipt_number,
            history=[StatusChangeOut(status=h.status.value, at=h.at, by=said_to_customer(h.by)) for h in p.history],
        )


def said_to_customer(actor: str) -> str:
    """Who made a change, as the customer is told: "you" for their own, "the agency" for a staff member's (whose
    login is the agency's business, not the customer's), "" for what happened on its own (the processor, the
    platform's jobs, a connected system): the step itself says what happened."""
    kind = actor.split(":", 1)[0].lower()
    return "you" if kind in {"customer", "guest"} else "the agency" if kind == "staff" else ""


class PaymentListOut(Out):
    payments: list[PaymentOut]
    next_cursor: str | None


class CreditHeldOut(Out):
    amount: MoneyOut
    credit_note_id: str | None
    remaining: MoneyOut | None


class ReceiptLinkOut(Out):
    receipt_number: str
    document_id: str | None
    document_url: str | None = Field(description="GET it (with your token) for a short-lived download link")


class PaymentDetailOut(Out):
    payment: PaymentOut
    allocations: list[AllocationOut]
    credit_held: CreditHeldOut | None
    receipt: ReceiptLinkOut | None

    @classmethod
    def of(cls, d: PaymentDetail) -> PaymentDetailOut:
        p, cur = d.payment, d.payment.currency
        credit = None
        if d.unapplied > 0:
            cn = d.credit_note
            credit = CreditHeldOut(
                amount=MoneyOut.of(d.unapplied, cur),
                credit_note_id=cn.credit_note_id if cn else None,
                remaining=MoneyOut.of(cn.remaining, cn.currency) if cn else None,
            )
        receipt = None
        if p.receipt_number:
            doc = d.receipt_document_id
            receipt = ReceiptLinkOut(
                receipt_number=p.receipt_number,
                document_id=doc,
                document_url=f"/v1/portal/documents/{doc}" if doc else None,
            )
        return cls(
            payment=PaymentOut.of(p),
            allocations=[AllocationOut.of(a) for a in d.allocations],
            credit_held=credit,
            receipt=receipt,
        )
