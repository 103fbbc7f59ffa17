"""Which notices a customer gets, and what they say: due-date reminders, overdue notices, failed-payment notices.

Rules:
- a due-date reminder goes out once the due date is within the customer's ``reminder_days_before`` (0-30 days,
  0 = on the day itself) and only if ``due_date_reminders`` is on. "Within" rather than "exactly N days before"
  means a missed daily run, or an invoice issued late, still gets its reminder;
- an overdue notice goes out from the day after the due date, while the balance is open, only if
  ``overdue_notices`` is on; a run looks back ``OVERDUE_LOOKBACK_DAYS`` so a missed run catches up;
- each is sent at most once per invoice (or plan instalment), kind and due date: the sender claims a marker
  before sending (``NoticeKey``), so reruns and overlapping runs never send twice;
- invoices a payment plan covers get no invoice reminders or overdue notices: the plan's instalments get the
  reminders instead, and a missed instalment is a failed-payment notice, not an overdue one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from arportal.domain.models import NotificationPreferences
from arportal.domain.money import Money

REMINDER_HORIZON_DAYS = 30  # the largest reminder_days_before a customer may choose
OVERDUE_LOOKBACK_DAYS = 7


class NoticeKind(StrEnum):
    REMINDER = "reminder"
    OVERDUE = "overdue"
    PAYMENT_FAILED = "payment_failed"


@dataclass(frozen=True)
class NoticeKey:
    """What "at most once" is counted by: one customer, one kind, one subject (invoice or instalment), one date."""

    customer_id: str
    kind: NoticeKind
    subject: str
    due_date: date


def wants_reminder(prefs: NotificationPreferences, due_date: date, today: date) -> bool:
    return prefs.due_date_reminders and 0 <= (due_date - today).days <= prefs.reminder_days_before


def wants_overdue_notice(prefs: NotificationPreferences, due_date: date, today: date) -> bool:
    return prefs.overdue_notices and 1 <= (today - due_date).days <= OVERDUE_LOOKBACK_DAYS


@dataclass(frozen=True)
class NoticeLine:
    """One thing a notice is about: an invoice or a plan instalment."""

    subject: str  # invoice id, or "<schedule_id>#<instalment number>"
    label: str  # what the customer recognises: "Invoice UT-2026-00012 (utilities)", "Payment plan, 2 of 6"
    due_date: date
    amount: Money
    autopay_on: date | None = None  # when autopay will pay it, if it will


@dataclass(frozen=True)
class Message:
    subject: str
    text: str


def _when(day: date, today: date) -> str:
    days = (day - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"on {day:%d %B %Y}"


def reminder_message(
    agency: str, name: str, lines: Sequence[NoticeLine], *, today: date, portal: str | None
) -> Message:
    rows = []
    for line in lines:
        row = f"- {line.label}: {line.amount.format()} due {_when(line.due_date, today)}"
        if line.autopay_on is not None:
            row += f" (autopay will pay it {_when(line.autopay_on, today)}; nothing to do)"
        rows.append(row)
    manual = any(line.autopay_on is None for line in lines)
    action = f"Pay in the customer portal{f' ({portal})' if portal else ''}" if manual else "No action is needed"
    text = (
        f"Dear {name},\n\nThis is a reminder from {agency} of what is coming due:\n\n"
        + "\n".join(rows)
        + f"\n\n{action}. If you have already paid, thank you: please ignore this reminder.\n\n"
        "You can change or turn off these reminders under your notification preferences.\n"
    )
    first = min(line.due_date for line in lines)
    return Message(f"{agency}: payment due {_when(first, today)}", text)


def overdue_message(agency: str, name: str, lines: Sequence[NoticeLine], *, today: date, portal: str | None) -> Message:
    rows = [f"- {line.label}: {line.amount.format()} was due on {line.due_date:%d %B %Y}" for line in lines]
    text = (
        f"Dear {name},\n\nOur records at {agency} show that the following is past due:\n\n"
        + "\n".join(rows)
        + f"\n\nPlease pay in the customer portal{f' ({portal})' if portal else ''}, or contact us if you need a "
        "payment plan. Late penalties may apply under the agency's rules. If you have paid in the last few days, "
        "thank you: please ignore this notice.\n\n"
        "You can turn off these notices under your notification preferences.\n"
    )
    return Message(f"{agency}: payment overdue", text)


@dataclass(frozen=True)
class FailedCharge:
    """A scheduled charge that will not be retried any more."""

    label: str
    amount: Money
    hard_decline: bool
    attempts: int
    reason: str | None  # the processor's message, as the customer may read it
    method: str | None  # "visa ending 4242"


def payment_failed_message(agency: str, name: str, failure: FailedCharge, *, portal: str | None) -> Message:
    where = f"the customer portal{f' ({portal})' if portal else ''}"
    if failure.hard_decline:
        what = (
            f"Your payment of {failure.amount.format()} for {failure.label}"
            f"{f' with your {failure.method}' if failure.method else ''} was declined"
            f"{f' ({failure.reason})' if failure.reason else ''}. We will not try that payment method again."
        )
        todo = (
            f"Please add or choose another payment method under Payment methods in {where} (your autopay or "
            "payment plan will use it from then on), or pay this amount now."
        )
    else:
        what = (
            f"We tried {failure.attempts} times to collect {failure.amount.format()} for {failure.label}"
            f"{f' from your {failure.method}' if failure.method else ''}, and the last attempt failed"
            f"{f' ({failure.reason})' if failure.reason else ''}. We will not try again for this payment."
        )
        todo = f"Please pay this amount in {where}, or check with your bank and update your payment method there."
    text = (
        f"Dear {name},\n\n{what}\n\nWhat to do: {todo}\n\n"
        f"Nothing was charged for this payment. If you think this is a mistake, reply to this email or contact "
        f"{agency}.\n"
    )
    return Message(f"{agency}: your scheduled payment did not go through", text)
