"""The staff pool's people: the agency's administrators, as its ``admin`` group lists them (the ``AgencyAdmins``
port), and the staff directory an administrator invites people into (the ``StaffDirectory`` port)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from arportal.adapters.aws import client
from arportal.domain.errors import ConflictError, DependencyError
from arportal.ports.staff_directory import StaffMember

ADMIN_GROUP = "admin"


class CognitoGroupEmails:
    def __init__(self, user_pool_id: str, group: str = ADMIN_GROUP) -> None:
        self.user_pool_id = user_pool_id
        self.group = group

    def emails(self) -> list[str]:
        """The email of every enabled member of the group (ListUsersInGroup, page by page)."""
        cognito = client("cognito-idp")
        request: dict[str, Any] = {"UserPoolId": self.user_pool_id, "GroupName": self.group, "Limit": 60}
        found: list[str] = []
        try:
            while True:
                response = cognito.list_users_in_group(**request)
                for user in response.get("Users", []):
                    attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                    if user.get("Enabled", True) and attributes.get("email"):
                        found.append(attributes["email"])
                if not response.get("NextToken"):
                    return sorted(set(found))
                request["NextToken"] = response["NextToken"]
        except Exception as exc:  # any botocore failure: nobody could be looked up
            raise DependencyError("the administrators could not be listed") from exc


class CognitoStaffDirectory:
    """Invitations are Cognito's own (AdminCreateUser with an emailed temporary password, then the first sign-in's
    new password and TOTP enrolment); members are read from the role groups (ListUsersInGroup: one call a page per
    group, so the list costs as many calls as there are roles, not one per person)."""

    def __init__(self, user_pool_id: str, groups: Iterable[str]) -> None:
        self.user_pool_id = user_pool_id
        self.groups = tuple(groups)

    def invite(self, email: str, name: str, group: str) -> StaffMember:
        cognito = client("cognito-idp")
        attributes = [
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},  # the invitation itself proves the address
            {"Name": "name", "Value": name},
        ]
        try:
            created = cognito.admin_create_user(
                UserPoolId=self.user_pool_id,
                Username=email,
                UserAttributes=attributes,
                DesiredDeliveryMediums=["EMAIL"],
            )["User"]
        except cognito.exceptions.UsernameExistsException as exc:
            raise ConflictError(
                f"{email} already has a staff login: they can sign in, or ask for a new password",
                details={"email": email},
            ) from exc
        except Exception as exc:
            raise DependencyError("the invitation could not be sent") from exc
        try:
            cognito.admin_add_user_to_group(UserPoolId=self.user_pool_id, Username=email, GroupName=group)
        except Exception as exc:
            self.remove(email)  # no login without its role
            raise DependencyError("the invitation could not be sent") from exc
        return _member(created, (group,))

    def remove(self, email: str) -> None:
        try:
            client("cognito-idp").admin_delete_user(UserPoolId=self.user_pool_id, Username=email)
        except Exception as exc:
            raise DependencyError(f"the login of {email} could not be removed") from exc

    def members(self) -> list[StaffMember]:
        found: dict[str, tuple[dict[str, Any], list[str]]] = {}
        try:
            for group in self.groups:
                for user in self._in_group(group):
                    found.setdefault(user["Username"], (user, []))[1].append(group)
        except Exception as exc:
            raise DependencyError("the staff could not be listed") from exc
        members = [_member(user, tuple(groups)) for user, groups in found.values()]
        return sorted(members, key=lambda m: m.email)

    def _in_group(self, group: str) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {"UserPoolId": self.user_pool_id, "GroupName": group, "Limit": 60}
        while True:
            response = client("cognito-idp").list_users_in_group(**request)
            yield from response.get("Users", [])
            if not response.get("NextToken"):
                return
            request["NextToken"] = response["NextToken"]


def _member(user: dict[str, Any], groups: tuple[str, ...]) -> StaffMember:
    attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
    return StaffMember(
        user_id=attributes.get("sub") or str(user.get("Username", "")),
        email=attributes.get("email", user.get("Username", "")),
        name=attributes.get("name")
        or " ".join(filter(None, (attributes.get("given_name"), attributes.get("family_name")))),
        groups=groups,
        status="invited" if user.get("UserStatus") == "FORCE_CHANGE_PASSWORD" else "active",
        enabled=bool(user.get("Enabled", True)),
        created_at=user.get("UserCreateDate"),
    )
