"""Inviting staff (``services/staff_members.py``) with an in-memory directory: the email is normalised, the role
checked, the invitation audited on the person's id, and a login whose record cannot be written is taken back."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

import pytest

from arportal.domain.errors import BusinessRuleError, ConflictError, DependencyError
from arportal.domain.models import AuditEvent
from arportal.domain.permissions import Role
from arportal.ports import StaffMember
from arportal.services import staff_members

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


class Directory:
    def __init__(self) -> None:
        self.logins: dict[str, StaffMember] = {}

    def invite(self, email: str, name: str, group: str) -> StaffMember:
        if email in self.logins:
            raise ConflictError(f"{email} already has a staff login")
        member = StaffMember(f"sub-{len(self.logins)}", email, name, (group,), "invited", True, NOW)
        self.logins[email] = member
        return member

    def remove(self, email: str) -> None:
        del self.logins[email]

    def members(self) -> list[StaffMember]:
        return sorted(self.logins.values(), key=lambda m: m.email)


class Audit:
    def __init__(self, *, fails: bool = False) -> None:
        self.events: list[AuditEvent] = []
        self.fails = fails

    def record(self, event: AuditEvent) -> None:
        if self.fails:
            raise DependencyError("the audit table is unavailable")
        self.events.append(event)


def _invite(directory: Directory, audit: Audit, email: str = " Pat@Agency.GOV ", group: str = "agent") -> StaffMember:
    return staff_members.invite(
        directory,
        audit,
        email=email,
        name=" Pat Example ",
        group=group,
        actor="staff:admin@agency.gov",
        now=NOW,  # type: ignore[arg-type]
    )


def test_an_invitation_is_made_in_lower_case_and_audited_on_the_person_s_id() -> None:
    directory, audit = Directory(), Audit()
    invited = _invite(directory, audit)
    assert invited.email == "pat@agency.gov" and invited.name == "Pat Example"
    [event] = audit.events
    assert (event.entity_type, event.entity_id, event.action) == (
        "staff_member",
        invited.user_id,
        "staff_member.invited",
    )
    assert event.after == {"email": "pat@agency.gov", "name": "Pat Example", "group": "agent"}
    assert staff_members.members(directory) == [invited]  # type: ignore[arg-type]


def test_the_same_email_twice_is_a_conflict_and_one_record() -> None:
    directory, audit = Directory(), Audit()
    _invite(directory, audit)
    with pytest.raises(ConflictError):
        _invite(directory, audit, email="pat@agency.gov", group="finance")
    assert len(audit.events) == 1


def test_an_unknown_role_invites_nobody() -> None:
    directory = Directory()
    with pytest.raises(BusinessRuleError):
        _invite(directory, Audit(), group="root")
    assert directory.logins == {}


def test_a_login_whose_record_fails_is_taken_back() -> None:
    directory = Directory()
    with pytest.raises(DependencyError):
        _invite(directory, Audit(fails=True))
    assert directory.logins == {}


def test_the_route_offers_exactly_the_domain_s_roles() -> None:
    from staff_api.routes.staff_members import RoleName

    assert set(typing.get_args(RoleName)) == {role.value for role in Role}
