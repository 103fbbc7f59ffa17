"""The agency's administrators, as the staff pool's ``admin`` group lists them: the ``AgencyAdmins`` port."""

from __future__ import annotations

from typing import Any

from arportal.adapters.aws import client
from arportal.domain.errors import DependencyError

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
