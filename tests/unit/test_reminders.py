"""Due-date reminders and overdue notices: the rules, the messages, and the jobs with in-memory ports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from arportal.domain.models import Instalment, NotificationPreferences, Schedule, ScheduleKind
from arportal.domain.money import Money
from arportal.domain.reminders import (
    NoticeLine,
    reminder_message,
    wants_overdue_notice,
    wants_reminder,
)
from arportal.services.reminders import Mailing, send_overdue_notices, send_reminders
from tests import builders as b
from tests.fakes import InMemoryNotices, InMemorySchedules, RecordingMailer

TODAY = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("days_ahead", "before", "expected"),
    [(5, 5, True), (6, 5, False), (0, 0, True), (3, 5, True), (-1, 5, False), (30, 30, True)],
)
def test_a_reminder_is_due_within_the_customers_window(days_ahead: int, before: int, expected: bool):
    prefs = NotificationPreferences(reminder_days_before=before)
    assert wants_reminder(prefs, TODAY + timedelta(days=days_ahead), TODAY) is expected


def test_preferences_turn_notices_off():
    off = NotificationPreferences(due_date_reminders=False, overdue_notices=False)
    assert not wants_reminder(off, TODAY, TODAY)
    assert not wants_overdue_notice(off, TODAY - timedelta(days=1), TODAY)
    on = NotificationPreferences()
    assert wants_overdue_notice(on, TODAY - timedelta(days=1), TODAY)
    assert not wants_overdue_notice(on, TODAY, TODAY)  # due today is not late yet
    assert not wants_overdue_notice(on, TODAY - timedelta(days=30), TODAY)  # beyond the catch-up window


def test_a_reminder_says_what_is_due_when_and_whether_autopay_pays_it():
    lines = [
        NoticeLine("inv_1", "Invoice UT-1 (utilities)", TODAY + timedelta(days=1), Money(1_250, "USD")),
        NoticeLine("inv_2", "Invoice PT-2 (property tax)", TODAY + timedelta(days=5), Money(90_000, "USD"), TODAY),
    ]
    message = reminder_message("City of Springfield", "Pat", lines, today=TODAY, portal=None)
    assert message.subject == "City of Springfield: payment due tomorrow"
    assert "Invoice UT-1 (utilities): 12.50 USD due tomorrow" in message.text
    assert "autopay will pay it today; nothing to do" in message.text
    assert "Pay in the customer portal" in message.text


class World:
    def __init__(self, **prefs: object) -> None:
        self.customer = b.customer().model_copy(update={"preferences": NotificationPreferences(**prefs)})
        self.account = b.account(self.customer.customer_id)
        self.store = InMemorySchedules(customers=[self.customer])
        self.mailer = RecordingMailer()

    def invoice(self, days_from_today: int, amount: int = 4_200):
        invoice = b.invoice(
            self.customer.customer_id,
            self.account.account_number,
            amount=amount,
            due=TODAY + timedelta(days=days_from_today),
        )
        self.store.invoices[invoice.invoice_id] = invoice
        return invoice

    def mailing(self, mailer: RecordingMailer | None = None) -> Mailing:
        return Mailing(InMemoryNotices(self.store), mailer or self.mailer, "City of Springfield", None)


def test_one_email_per_customer_lists_what_is_due_and_a_rerun_sends_nothing():
    # Given two invoices inside a 5-day window and one outside it
    world = World(reminder_days_before=5)
    world.invoice(2)
    world.invoice(5)
    world.invoice(9)

    # When the reminder job runs twice
    first = send_reminders(world.store, world.mailing(), today=TODAY, now=NOW)
    second = send_reminders(world.store, world.mailing(), today=TODAY, now=NOW)

    # Then one email listed the two, and the rerun found both already sent
    assert (first.emails, first.lines, first.not_wanted) == (1, 2, 1)
    assert (second.emails, second.already_sent) == (0, 2)
    (email,) = world.mailer.sent
    assert email.to == (world.customer.email,) and email.text.count("42.00 USD") == 2


def test_customers_who_turned_reminders_off_get_none():
    world = World(due_date_reminders=False)
    world.invoice(1)
    report = send_reminders(world.store, world.mailing(), today=TODAY, now=NOW)
    assert report.emails == 0 and report.not_wanted == 1 and world.mailer.sent == []


def test_overdue_notices_are_sent_once_and_respect_the_preference():
    world = World()
    late = world.invoice(-1)
    world.invoice(0)  # due today: not late
    report = send_overdue_notices(world.store, world.mailing(), today=TODAY, now=NOW)
    assert (report.emails, report.lines) == (1, 1)
    assert late.invoice_number in world.mailer.sent[0].text and "past due" in world.mailer.sent[0].text
    assert send_overdue_notices(world.store, world.mailing(), today=TODAY, now=NOW).already_sent == 1

    quiet = World(overdue_notices=False)
    quiet.invoice(-2)
    assert send_overdue_notices(quiet.store, quiet.mailing(), today=TODAY, now=NOW).emails == 0


def test_a_failed_email_is_tried_again_by_the_next_run():
    world = World()
    world.invoice(-3)
    failed = send_overdue_notices(world.store, world.mailing(RecordingMailer(failing=True)), today=TODAY, now=NOW)
    assert failed.failed == 1 and failed.emails == 0
    retried = send_overdue_notices(world.store, world.mailing(), today=TODAY, now=NOW)
    assert retried.emails == 1


def test_invoices_in_a_plan_are_left_to_the_plans_instalment_reminders():
    # Given an invoice in a plan paid by hand, whose first instalment is due in two days
    world = World(reminder_days_before=5)
    planned = world.invoice(-3, amount=9_000)  # late, but the plan covers it
    schedule = Schedule(
        schedule_id="sch_REMINDED",
        customer_id=world.customer.customer_id,
        kind=ScheduleKind.PLAN,
        account_number=world.account.account_number,
        currency="USD",
        instalments=[Instalment(due_date=TODAY + timedelta(days=2 + 30 * k), amount=3_000) for k in range(3)],
        created_at=NOW,
        invoice_ids=[planned.invoice_id],
    )
    world.store.schedules[schedule.schedule_id] = schedule
    world.invoice(1, amount=1_500)  # and an ordinary invoice due tomorrow

    # When reminders and overdue notices run
    reminders = send_reminders(world.store, world.mailing(), today=TODAY, now=NOW)
    overdue = send_overdue_notices(world.store, world.mailing(), today=TODAY, now=NOW)

    # Then the reminder lists the instalment and the ordinary invoice, and the planned invoice is never "overdue"
    assert reminders.lines == 2 and overdue.emails == 0
    (email,) = world.mailer.sent
    assert "Payment plan, instalment 1 of 3: 30.00 USD" in email.text
    assert planned.invoice_number not in email.text
