"""Response models of the customer portal API."""

from __future__ import annotations

from datetime import date

from arportal.api.schemas import InvoiceSummaryOut, MoneyOut, Out, PaymentSummaryOut
from arportal.domain.dashboard import Dashboard, NextDue


class NextDueOut(Out):
    due_date: date
    amount: MoneyOut
    invoice_ids: list[str]

    @classmethod
    def of(cls, n: NextDue | None, currency: str) -> NextDueOut | None:
        if n is None:
            return None
        return cls(due_date=n.due_date, amount=MoneyOut.of(n.amount, currency), invoice_ids=list(n.invoice_ids))


class AccountSummaryOut(Out):
    account_number: str
    department: str
    description: str
    status: str
    owing: MoneyOut
    overdue: MoneyOut
    open_invoices: int
    next_due: NextDueOut | None


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
        )
