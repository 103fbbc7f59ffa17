"""Response models of the staff console's customer views: the record (the "360") and its lists."""

from __future__ import annotations

from datetime import date, datetime

from arportal.api.record_schemas import CreditNoteOut, DocumentOut, NextDueOut, ScheduleOut
from arportal.api.schemas import AddressOut, InvoiceSummaryOut, MoneyOut, Out, ProfileOut
from arportal.domain import models as m
from arportal.domain.email_feedback import Suppression
from arportal.services.customer_record import CustomerRecord, CustomerSummary
from staff_api.schemas_common import BalancesOut, InteractionOut, StaffPaymentOut, next_link


class RecordAccountSummaryOut(Out):
    account_number: str
    department: str
    owing: MoneyOut
    overdue: MoneyOut
    open_invoices: int
    next_due: NextDueOut | None


class EmailSuppressionOut(Out):
    """The profile's email bounced or was reported as spam: nothing is sent to it (docs/email.md)."""

    address: str
    reason: str  # "permanent_bounce" | "complaint"
    detail: str
    since: datetime

    @classmethod
    def of(cls, s: Suppression | None) -> EmailSuppressionOut | None:
        return None if s is None else cls(address=s.address, reason=s.kind.value, detail=s.detail, since=s.at)


class RecordAccountOut(Out):
    account_number: str
    department: str
    description: str
    status: str
    opened_on: date
    service_address: AddressOut | None

    @classmethod
    def of(cls, a: m.Account) -> RecordAccountOut:
        return cls(
            account_number=a.account_number,
            department=a.department,
            description=a.description,
            status=a.status.value,
            opened_on=a.opened_on,
            service_address=AddressOut.of(a.service_address) if a.service_address else None,
        )


class PendingApprovalOut(Out):
    approval_id: str
    action: str
    amount: MoneyOut
    target_id: str
    requested_by: str
    reason: str
    created_at: datetime

    @classmethod
    def of(cls, a: m.Approval) -> PendingApprovalOut:
        return cls(
            approval_id=a.approval_id,
            action=a.action,
            amount=MoneyOut.of(a.amount, a.currency),
            target_id=a.target_id,
            requested_by=a.requested_by,
            reason=a.reason,
            created_at=a.created_at,
        )


class DepartmentOwingOut(Out):
    department: str
    owing: MoneyOut


class LinksOut(Out):
    """Where the record's lists go on (None: everything is shown already)."""

    more_payments: str | None
    more_invoices: str | None
    more_interactions: str | None
    balances: str


class CustomerSummaryOut(Out):
    """The record's first screen (``?parts=summary``): everything but the lists and the connected systems."""

    as_of: date
    profile: ProfileOut
    created_at: datetime
    portal_login_linked: bool
    accounts: list[RecordAccountOut]
    account_summaries: list[RecordAccountSummaryOut]
    owing: MoneyOut
    overdue: MoneyOut
    credit: MoneyOut
    next_due: NextDueOut | None
    open_by_department: list[DepartmentOwingOut]
    open_invoices: list[InvoiceSummaryOut]
    credit_notes: list[CreditNoteOut]
    schedules: list[ScheduleOut]
    email_suppression: EmailSuppressionOut | None

    @classmethod
    def of_summary(cls, r: CustomerSummary, today: date) -> CustomerSummaryOut:
        return cls(**_summary_fields(r, today))


def _summary_fields(r: CustomerSummary | CustomerRecord, today: date) -> dict[str, object]:
    cur = r.summary.currency
    return {
        "as_of": today,
        "profile": ProfileOut.of(r.customer),
        "created_at": r.customer.created_at,
        "portal_login_linked": r.customer.login_subject is not None,
        "accounts": [RecordAccountOut.of(a) for a in r.accounts],
        "account_summaries": [
            RecordAccountSummaryOut(
                account_number=s.account.account_number,
                department=s.account.department,
                owing=MoneyOut.of(s.owing, cur),
                overdue=MoneyOut.of(s.overdue, cur),
                open_invoices=s.open_invoices,
                next_due=NextDueOut.of(s.next_due, cur),
            )
            for s in r.summary.accounts
        ],
        "owing": MoneyOut.of(r.summary.owing, cur),
        "overdue": MoneyOut.of(r.summary.overdue, cur),
        "credit": MoneyOut.of(r.summary.credit, cur),
        "next_due": NextDueOut.of(r.summary.next_due, cur),
        "open_by_department": [
            DepartmentOwingOut(department=d, owing=MoneyOut.of(v, cur)) for d, v in r.open_by_department.items()
        ],
        "open_invoices": [InvoiceSummaryOut.of(i, today) for i in r.summary.open_invoices],
        "credit_notes": [CreditNoteOut.of(c) for c in r.credit_notes],
        "schedules": [ScheduleOut.of(s) for s in r.schedules],
        "email_suppression": EmailSuppressionOut.of(r.email_suppression),
    }


class CustomerRecordOut(CustomerSummaryOut):
    balances: BalancesOut
    recent_invoices: list[InvoiceSummaryOut]
    payments: list[StaffPaymentOut]
    documents: list[DocumentOut]
    interactions: list[InteractionOut]
    pending_approvals: list[PendingApprovalOut]
    links: LinksOut

    @classmethod
    def of(cls, r: CustomerRecord, today: date) -> CustomerRecordOut:
        base = f"/v1/staff/customers/{r.customer.customer_id}"
        return cls(
            **_summary_fields(r, today),
            balances=BalancesOut.of(r.customer.customer_id, r.balances),
            recent_invoices=[InvoiceSummaryOut.of(i, today) for i in r.recent_invoices.items],
            payments=[StaffPaymentOut.of(p) for p in r.payments.items],
            documents=[DocumentOut.of(d) for d in r.documents.items],
            interactions=[InteractionOut.of(i) for i in r.interactions.items],
            pending_approvals=[PendingApprovalOut.of(a) for a in r.pending_approvals],
            links=LinksOut(
                more_payments=next_link(f"{base}/payments", r.payments.next_key),
                more_invoices=next_link(f"{base}/invoices", r.recent_invoices.next_key),
                more_interactions=next_link(f"{base}/interactions", r.interactions.next_key),
                balances=f"{base}/balances",
            ),
        )


class PaymentsPageOut(Out):
    payments: list[StaffPaymentOut]
    next_cursor: str | None


class InvoicesPageOut(Out):
    invoices: list[InvoiceSummaryOut]
    next_cursor: str | None
