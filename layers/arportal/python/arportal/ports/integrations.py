"""The connected systems' app clients (the integrations user pool): who they are, and their secrets.

A client holds at most ``MAX_ACTIVE_SECRETS`` secrets at once, so a secret is rotated without downtime: add the
new one, move the system over, delete the old one. A secret's value is seen once, when it is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

MAX_ACTIVE_SECRETS = 2  # Cognito's limit per app client


@dataclass(frozen=True)
class ClientSecret:
    secret_id: str
    created_at: datetime


@dataclass(frozen=True)
class IntegrationClient:
    client_id: str
    client_name: str
    scopes: tuple[str, ...]  # full names, as the client is allowed to ask for them (integrations/<scope>)
    secrets: tuple[ClientSecret, ...]  # oldest first; never the values


@dataclass(frozen=True)
class NewSecret:
    secret_id: str
    value: str  # shown once, to the administrator who asked for it; stored nowhere of ours
    created_at: datetime


class IntegrationClients(Protocol):
    def list_clients(self) -> list[IntegrationClient]: ...

    def client(self, client_id: str) -> IntegrationClient:
        """``NotFoundError`` when the pool has no such client."""
        ...

    def add_secret(self, client_id: str) -> NewSecret:
        """``ConflictError`` when the client already holds ``MAX_ACTIVE_SECRETS``."""
        ...

    def delete_secret(self, client_id: str, secret_id: str) -> None:
        """``NotFoundError`` for an unknown secret; ``ConflictError`` for the client's last one."""
        ...

    def name_of(self, client_id: str) -> str | None:
        """The app client's name, or None when there is no such client."""
        ...
