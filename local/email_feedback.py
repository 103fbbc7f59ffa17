"""SES bounces and complaints, locally: the event SES would put on the default bus for this stage's configuration
set, handed to the ``email_events`` function as EventBridge would (``POST /local/email-events``).

moto's SES delivers nothing and so never bounces; this is how a developer (or a test) sees the whole path: the
address suppressed on the customer's record, the note staff read, and the next email not sent.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from arportal import clock
from infrastructure import catalog
from local import invoke

if TYPE_CHECKING:
    from local.environment import LocalEnvironment

Kind = Literal["bounce", "soft_bounce", "complaint"]
KINDS: tuple[str, ...] = ("bounce", "soft_bounce", "complaint")
_DETAIL_TYPES = {"bounce": "Email Bounced", "soft_bounce": "Email Bounced", "complaint": "Email Complaint Received"}


def ses_event(
    address: str, kind: Kind, *, configuration_set: str, at: datetime, subject: str = "(simulated)"
) -> dict[str, Any]:
    """An EventBridge event as SES publishes it (source ``aws.ses``, the SES event record in ``detail``)."""
    stamp = at.isoformat().replace("+00:00", "Z")
    mail = {
        "timestamp": stamp,
        "messageId": uuid.uuid4().hex,
        "destination": [address],
        "tags": {"ses:configuration-set": [configuration_set]},
        "commonHeaders": {"subject": subject, "to": [address]},
    }
    if kind == "complaint":
        detail: dict[str, Any] = {
            "eventType": "Complaint",
            "mail": mail,
            "complaint": {
                "complainedRecipients": [{"emailAddress": address}],
                "timestamp": stamp,
                "feedbackId": uuid.uuid4().hex,
                "complaintFeedbackType": "abuse",
            },
        }
    else:
        permanent = kind == "bounce"
        detail = {
            "eventType": "Bounce",
            "mail": mail,
            "bounce": {
                "bounceType": "Permanent" if permanent else "Transient",
                "bounceSubType": "General" if permanent else "MailboxFull",
                "bouncedRecipients": [
                    {
                        "emailAddress": address,
                        "action": "failed",
                        "status": "5.1.1" if permanent else "4.2.2",
                        "diagnosticCode": "smtp; 550 5.1.1 user unknown"
                        if permanent
                        else "smtp; 452 4.2.2 mailbox full",
                    }
                ],
                "timestamp": stamp,
                "feedbackId": uuid.uuid4().hex,
            },
        }
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": _DETAIL_TYPES[kind],
        "source": "aws.ses",
        "time": stamp,
        "detail": detail,
    }


def deliver(env: LocalEnvironment, event: dict[str, Any]) -> Any:
    """Invoke ``email_events`` with ``event``, as the stage's EventBridge rule would."""
    spec = catalog.function("email_events")
    name = env.resources.function_name(spec.name)
    return invoke.invoke(name, spec.handler, env.function_env, event, arn=env.resources.functions.get(spec.name, ""))


def simulate(env: LocalEnvironment, address: str, kind: Kind) -> Any:
    event = ses_event(address, kind, configuration_set=env.resources.ses_configuration_set, at=clock.now())
    return deliver(env, event)
