"""The staff pool's people, as an administrator manages them: invite one (the pool emails a temporary password),
list them with their roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

# "invited": has not chosen a password yet (Cognito's FORCE_CHANGE_PASSWORD); "active": has.
StaffStatus = Literal["invited", "active"]


@dataclass(frozen=True)
class StaffMember:
    user_id: str  # Cognito's sub: the audit trail's staff_member:<user_id> (an email is not an entity id)
    email: str
    name: str
    groups: tuple[str, ...]  # the role groups they belong to (domain/permissions.Role values)
    status: StaffStatus
    enabled: bool
    created_at: datetime | None


class StaffDirectory(Protocol):
    def invite(self, email: str, name: str, group: str) -> StaffMember:
        """Create the login and email its temporary password, then put it in ``group``. ``ConflictError`` when the
        pool already has a login for ``email``."""
        ...

    def remove(self, email: str) -> None:
        """Delete a login just invited (an invitation that could not be recorded is undone)."""
        ...

    def members(self) -> list[StaffMember]:
        """Everyone in a role group, by email."""
        ...
