"""Who is calling, as the API layer proves it from a verified token.

Three kinds of caller: a customer and a staff member (a person signed in to the customer or the staff user pool)
and a connected system (an app client of the integrations pool, signed in with OAuth 2.0 client credentials).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from arportal.domain.models import Channel
from arportal.domain.permissions import Permission, Role, can


class Audience(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    MACHINE = "machine"  # a connected system: an access token of the integrations pool


@dataclass(frozen=True)
class Caller:
    subject: str  # a person's Cognito sub; a connected system's app client id
    audience: Audience
    email: str | None
    customer_id: str | None = None  # customers only: from the token, never from the request
    roles: frozenset[Role] = frozenset()
    client_name: str | None = None  # connected systems only: the app client's name
    scopes: frozenset[str] = frozenset()  # connected systems only: short names (domain/integration_scopes.py)

    def can(self, permission: Permission) -> bool:
        return self.audience is Audience.STAFF and can(self.roles, permission)

    def has_scope(self, scope: str) -> bool:
        return self.audience is Audience.MACHINE and scope in self.scopes

    @property
    def actor(self) -> str:
        """How audit records name this caller: ``system:<client name>`` for a connected system."""
        if self.audience is Audience.MACHINE:
            return f"system:{self.client_name or self.subject}"
        return f"{self.audience.value}:{self.email or self.subject}"

    @property
    def channel(self) -> Channel | None:
        """Where the caller's writes come from; staff say so per request (counter or phone)."""
        return {Audience.CUSTOMER: Channel.PORTAL, Audience.MACHINE: Channel.INTEGRATION}.get(self.audience)
