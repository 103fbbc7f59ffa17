"""Response models of the customer portal API."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import Field

from arportal.api.record_schemas import NextDueOut
from arportal.api.schemas import AddressOut, InvoiceSummaryOut, MoneyOut, Out, PaymentSummaryOut, ProfileOut
from arportal.domain import models as m
from arportal.domain.dashboard import Dashboard, UnreadNotices

if TYPE_CHECKING:
    from arportal.services.portal_views import AccountBalance


class NoticeOut(Out):
    document_id: str
    title: str
    date: date
    created_at: datetime
    account_number: str | None


class UnreadNoticesOut(Out):
    count: int
    latest: list[NoticeOut]  # newest first; the rest are in GET /v1/portal/documents?type=notice

    @classmethod
    def of(cls, u: UnreadNotices) -> UnreadNoticesOut:
        return cls(
            count=u.count,
            latest=[
                NoticeOut(
                    document_id=d.document_id,
                    title=d.title,
                    date=d.document_date,
                    created_at=d.created_at,
                    account_number=d.account_number,
                )
                for d in u.latest
            ],
        )


class AccountSummaryOut(Out):
    account_number: str
    department: str
    description: str
    status: str
    owing: MoneyOut
    overdue: MoneyOut
    open_invoices: int
    next_due: NextDueOut | None
    unread_notices: UnreadNoticesOut


class UpcomingOut(Out):
    schedule_id: str
    kind: str
    due_date: date
    amount: MoneyOut


class DashboardOut(Out):
    as_of: date
    owing: MoneyOut
    overdue: MoneyOut
    credit: MoneyOut
    next_due: NextDueOut | None
    accounts: list[AccountSummaryOut]
    open_invoices: list[InvoiceSummaryOut]
    recent_payments: list[PaymentSummaryOut]
    upcoming_payments: list[UpcomingOut]
    unread_notices: UnreadNoticesOut

    @classmethod
    def of(cls, d: Dashboard, today: date) -> DashboardOut:
        cur = d.currency
        return cls(
            as_of=today,
            owing=MoneyOut.of(d.owing, cur),
            overdue=MoneyOut.of(d.overdue, cur),
            credit=MoneyOut.of(d.credit, cur),
            next_due=NextDueOut.of(d.next_due, cur),
            accounts=[
                AccountSummaryOut(
                    account_number=s.account.account_number,
                    department=s.account.department,
                    description=s.account.description,
                    status=s.account.status.value,
                    owing=MoneyOut.of(s.owing, cur),
                    overdue=MoneyOut.of(s.overdue, cur),
                    open_invoices=s.open_invoices,
                    next_due=NextDueOut.of(s.next_due, cur),
                    unread_notices=UnreadNoticesOut.of(s.notices),
                )
                for s in d.accounts
            ],
            open_invoices=[InvoiceSummaryOut.of(inv, today) for inv in d.open_invoices],
            recent_payments=[PaymentSummaryOut.of(p) for p in d.recent_payments],
            upcoming_payments=[
                UpcomingOut(
                    schedule_id=u.schedule_id, kind=u.kind, due_date=u.due_date, amount=MoneyOut.of(u.amount, cur)
                )
                for u in d.upcoming
            ],
            unread_notices=UnreadNoticesOut.of(d.notices),
        )


class AccountOut(Out):
    account_number: str
    department: str
    description: str
    status: str
    opened_on: date
    service_address: AddressOut | None
    balance: MoneyOut
    overdue: MoneyOut
    open_invoices: int
    credit: MoneyOut

    @classmethod
    def of(cls, row: AccountBalance, currency: str) -> AccountOut:
        a = row.account
        return cls(
            account_number=a.account_number,
            department=a.department,
            description=a.description,
            status=a.status.value,
            opened_on=a.opened_on,
            service_address=AddressOut.of(a.service_address) if a.service_address else None,
            balance=MoneyOut.of(row.balance, currency),
            overdue=MoneyOut.of(row.overdue, currency),
            open_invoices=row.open_invoices,
            credit=MoneyOut.of(row.credit, currency),
        )


class AccountListOut(Out):
    accounts: list[AccountOut]
    next_cursor: str | None


class LinkOut(Out):
    customer_id: str
    account_number: str
    already_linked: bool
    token_refresh_required: bool = Field(description="Refresh the sign-in's tokens to see the linked records")


class EmailChangeOut(Out):
    pending_email: str
    expires_at: datetime


class ProfileUpdateOut(Out):
    profile: ProfileOut
    email_change: EmailChangeOut | None = Field(description="Set when a confirmation code was sent")


class SupportRequestOut(Out):
    interaction_id: str
    kind: str
    at: datetime
    invoice_id: str | None
    payment_id: str | None

    @classmethod
    def of(cls, i: m.Interaction) -> SupportRequestOut:
        return cls(
            interaction_id=i.interaction_id,
            kind=i.kind.value,
            at=i.at,
            invoice_id=i.invoice_id,
            payment_id=i.payment_id,
        )
