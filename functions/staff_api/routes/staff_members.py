"""Staff routes (admin): the people with a staff login, and inviting one.

``POST /v1/staff/staff-members`` (``staff.invite``) creates the login in the staff pool, which emails a temporary
password (Cognito's invitation); the person's first sign-in chooses a password and enrols an authenticator app.
An email that already has a login is a 409 (``conflict``), so sending the same invitation twice invites once. No
Idempotency-Key: the email is the key. Each invitation is audited on ``staff_member:<user_id>`` (Cognito's sub).
``GET /v1/staff/staff-members`` (``admin.users``) lists everyone in a role.
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Literal, cast

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import Field

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.errors import SECURITY_HEADERS
from arportal.api.identity import require_staff
from arportal.api.schemas import In, Out
from arportal.domain.permissions import Permission
from arportal.ports import StaffMember
from arportal.services import staff_members
from arportal.wiring import integrations, staff

router = new_router()
RoleName = Literal["agent", "supervisor", "finance", "admin"]  # domain/permissions.Role (a unit test keeps them equal)


class StaffInviteIn(In):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: str = Field(min_length=1, max_length=120, description="As the console shows who did what")
    group: RoleName = Field(description="The role: the staff pool's group of that name")


class StaffMemberOut(Out):
    user_id: str = Field(description="Cognito's sub: the audit trail names the person staff_member:<user_id>")
    email: str
    name: str
    groups: list[str]
    status: Literal["invited", "active"] = Field(description="invited: has not chosen a password yet")
    enabled: bool
    created_at: datetime | None

    @classmethod
    def of(cls, member: StaffMember) -> StaffMemberOut:
        return cls(
            user_id=member.user_id,
            email=member.email,
            name=member.name,
            groups=list(member.groups),
            status=member.status,
            enabled=member.enabled,
            created_at=member.created_at,
        )


class StaffMembersOut(Out):
    staff_members: list[StaffMemberOut]


@router.get("/v1/staff/staff-members", tags=["staff"], summary="Everyone with a staff login in a role, by email")
def list_staff_members() -> StaffMembersOut:
    require_staff(current_caller(router), Permission.ADMIN_USERS)
    found = staff_members.members(staff.staff_directory())
    return StaffMembersOut(staff_members=[StaffMemberOut.of(m) for m in found])


@router.post(
    "/v1/staff/staff-members",
    tags=["staff"],
    summary="Invite a person to the staff console in a role: the staff pool emails a temporary password",
    responses={
        201: {"description": "Invited", "content": {"application/json": {"model": StaffMemberOut}}},
        409: {"description": "`conflict`: the email already has a staff login"},
    },
)
def invite_staff_member(invitation: Annotated[StaffInviteIn, Body()]) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.STAFF_INVITE)
    event = cast(APIGatewayProxyEvent, router.current_event)
    invited = staff_members.invite(
        staff.staff_directory(),
        integrations.audit_log(),
        email=invitation.email,
        name=invitation.name,
        group=invitation.group,
        actor=caller.actor,
        now=clock.now(),
        request_id=event.request_context.request_id,
    )
    return Response(
        status_code=HTTPStatus.CREATED,
        content_type=content_types.APPLICATION_JSON,
        body=StaffMemberOut.of(invited).model_dump_json(),
        headers=dict(SECURITY_HEADERS),
    )
