"""Reading SES bounce and complaint events (EventBridge and SNS shapes), which of them suppress, and the mailer
that never writes to a suppressed address."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from arportal.domain.email_feedback import (
    FeedbackKind,
    RecipientSuppressedError,
    Suppression,
    UnreadableFeedbackError,
    feedback_from_event,
)
from arportal.ports import Email
from arportal.services.email_suppression import SuppressingMailer, apply_feedback

AT = "2026-03-02T10:00:00.000Z"


def _bounce(bounce_type: str, sub_type: str, *addresses: str, diagnostic: str | None = None) -> dict[str, Any]:
    recipients = [{"emailAddress": a, **({"diagnosticCode": diagnostic} if diagnostic else {})} for a in addresses]
    return {
        "eventType": "Bounce",
        "mail": {"commonHeaders": {"subject": "Your receipt"}, "tags": {"ses:configuration-set": ["cs"]}},
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": sub_type,
            "bouncedRecipients": recipients,
            "timestamp": AT,
            "feedbackId": "fb-1",
        },
    }


def _complaint(*addresses: str, feedback_type: str | None = "abuse") -> dict[str, Any]:
    complaint: dict[str, Any] = {
        "complainedRecipients": [{"emailAddress": a} for a in addresses],
        "timestamp": AT,
        "feedbackId": "fb-2",
    }
    if feedback_type:
        complaint["complaintFeedbackType"] = feedback_type
    return {"eventType": "Complaint", "mail": {}, "complaint": complaint}


def _eventbridge(detail: dict[str, Any]) -> dict[str, Any]:
    return {"source": "aws.ses", "detail-type": "Email Bounced", "detail": detail}


def test_a_permanent_bounce_from_eventbridge_suppresses_each_recipient_normalised() -> None:
    event = _eventbridge(
        _bounce("Permanent", "General", " Pat@Example.ORG ", "Lee <lee@example.org>", diagnostic="smtp; 550 5.1.1")
    )

    (feedback,) = feedback_from_event(event)

    assert feedback.kind is FeedbackKind.PERMANENT_BOUNCE and feedback.suppresses
    assert feedback.addresses == ("pat@example.org", "lee@example.org")
    assert feedback.detail == "Permanent/General: smtp; 550 5.1.1"
    assert feedback.feedback_id == "fb-1" and feedback.subject == "Your receipt"
    assert feedback.at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("bounce_type", "sub_type"), [("Transient", "MailboxFull"), ("Undetermined", "Undetermined")])
def test_transient_and_undetermined_bounces_do_not_suppress(bounce_type: str, sub_type: str) -> None:
    (feedback,) = feedback_from_event(_eventbridge(_bounce(bounce_type, sub_type, "pat@example.org")))

    assert feedback.kind is FeedbackKind.TRANSIENT_BOUNCE and not feedback.suppresses
    assert feedback.detail == f"{bounce_type}/{sub_type}"


def test_a_complaint_suppresses_and_names_its_feedback_type() -> None:
    (feedback,) = feedback_from_event(_eventbridge(_complaint("pat@example.org")))
    (unspecified,) = feedback_from_event(_eventbridge(_complaint("pat@example.org", feedback_type=None)))

    assert feedback.kind is FeedbackKind.COMPLAINT and feedback.suppresses
    assert feedback.detail == "complaint: abuse" and unspecified.detail == "complaint: not given"


def test_an_sns_batch_and_the_older_notification_type_are_read_too() -> None:
    older = {**_complaint("a@example.org"), "notificationType": "Complaint"}
    del older["eventType"]
    event = {
        "Records": [
            {"Sns": {"Message": json.dumps(_bounce("Permanent", "NoEmail", "b@example.org"))}},
            {"Sns": {"Message": json.dumps(older)}},
        ]
    }

    kinds = [(f.kind, f.addresses) for f in feedback_from_event(event)]

    assert kinds == [(FeedbackKind.PERMANENT_BOUNCE, ("b@example.org",)), (FeedbackKind.COMPLAINT, ("a@example.org",))]


def test_other_ses_events_are_not_feedback() -> None:
    assert feedback_from_event(_eventbridge({"eventType": "Delivery", "mail": {}})) == []


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({"source": "aws.ses"}, "neither"),
        ({"Records": [{"Sns": {"Message": "not json"}}]}, "SNS record"),
        (_eventbridge({"eventType": "Bounce"}), "no bounce object"),
        (
            _eventbridge({**_bounce("Permanent", "General", "a@example.org"), "bounce": {"bouncedRecipients": []}}),
            "no feedbackId",
        ),
        (
            _eventbridge({"eventType": "Complaint", "complaint": {"complainedRecipients": "a@example.org"}}),
            "not a list",
        ),
    ],
)
def test_an_unreadable_event_is_refused_with_the_reason(event: dict[str, Any], problem: str) -> None:
    with pytest.raises(UnreadableFeedbackError, match=problem):
        feedback_from_event(event)


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> str:
        self.sent.append(email)
        return "msg-1"


class _Suppressed:
    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    def suppression(self, address: str) -> Suppression | None:
        if address.lower() not in self.addresses:
            return None
        at = datetime(2026, 3, 1, tzinfo=UTC)
        return Suppression(address.lower(), FeedbackKind.COMPLAINT, "complaint: abuse", at, "fb")


def test_the_mailer_drops_suppressed_recipients_and_sends_to_the_others() -> None:
    inner = _Recorder()
    mailer = SuppressingMailer(inner, _Suppressed("gone@example.org"))

    assert mailer.send(Email(("Gone@example.org", "admin@example.org"), "Subject", "Text")) == "msg-1"

    (sent,) = inner.sent
    assert sent.to == ("admin@example.org",) and sent.subject == "Subject"


def test_the_mailer_sends_nothing_when_every_recipient_is_suppressed_and_says_why() -> None:
    inner = _Recorder()
    mailer = SuppressingMailer(inner, _Suppressed("gone@example.org"))

    with pytest.raises(RecipientSuppressedError, match=r"gone@example\.org is suppressed since 2026-03-01") as raised:
        mailer.send(Email(("gone@example.org",), "Subject", "Text"))

    assert inner.sent == [] and raised.value.code == "email_suppressed"
    assert "marked our email as spam" in raised.value.message


class _Store:
    """In memory: which customers have which address, and what was suppressed (once per address)."""

    def __init__(self, customers: dict[str, list[str]]) -> None:
        self.customers = customers
        self.suppressed: dict[str, tuple[Suppression, list[Any]]] = {}

    def suppression(self, address: str) -> Suppression | None:
        found = self.suppressed.get(address)
        return found[0] if found else None

    def customers_with_email(self, address: str) -> list[str]:
        return self.customers.get(address, [])

    def suppress(self, suppression: Suppression, notes: Any) -> bool:
        if suppression.address in self.suppressed:
            return False
        self.suppressed[suppression.address] = (suppression, list(notes))
        return True

    def customer_suppression(self, customer_id: str) -> Suppression | None:
        return None


def test_each_recipient_of_a_bounce_is_suppressed_on_every_customer_with_that_address() -> None:
    store = _Store({"pat@example.org": ["CUS-0001", "CUS-0002"], "lee@example.org": ["CUS-0003"]})
    (feedback,) = feedback_from_event(
        _eventbridge(_bounce("Permanent", "General", "pat@example.org", "lee@example.org", "who@example.org"))
    )
    now = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)

    applied = apply_feedback(store, feedback, now=now)

    assert [(a.address, a.outcome, a.customer_ids) for a in applied] == [
        ("pat@example.org", "suppressed", ("CUS-0001", "CUS-0002")),
        ("lee@example.org", "suppressed", ("CUS-0003",)),
        ("who@example.org", "unknown_address", ()),
    ]
    suppression, notes = store.suppressed["pat@example.org"]
    assert suppression.kind is FeedbackKind.PERMANENT_BOUNCE and suppression.feedback_id == "fb-1"
    assert [(i.customer_id, i.kind.value, i.staff_id, i.at) for i, _ in notes] == [
        ("CUS-0001", "email", "system:email", now),
        ("CUS-0002", "email", "system:email", now),
    ]
    interaction, audit = notes[0]
    assert '("Your receipt")' in interaction.summary and "ask the customer for a working one" in interaction.summary
    assert (audit.entity_type, audit.entity_id, audit.action) == (
        "interaction",
        interaction.interaction_id,
        "email.suppressed",
    )
    assert audit.after == {
        "customer_id": "CUS-0001",
        "address": "pat@example.org",
        "kind": "permanent_bounce",
        "feedback_id": "fb-1",
    }
    # the same event again: already suppressed, nothing written
    assert [a.outcome for a in apply_feedback(store, feedback, now=now)][:2] == ["already_suppressed"] * 2


def test_a_transient_bounce_asks_the_store_nothing() -> None:
    store = _Store({"pat@example.org": ["CUS-0001"]})
    (feedback,) = feedback_from_event(_eventbridge(_bounce("Transient", "MailboxFull", "pat@example.org")))

    (applied,) = apply_feedback(store, feedback, now=datetime(2026, 3, 2, tzinfo=UTC))

    assert applied.outcome == "not_suppressing" and store.suppressed == {}
