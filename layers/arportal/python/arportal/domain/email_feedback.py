"""What a recipient's mail server or mailbox said about our email (SES bounce and complaint events), and which of
it stops us writing to the address again.

A permanent bounce (the mailbox does not exist, the domain refuses us) and a complaint (the recipient marked us as
spam) suppress the address: writing again harms the agency's sender reputation and, for a complaint, the payer's
wish. A transient bounce (mailbox full, a server busy) and an undetermined one do not: SES has retried already, and
the next message may well arrive.

SES publishes the same event record through every destination: EventBridge puts it in ``detail``, SNS in each
record's ``Message``; older identity notifications name its kind ``notificationType`` instead of ``eventType``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from arportal.domain.errors import DependencyError

DETAIL_MAX = 240  # a remote server's diagnostic can be long; the staff note needs its first line only


class FeedbackKind(StrEnum):
    PERMANENT_BOUNCE = "permanent_bounce"
    TRANSIENT_BOUNCE = "transient_bounce"
    COMPLAINT = "complaint"


class UnreadableFeedbackError(ValueError):
    """The event is not an SES bounce or complaint record we can read (logged and dropped, never retried)."""


class RecipientSuppressedError(DependencyError):
    """Nothing was sent: every recipient is suppressed. Unlike other dependency failures, trying again will not
    help until the payer's address changes."""

    code = "email_suppressed"


@dataclass(frozen=True)
class EmailFeedback:
    kind: FeedbackKind
    addresses: tuple[str, ...]  # normalised (``normalise_address``)
    feedback_id: str  # SES's id of this bounce or complaint: a redelivered event carries the same
    at: datetime
    detail: str  # e.g. "Permanent/General: smtp; 550 5.1.1 user unknown", or "complaint: abuse"
    subject: str | None = None  # of the message that bounced, when SES kept its headers

    @property
    def suppresses(self) -> bool:
        return self.kind is not FeedbackKind.TRANSIENT_BOUNCE


@dataclass(frozen=True)
class Suppression:
    """An address we no longer write to, and why."""

    address: str
    kind: FeedbackKind
    detail: str
    at: datetime
    feedback_id: str

    def describe(self) -> str:
        why = "the recipient marked our email as spam" if self.kind is FeedbackKind.COMPLAINT else "it bounced"
        return f"{self.address} is suppressed since {self.at:%Y-%m-%d} because {why} ({self.detail})"


def normalise_address(address: str) -> str:
    """Mail servers treat the domain without case and, in practice, the local part too."""
    return address.strip().lower()


def feedback_from_event(event: Mapping[str, Any]) -> list[EmailFeedback]:
    """The bounces and complaints in one Lambda event: an EventBridge event from SES, or an SNS batch of them.
    Other SES events (send, delivery) give an empty list."""
    if "Records" in event:
        records = []
        for record in event["Records"]:
            try:
                records.append(json.loads(record["Sns"]["Message"]))
            except (KeyError, TypeError, ValueError) as exc:
                raise UnreadableFeedbackError(f"an SNS record without an SES message: {exc}") from exc
    elif isinstance(event.get("detail"), Mapping):
        records = [event["detail"]]
    else:
        raise UnreadableFeedbackError("neither an EventBridge event nor an SNS batch")
    return [f for f in (_feedback(r) for r in records) if f is not None]


def _feedback(record: Mapping[str, Any]) -> EmailFeedback | None:
    kind = str(record.get("eventType") or record.get("notificationType") or "")
    subject = _subject(record.get("mail"))
    if kind == "Bounce":
        bounce = _mapping(record.get("bounce"), "bounce")
        bounce_type = str(bounce.get("bounceType", "Undetermined"))
        recipients = _mapping_list(bounce.get("bouncedRecipients"), "bouncedRecipients")
        diagnostic = next((str(r["diagnosticCode"]) for r in recipients if r.get("diagnosticCode")), "")
        detail = f"{bounce_type}/{bounce.get('bounceSubType', 'General')}" + (f": {diagnostic}" if diagnostic else "")
        return EmailFeedback(
            kind=FeedbackKind.PERMANENT_BOUNCE if bounce_type == "Permanent" else FeedbackKind.TRANSIENT_BOUNCE,
            addresses=_addresses(recipients),
            feedback_id=_required(bounce, "feedbackId"),
            at=_timestamp(bounce),
            detail=detail[:DETAIL_MAX],
            subject=subject,
        )
    if kind == "Complaint":
        complaint = _mapping(record.get("complaint"), "complaint")
        feedback_type = complaint.get("complaintFeedbackType") or complaint.get("complaintSubType") or "not given"
        return EmailFeedback(
            kind=FeedbackKind.COMPLAINT,
            addresses=_addresses(_mapping_list(complaint.get("complainedRecipients"), "complainedRecipients")),
            feedback_id=_required(complaint, "feedbackId"),
            at=_timestamp(complaint),
            detail=f"complaint: {feedback_type}"[:DETAIL_MAX],
            subject=subject,
        )
    return None


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise UnreadableFeedbackError(f"no {name} object")
    return value


def _mapping_list(value: Any, name: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise UnreadableFeedbackError(f"{name} is not a list of recipients")
    return value


def _addresses(recipients: list[Mapping[str, Any]]) -> tuple[str, ...]:
    found = [normalise_address(str(r.get("emailAddress", ""))) for r in recipients]
    # Recipients may carry a display name: "Pat <pat@example.org>"
    return tuple(dict.fromkeys(a.rsplit("<", 1)[-1].rstrip(">") for a in found if "@" in a))


def _required(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not value:
        raise UnreadableFeedbackError(f"no {name}")
    return value


def _timestamp(record: Mapping[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(_required(record, "timestamp").replace("Z", "+00:00"))
    except ValueError as exc:
        raise UnreadableFeedbackError(f"timestamp is not ISO 8601: {exc}") from exc


def _subject(mail: Any) -> str | None:
    headers = mail.get("commonHeaders") if isinstance(mail, Mapping) else None
    subject = headers.get("subject") if isinstance(headers, Mapping) else None
    return str(subject) if subject else None
