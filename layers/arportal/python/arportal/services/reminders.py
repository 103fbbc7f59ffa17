"""The reminder and overdue-notice jobs: what is due (or late), who wants to hear, one email per customer per run.

Reads: the ByDueDate index for each day in the window (31 days ahead for reminders, ``OVERDUE_LOOKBACK_DAYS``
back for overdue notices), then batched reads by key (plan guards, schedules, profiles): no scans. Each notice
line is claimed in the notice log before the email goes out, so a rerun, or two runs at once, send it once; a
failed send gives its claims back and the next run tries again. The rules are in ``arportal.domain.reminders``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from arportal.domain.email_feedback import RecipientSuppressedError
from arportal.domain.errors import DependencyError
from arportal.domain.models import Customer, InstalmentStatus, Invoice
from arportal.domain.money import Money
from arportal.domain.plans import amount_due
from arportal.domain.reminders import (
    OVERDUE_LOOKBACK_DAYS,
    REMINDER_HORIZON_DAYS,
    Message,
    NoticeKind,
    NoticeLine,
    overdue_message,
    reminder_message,
    wants_overdue_notice,
    wants_reminder,
)
from arportal.ports import DueItemsReader, Email, InstalmentDue, Mailer, NoticeLog

logger = logging.getLogger("arportal.reminders")
KEEP_MARKERS_DAYS = 90  # well past any window a marker is consulted in


@dataclass
class NoticeReport:
    day: str
    kind: str
    emails: int = 0
    lines: int = 0
    already_sent: int = 0
    not_wanted: int = 0
    no_email: int = 0
    suppressed: int = 0  # the address bounced or complained (``services/email_suppression``)
    failed: int = 0

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Mailing:
    notices: NoticeLog
    mailer: Mailer
    agency: str
    portal: str | None = None


def _invoice_line(invoice: Invoice, autopay_on: date | None = None) -> NoticeLine:
    department = invoice.department.replace("_", " ")
    return NoticeLine(
        subject=invoice.invoice_id,
        label=f"Invoice {invoice.invoice_number} ({department})",
        due_date=invoice.due_date,
        amount=Money(invoice.balance, invoice.currency),
        autopay_on=autopay_on,
    )


def send_reminders(reader: DueItemsReader, mailing: Mailing, *, today: date, now: datetime) -> NoticeReport:
    report = NoticeReport(today.isoformat(), NoticeKind.REMINDER.value)
    invoices: list[Invoice] = []
    instalments: list[InstalmentDue] = []
    for lead in range(REMINDER_HORIZON_DAYS + 1):
        due = reader.due_on(today + timedelta(days=lead))
        invoices.extend(due.invoices)
        instalments.extend(due.instalments)
    covered = reader.plan_covered([(i.customer_id, i.invoice_id) for i in invoices])
    leads = {(e.customer_id, e.account_number): e.days_before_due for e in reader.autopay_enrolments()}
    lines: dict[str, list[NoticeLine]] = defaultdict(list)
    for invoice in invoices:
        if (invoice.customer_id, invoice.invoice_id) in covered:
            continue
        enrolled = leads.get((invoice.customer_id, invoice.account_number))
        autopay_on = max(today, invoice.due_date - timedelta(days=enrolled)) if enrolled is not None else None
        lines[invoice.customer_id].append(_invoice_line(invoice, autopay_on))
    for customer_id, line in _instalment_lines(reader, instalments):
        lines[customer_id].append(line)
    profiles = reader.profiles(sorted(lines))
    wanted = {
        cid: [line for line in found if wants_reminder(profiles[cid].preferences, line.due_date, today)]
        for cid, found in lines.items()
        if cid in profiles
    }
    report.not_wanted = sum(len(found) for found in lines.values()) - sum(len(w) for w in wanted.values())

    def render(customer: Customer, chosen: list[NoticeLine]) -> Message:
        return reminder_message(mailing.agency, customer.name, chosen, today=today, portal=mailing.portal)

    _deliver(mailing, report, NoticeKind.REMINDER, profiles=profiles, wanted=wanted, render=render, now=now)
    return report


def _instalment_lines(reader: DueItemsReader, due: list[InstalmentDue]) -> list[tuple[str, NoticeLine]]:
    schedules = reader.schedules_by_key([(i.customer_id, i.schedule_id) for i in due])
    live = {sid: s for sid, s in schedules.items() if s.active}
    balances = reader.invoices_by_key([(s.customer_id, inv) for s in live.values() for inv in s.invoice_ids])
    found = []
    for entry in due:
        schedule = live.get(entry.schedule_id)
        index = entry.number - 1
        if schedule is None or index >= len(schedule.instalments):
            continue
        if schedule.instalments[index].status is not InstalmentStatus.SCHEDULED:
            continue
        owed = sum(balances[i].balance for i in schedule.invoice_ids if i in balances)
        amount = amount_due(schedule.instalments, index, owed)
        if amount == 0:
            continue  # already covered by earlier payments
        line = NoticeLine(
            subject=f"{schedule.schedule_id}#{entry.number:02d}",
            label=f"Payment plan, instalment {entry.number} of {len(schedule.instalments)}",
            due_date=entry.due_date,
            amount=Money(amount, schedule.currency),
            autopay_on=entry.due_date if schedule.payment_method_id else None,
        )
        found.append((schedule.customer_id, line))
    return found


def send_overdue_notices(reader: DueItemsReader, mailing: Mailing, *, today: date, now: datetime) -> NoticeReport:
    report = NoticeReport(today.isoformat(), NoticeKind.OVERDUE.value)
    invoices = [
        invoice
        for back in range(1, OVERDUE_LOOKBACK_DAYS + 1)
        for invoice in reader.due_on(today - timedelta(days=back)).invoices
    ]
    covered = reader.plan_covered([(i.customer_id, i.invoice_id) for i in invoices])
    lines: dict[str, list[NoticeLine]] = defaultdict(list)
    for invoice in invoices:
        if (invoice.customer_id, invoice.invoice_id) not in covered:
            lines[invoice.customer_id].append(_invoice_line(invoice))
    profiles = reader.profiles(sorted(lines))
    wanted = {
        cid: [line for line in found if wants_overdue_notice(profiles[cid].preferences, line.due_date, today)]
        for cid, found in lines.items()
        if cid in profiles
    }
    report.not_wanted = sum(len(found) for found in lines.values()) - sum(len(w) for w in wanted.values())

    def render(customer: Customer, chosen: list[NoticeLine]) -> Message:
        return overdue_message(mailing.agency, customer.name, chosen, today=today, portal=mailing.portal)

    _deliver(mailing, report, NoticeKind.OVERDUE, profiles=profiles, wanted=wanted, render=render, now=now)
    return report


def _deliver(
    mailing: Mailing,
    report: NoticeReport,
    kind: NoticeKind,
    *,
    profiles: dict[str, Customer],
    wanted: dict[str, list[NoticeLine]],
    render: Callable[[Customer, list[NoticeLine]], Message],
    now: datetime,
) -> None:
    for customer_id, chosen in sorted(wanted.items()):
        customer = profiles[customer_id]
        if not chosen:
            continue
        if not customer.email:
            report.no_email += len(chosen)
            continue
        claimed = [
            line
            for line in chosen
            if mailing.notices.claim(
                customer_id,
                kind.value,
                line.subject,
                line.due_date,
                at=now,
                keep_until=line.due_date + timedelta(days=KEEP_MARKERS_DAYS),
            )
        ]
        report.already_sent += len(chosen) - len(claimed)
        if not claimed:
            continue
        message = render(customer, claimed)
        try:
            mailing.mailer.send(Email(to=(customer.email,), subject=message.subject, text=message.text))
        except RecipientSuppressedError:
            # Kept as sent: the address bounced or complained, and another try tomorrow would not reach it either.
            logger.warning("%s email not sent: address suppressed", kind.value, extra={"customer_id": customer_id})
            report.suppressed += 1
            continue
        except DependencyError:
            logger.exception("a %s email could not be sent", kind.value, extra={"customer_id": customer_id})
            for line in claimed:
                mailing.notices.release(customer_id, kind.value, line.subject, line.due_date)
            report.failed += 1
            continue
        report.emails += 1
        report.lines += len(claimed)
