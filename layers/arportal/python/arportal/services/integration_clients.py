"""An administrator's work on the connected systems' app clients: list them, rotate a secret, retire the old one.

Rotation without downtime, as Cognito allows up to two active secrets per client: add a new secret (its value is
answered once), move the system over to it, then delete the old one. Both steps are audited on the client's own
chain (``integration_client:<client id>``): who, which client, which secret id; never a secret's value.

The change happens in Cognito and the record in the audit table, two stores with no transaction between them, so
each step is ordered to leave no unaudited change behind: a new secret whose audit record cannot be written is
deleted again before the error is answered; a secret is retired only once its record is written (should the
deletion then fail, the record stands for an attempt, and the retry writes another).
"""

from __future__ import annotations

from datetime import datetime

from arportal.domain.errors import ConflictError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.ports import AuditLog, IntegrationClients
from arportal.ports.integrations import MAX_ACTIVE_SECRETS, IntegrationClient, NewSecret

ENTITY = "integration_client"


def list_clients(clients: IntegrationClients) -> list[IntegrationClient]:
    return clients.list_clients()


def rotate_secret(
    clients: IntegrationClients,
    audit: AuditLog,
    client_id: str,
    *,
    actor: str,
    now: datetime,
    request_id: str | None = None,
) -> NewSecret:
    """Add a secret to ``client_id``; ``ConflictError`` when it already holds ``MAX_ACTIVE_SECRETS``."""
    current = clients.client(client_id)
    if len(current.secrets) >= MAX_ACTIVE_SECRETS:
        raise ConflictError(
            f"client {current.client_name} already has {MAX_ACTIVE_SECRETS} active secrets: delete the older one "
            "(once the system uses the newer) before adding another",
            details={"active_secrets": [s.secret_id for s in current.secrets]},
        )
    added = clients.add_secret(client_id)
    try:
        audit.record(
            _event(
                current, "integration_client.secret_added", added.secret_id, actor=actor, now=now, request_id=request_id
            )
        )
    except Exception:
        clients.delete_secret(client_id, added.secret_id)  # no secret without its record
        raise
    return added


def retire_secret(
    clients: IntegrationClients,
    audit: AuditLog,
    client_id: str,
    secret_id: str,
    *,
    actor: str,
    now: datetime,
    request_id: str | None = None,
) -> None:
    """Delete one of ``client_id``'s secrets: ``NotFoundError`` for an unknown one, ``ConflictError`` for the last."""
    current = clients.client(client_id)
    if secret_id not in {s.secret_id for s in current.secrets}:
        raise NotFoundError(f"client {current.client_name} has no secret {secret_id}")
    if len(current.secrets) == 1:
        raise ConflictError(
            f"{secret_id} is the last secret of client {current.client_name}: add its replacement first",
            details={"active_secrets": [secret_id]},
        )
    audit.record(
        _event(current, "integration_client.secret_deleted", secret_id, actor=actor, now=now, request_id=request_id)
    )
    clients.delete_secret(client_id, secret_id)


def _event(
    client: IntegrationClient, action: str, secret_id: str, *, actor: str, now: datetime, request_id: str | None
) -> AuditEvent:
    return AuditEvent(
        event_id=new_id("aud"),
        entity_type=ENTITY,
        entity_id=client.client_id,
        action=action,
        actor=actor,
        at=now,
        after={"client_name": client.client_name, "secret_id": secret_id},
        request_id=request_id,
    )
