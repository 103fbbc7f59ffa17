"""Who is calling, as the API layer proves it from a verified token."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from arportal.domain.permissions import Permission, Role, can


class Audience(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"


@dataclass(frozen=True)
class Caller:
    subject: str
    audience: Audience
    email: str | None
    customer_id: str | None = None  # customers only: from the token, never from the request
    roles: frozenset[Role] = frozenset()

    def can(self, permission: Permission) -> bool:
        return self.audience is Audience.STAFF and can(self.roles, permission)

    @property
    def actor(self) -> str:
        """How audit records name this caller."""
        return f"{self.audience.value}:{self.email or self.subject}"
