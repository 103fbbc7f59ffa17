"""An administrator's work on the staff: invite a person into a role, list who has a login.

An invitation is Cognito's: it creates the login and emails a temporary password; the person's first sign-in then
chooses their own password and enrols an authenticator app (``web/shared/js/sign-in-form.js``). Inviting an email
that already has a login is a conflict, never a second invitation or a silent success.

The change happens in Cognito and the record in the audit table, two stores with no transaction between them: a
login whose audit record cannot be written is deleted again before the error is answered, so no one gets a login
that the audit trail does not show (the email already sent then names a login that no longer exists).
"""

from __future__ import annotations

from datetime import datetime

from arportal.domain.errors import BusinessRuleError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.domain.permissions import Role
from arportal.ports import AuditLog, StaffDirectory, StaffMember

ENTITY = "staff_member"


def members(directory: StaffDirectory) -> list[StaffMember]:
    return directory.members()


def invite(
    directory: StaffDirectory,
    audit: AuditLog,
    *,
    email: str,
    name: str,
    group: str,
    actor: str,
    now: datetime,
    request_id: str | None = None,
) -> StaffMember:
    """Invite ``email`` into the role ``group``; ``BusinessRuleError`` for an unknown role, ``ConflictError`` (from the
    directory) when the email already has a login."""
    if group not in Role._value2member_map_:
        raise BusinessRuleError(f"{group!r} is not a role: choose one of {', '.join(r.value for r in Role)}")
    email = email.strip().lower()
    invited = directory.invite(email, name.strip(), group)
    event = AuditEvent(
        event_id=new_id("aud"),
        entity_type=ENTITY,
        entity_id=invited.user_id,
        action="staff_member.invited",
        actor=actor,
        at=now,
        after={"email": email, "name": invited.name, "group": group},
        request_id=request_id,
    )
    try:
        audit.record(event)
    except Exception:
        directory.remove(email)  # no login without its record
        raise
    return invited
