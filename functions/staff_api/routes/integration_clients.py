"""Staff routes (admin: ``integrations.manage``): the connected systems' app clients, and rotating their secrets.

Rotation without downtime: ``POST .../secrets`` adds a second secret and answers its value, once; the system
moves to it; ``DELETE .../secrets/{secretId}`` retires the old one. A client holds at most two secrets (409 for a
third) and never none (409 for the last). Each step is audited on ``integration_client:<clientId>``.

The POST takes no Idempotency-Key: replaying its answer would mean keeping the secret's value, and a repeated
request is bounded by the two-secret limit (the extra secret is deleted like any other).
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import Field

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.errors import SECURITY_HEADERS
from arportal.api.identity import require_staff
from arportal.api.schemas import Out
from arportal.domain import integration_scopes
from arportal.domain.permissions import Permission
from arportal.ports.integrations import IntegrationClient
from arportal.services import integration_clients
from arportal.wiring import integrations

router = new_router()
# Cognito's ids: app clients are letters and digits, a secret '<client id>--<epoch ms>'.
ClientIdPath = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_]+$")]
SecretIdPath = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


class ClientSecretOut(Out):
    secret_id: str
    created_at: datetime


class IntegrationClientOut(Out):
    client_id: str
    client_name: str
    scopes: list[str] = Field(description="Full names: integrations/invoices.write")
    scope_descriptions: dict[str, str] = Field(
        description="What each of scopes grants, in words (the console shows them); a scope that is not in the "
        "catalogue, which grants nothing, is described as such"
    )
    secrets: list[ClientSecretOut] = Field(description="Oldest first; never a secret's value")

    @classmethod
    def of(cls, client: IntegrationClient) -> IntegrationClientOut:
        return cls(
            client_id=client.client_id,
            client_name=client.client_name,
            scopes=list(client.scopes),
            scope_descriptions={scope: _described(scope) for scope in client.scopes},
            secrets=[ClientSecretOut(secret_id=s.secret_id, created_at=s.created_at) for s in client.secrets],
        )


def _described(scope: str) -> str:
    return integration_scopes.description_of(scope) or "Not in the scope catalogue: grants nothing"


class IntegrationClientsOut(Out):
    clients: list[IntegrationClientOut]


class NewClientSecretOut(Out):
    client_id: str
    secret_id: str
    client_secret: str = Field(description="The new secret's value: shown this once, kept nowhere of ours")
    created_at: datetime


@router.get(
    "/v1/staff/integrations/clients",
    tags=["staff"],
    summary="The connected systems' app clients: ids, names, scopes and their secrets' ids (never a value)",
)
def list_clients() -> IntegrationClientsOut:
    require_staff(current_caller(router), Permission.INTEGRATIONS_MANAGE)
    found = integration_clients.list_clients(integrations.clients())
    return IntegrationClientsOut(clients=[IntegrationClientOut.of(c) for c in found])


@router.post(
    "/v1/staff/integrations/clients/<clientId>/secrets",
    tags=["staff"],
    summary="Add a secret to a client (rotation, step 1): its value is answered once; 409 when it has two",
    responses={
        201: {"description": "Added", "content": {"application/json": {"model": NewClientSecretOut}}},
        409: {"description": "`conflict`: the client already has two active secrets; delete the older one first"},
    },
)
def add_secret(clientId: ClientIdPath) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.INTEGRATIONS_MANAGE)
    event = cast(APIGatewayProxyEvent, router.current_event)
    added = integration_clients.rotate_secret(
        integrations.clients(),
        integrations.audit_log(),
        clientId,
        actor=caller.actor,
        now=clock.now(),
        request_id=event.request_context.request_id,
    )
    body = NewClientSecretOut(
        client_id=clientId, secret_id=added.secret_id, client_secret=added.value, created_at=added.created_at
    )
    return Response(
        status_code=HTTPStatus.CREATED,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
        headers=dict(SECURITY_HEADERS),
    )


@router.delete(
    "/v1/staff/integrations/clients/<clientId>/secrets/<secretId>",
    tags=["staff"],
    summary="Delete a client's secret (rotation, step 2, once the system uses the new one); 409 for its last",
    responses={
        204: {"description": "Deleted"},
        409: {"description": "`conflict`: the client's last secret; add its replacement first"},
    },
)
def delete_secret(clientId: ClientIdPath, secretId: SecretIdPath) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.INTEGRATIONS_MANAGE)
    event = cast(APIGatewayProxyEvent, router.current_event)
    integration_clients.retire_secret(
        integrations.clients(),
        integrations.audit_log(),
        clientId,
        secretId,
        actor=caller.actor,
        now=clock.now(),
        request_id=event.request_context.request_id,
    )
    return Response(status_code=HTTPStatus.NO_CONTENT, body="", headers=dict(SECURITY_HEADERS))
