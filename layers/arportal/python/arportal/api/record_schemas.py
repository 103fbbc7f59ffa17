"""Response models of ledger records that both the portal and the staff API show: one shape per record, so a
customer and the agent on the phone with them read the same fields."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime

from pydantic import Field

from arportal.api.schemas import MoneyOut, Out
from arportal.domain import models as m
from arportal.domain.dashboard import NextDue
from arportal.domain.statement import held_from_payment, reason_in_words


class AllocationOut(Out):
    invoice_id: str
    invoice_number: str
    account_number: str
    department: str
    amount: MoneyOut
    applied_at: datetime

    @classmethod
    def of(cls, a: m.Allocation) -> AllocationOut:
        return cls(
            invoice_id=a.invoice_id,
            invoice_number=a.invoice_number,
            account_number=a.account_number,
            department=a.department,
            amount=MoneyOut.of(a.amount, a.currency),
            applied_at=a.applied_at,
        )


class CreditNoteApplicationOut(Out):
    invoice_id: str
    invoice_number: str
    amount: MoneyOut
    applied_at: datetime


class CreditNoteOut(Out):
    credit_note_id: str
    number: str
    account_number: str
    department: str
    issued_on: date
    reason: str = Field(description="In words; an overpayment's names no internal id (source_payment_id does)")
    source_payment_id: str | None = Field(description="The payment whose overpayment this holds, if any")
    amount: MoneyOut
    remaining: MoneyOut
    applications: list[CreditNoteApplicationOut]

    @classmethod
    def of(cls, cn: m.CreditNote) -> CreditNoteOut:
        cur = cn.currency
        return cls(
            credit_note_id=cn.credit_note_id,
            number=cn.number,
            account_number=cn.account_number,
            department=cn.department,
            issued_on=cn.issued_on,
            reason=reason_in_words(cn.reason),
            source_payment_id=held_from_payment(cn.reason),
            amount=MoneyOut.of(cn.amount, cur),
            remaining=MoneyOut.of(cn.remaining, cur),
            applications=[
                CreditNoteApplicationOut(
                    invoice_id=a.invoice_id,
                    invoice_number=a.invoice_number,
                    amount=MoneyOut.of(a.amount, cur),
                    applied_at=a.applied_at,
                )
                for a in cn.applications
            ],
        )


class InstalmentOut(Out):
    number: int
    due_date: date
    amount: MoneyOut
    status: str
    payment_id: str | None


class ScheduleOut(Out):
    schedule_id: str
    kind: str = Field(description="autopay or plan")
    account_number: str
    payment_method_id: str | None
    days_before_due: int | None = Field(description="autopay: how many days before the due date it pays")
    frequency: str | None = Field(description="plan: how often an instalment falls due")
    invoice_ids: list[str]
    total: MoneyOut | None = Field(description="plan: the sum of its instalments")
    instalments: list[InstalmentOut]
    active: bool
    created_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, s: m.Schedule) -> ScheduleOut:
        plan = s.kind is m.ScheduleKind.PLAN
        return cls(
            schedule_id=s.schedule_id,
            kind=s.kind.value,
            account_number=s.account_number,
            payment_method_id=s.payment_method_id,
            days_before_due=None if plan else s.days_before_due,
            frequency=s.frequency.value if s.frequency else None,
            invoice_ids=list(s.invoice_ids),
            total=MoneyOut.of(sum(i.amount for i in s.instalments), s.currency) if plan else None,
            instalments=[
                InstalmentOut(
                    number=n,
                    due_date=i.due_date,
                    amount=MoneyOut.of(i.amount, s.currency),
                    status=i.status.value,
                    payment_id=i.payment_id,
                )
                for n, i in enumerate(s.instalments, start=1)
            ],
            active=s.active,
            created_at=s.created_at,
            closed_at=s.closed_at,
        )


class NextDueOut(Out):
    due_date: date
    amount: MoneyOut
    invoice_ids: list[str]

    @classmethod
    def of(cls, n: NextDue | None, currency: str) -> NextDueOut | None:
        if n is None:
            return None
        return cls(due_date=n.due_date, amount=MoneyOut.of(n.amount, currency), invoice_ids=list(n.invoice_ids))


class DocumentOut(Out):
    document_id: str
    type: str
    title: str
    filename: str
    content_type: str
    size: int
    date: dt.date
    created_at: dt.datetime
    period_start: dt.date | None
    period_end: dt.date | None
    reference: str | None
    account_number: str | None
    read_at: dt.datetime | None  # notices: None until the customer first opens one

    @classmethod
    def of(cls, d: m.Document) -> DocumentOut:
        return cls(
            document_id=d.document_id,
            type=d.kind.value,
            title=d.title,
            filename=d.filename,
            content_type=d.content_type,
            size=d.size,
            date=d.document_date,
            created_at=d.created_at,
            period_start=d.period_start,
            period_end=d.period_end,
            reference=d.reference,
            account_number=d.account_number,
            read_at=d.read_at,
        )
