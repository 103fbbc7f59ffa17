"""Bounces and complaints: the address is suppressed on the records of the customers it belongs to, staff see why on
each record (an audited note), and nothing is sent to it again until the customer's address changes.

Staff learn of it where they act on it, the customer's record, rather than by an email per bounce: a mailbox
that no longer exists is routine, and the agency's SES reputation metrics and the stack's alarms cover the rate.
An address no customer has (a guest's receipt address) is left to SES's own account-level suppression list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from arportal.domain.email_feedback import EmailFeedback, FeedbackKind, RecipientSuppressedError, Suppression
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent, Interaction, InteractionKind
from arportal.ports import Email, EmailSuppressionStore, Mailer, SuppressionLookup

logger = logging.getLogger("arportal.email_suppression")
ACTOR = "system:email"  # how the notes and their audit records name who wrote them

Outcome = Literal["suppressed", "already_suppressed", "not_suppressing", "unknown_address"]


@dataclass(frozen=True)
class FeedbackApplied:
    address: str
    kind: FeedbackKind
    outcome: Outcome
    customer_ids: tuple[str, ...] = ()


def apply_feedback(store: EmailSuppressionStore, feedback: EmailFeedback, *, now: datetime) -> list[FeedbackApplied]:
    """One bounce or complaint, for each of its recipients. Safe to run twice on the same event."""
    applied = []
    for address in feedback.addresses:
        if not feedback.suppresses:
            applied.append(FeedbackApplied(address, feedback.kind, "not_suppressing"))
            continue
        customers = store.customers_with_email(address)
        if not customers:
            applied.append(FeedbackApplied(address, feedback.kind, "unknown_address"))
            continue
        suppression = Suppression(address, feedback.kind, feedback.detail, feedback.at, feedback.feedback_id)
        notes = [_note(customer_id, suppression, feedback.subject, now=now) for customer_id in customers]
        written = store.suppress(suppression, notes)
        applied.append(
            FeedbackApplied(address, feedback.kind, "suppressed" if written else "already_suppressed", tuple(customers))
        )
    return applied


def _note(
    customer_id: str, suppression: Suppression, subject: str | None, *, now: datetime
) -> tuple[Interaction, AuditEvent]:
    what = (
        "marked our email as spam"
        if suppression.kind is FeedbackKind.COMPLAINT
        else "could not be delivered (permanent bounce)"
    )
    about = f' ("{subject[:120]}")' if subject else ""
    interaction = Interaction(
        interaction_id=new_id("int"),
        customer_id=customer_id,
        kind=InteractionKind.EMAIL,
        summary=(
            f"Email to {suppression.address}{about} {what}: {suppression.detail}. No more email is sent to this "
            "address; ask the customer for a working one and update their profile."
        ),
        at=now,
        staff_id=ACTOR,
    )
    audit = AuditEvent(
        event_id=new_id("aud"),
        entity_type="interaction",
        entity_id=interaction.interaction_id,
        action="email.suppressed",
        actor=ACTOR,
        at=now,
        after={
            "customer_id": customer_id,
            "address": suppression.address,
            "kind": suppression.kind.value,
            "feedback_id": suppression.feedback_id,
        },
        reason=suppression.detail,
    )
    return interaction, audit


class SuppressingMailer:
    """A ``Mailer`` that never writes to a suppressed address: it is dropped from the recipients, and when none
    is left nothing is sent and ``RecipientSuppressedError`` says why (the callers record it as not sent)."""

    def __init__(self, mailer: Mailer, suppressions: SuppressionLookup) -> None:
        self.mailer = mailer
        self.suppressions = suppressions

    def send(self, email: Email) -> str:
        kept: list[str] = []
        refused: list[Suppression] = []
        for address in email.to:
            found = self.suppressions.suppression(address)
            if found is None:
                kept.append(address)
            else:
                refused.append(found)
        for suppression in refused:
            logger.warning(
                "email not sent to a suppressed address",
                extra={"reason": suppression.kind.value, "since": suppression.at.isoformat(), "subject": email.subject},
            )
        if not kept:
            raise RecipientSuppressedError("; ".join(s.describe() for s in refused))
        return self.mailer.send(replace(email, to=tuple(kept)) if refused else email)
