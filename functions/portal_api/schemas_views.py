"""Response models of the portal's invoice views (invoices, credit notes, sales orders) and the cursors of all
the portal's lists.

Cursors are opaque to clients and bound to the caller: a cursor must be a key its list could have handed out, in
the caller's own partition and among the list's own records (``PageStart``, which storage describes and the
composition root hands the route: ``arportal.wiring.portal.list_start``), so a cursor edited to start inside
another customer's records, or taken from another list, is a 400.
"""

from __future__ import annotations

from datetime import date, datetime
from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response
from pydantic import Field

from arportal.api.errors import ApiError, error_response
from arportal.api.pagination import decode_cursor, encode_cursor
from arportal.api.record_schemas import CreditNoteOut
from arportal.api.schemas import MoneyOut, Out
from arportal.domain import models as m
from arportal.domain.invoice_views import display_status
from arportal.domain.portal_errors import RateLimitedError
from arportal.domain.statement import reason_in_words
from arportal.ports import PageStart
from arportal.services.portal_views import InvoiceDetail

# --- cursors -------------------------------------------------------------------------------------------


def page_start(cursor: str | None, start: PageStart) -> dict[str, object] | None:
    """Where a list resumes: a key of the caller's partition (``decode_cursor`` checks it) that the list admits."""
    key = decode_cursor(cursor, expected=dict(start.partition))
    if key is not None and not start.admits(key):
        raise ApiError(
            HTTPStatus.BAD_REQUEST,
            "invalid_cursor",
            "the cursor is not one this list gave out; start again without it",
            [{"field": "cursor", "reason": "not a cursor from this list"}],
        )
    return key


def page_cursor(next_key: dict[str, object] | None) -> str | None:
    return encode_cursor(next_key)


# --- responses -----------------------------------------------------------------------------------------


class LineOut(Out):
    description: str
    fee_code: str
    kind: str
    quantity: int
    unit_amount: MoneyOut
    amount: MoneyOut

    @classmethod
    def of(cls, line: m.InvoiceLine, currency: str) -> LineOut:
        return cls(
            description=line.description,
            fee_code=line.fee_code,
            kind=line.kind.value,
            quantity=line.quantity,
            unit_amount=MoneyOut.of(line.unit_amount, currency),
            amount=MoneyOut.of(line.amount, currency),
        )


class InvoiceOut(Out):
    invoice_id: str
    invoice_number: str
    account_number: str
    department: str
    issue_date: date
    due_date: date
    period_start: date | None
    period_end: date | None
    lines: list[LineOut]
    amount: MoneyOut
    amount_paid: MoneyOut
    credited: MoneyOut
    balance: MoneyOut
    status: str = Field(description="open, partially_paid, paid, overdue (computed) or voided")

    @classmethod
    def of(cls, inv: m.Invoice, today: date) -> InvoiceOut:
        cur = inv.currency
        return cls(
            invoice_id=inv.invoice_id,
            invoice_number=inv.invoice_number,
            account_number=inv.account_number,
            department=inv.department,
            issue_date=inv.issue_date,
            due_date=inv.due_date,
            period_start=inv.period_start,
            period_end=inv.period_end,
            lines=[LineOut.of(line, cur) for line in inv.lines],
            amount=MoneyOut.of(inv.amount, cur),
            amount_paid=MoneyOut.of(inv.paid, cur),
            credited=MoneyOut.of(inv.credited, cur),
            balance=MoneyOut.of(inv.balance, cur),
            status=display_status(inv, today).value,
        )


class InvoiceListOut(Out):
    invoices: list[InvoiceOut]
    total: int | None = Field(
        description="How many invoices the filter selects, when this first page holds them all; null when more may "
        "follow (counting them would read them all: follow next_cursor)"
    )
    next_cursor: str | None


class MethodOut(Out):
    type: str
    brand: str | None
    last4: str | None

    @classmethod
    def of(cls, method: m.MethodDetail) -> MethodOut:
        return cls(type=method.type.value, brand=method.brand, last4=method.last4)


class AppliedPaymentOut(Out):
    payment_id: str
    applied_at: datetime
    amount: MoneyOut
    method: MethodOut | None
    status: str | None
    receipt_number: str | None


class AppliedCreditOut(Out):
    credit_note_id: str
    number: str
    reason: str
    amount: MoneyOut
    applied_at: datetime


class InvoiceDetailOut(Out):
    invoice: InvoiceOut
    payments: list[AppliedPaymentOut]
    credit_notes: list[AppliedCreditOut]

    @classmethod
    def of(cls, d: InvoiceDetail, today: date) -> InvoiceDetailOut:
        cur = d.invoice.currency
        return cls(
            invoice=InvoiceOut.of(d.invoice, today),
            payments=[
                AppliedPaymentOut(
                    payment_id=p.allocation.payment_id,
                    applied_at=p.allocation.applied_at,
                    amount=MoneyOut.of(p.allocation.amount, p.allocation.currency),
                    method=MethodOut.of(p.payment.method) if p.payment else None,
                    status=p.payment.status.value if p.payment else None,
                    receipt_number=p.payment.receipt_number if p.payment else None,
                )
                for p in d.payments
            ],
            credit_notes=[
                AppliedCreditOut(
                    credit_note_id=c.credit_note.credit_note_id,
                    number=c.credit_note.number,
                    reason=reason_in_words(c.credit_note.reason),
                    amount=MoneyOut.of(c.application.amount, cur),
                    applied_at=c.application.applied_at,
                )
                for c in d.credits
            ],
        )


class CreditNoteListOut(Out):
    credit_notes: list[CreditNoteOut]
    next_cursor: str | None


class SalesOrderOut(Out):
    order_id: str
    number: str
    account_number: str
    department: str
    order_date: date
    period_start: date | None
    period_end: date | None
    lines: list[LineOut]
    total: MoneyOut

    @classmethod
    def of(cls, so: m.SalesOrder) -> SalesOrderOut:
        return cls(
            order_id=so.order_id,
            number=so.number,
            account_number=so.account_number,
            department=so.department,
            order_date=so.order_date,
            period_start=so.period_start,
            period_end=so.period_end,
            lines=[LineOut.of(line, so.currency) for line in so.lines],
            total=MoneyOut.of(so.total, so.currency),
        )


class SalesOrderListOut(Out):
    sales_orders: list[SalesOrderOut]
    next_cursor: str | None


def rate_limited_response(error: RateLimitedError) -> Response[str]:
    """429 with ``Retry-After``: what every route that counts attempts answers once a window is full."""
    response = error_response(HTTPStatus.TOO_MANY_REQUESTS, error.code, error.message, error.details)
    response.headers["Retry-After"] = str(error.retry_after)
    return response
