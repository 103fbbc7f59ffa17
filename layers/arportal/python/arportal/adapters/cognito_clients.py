"""The connected systems' app clients, in the integrations user pool (Cognito).

CDK creates one app client per system of the deployment config (``integrationClients``); this adapter reads them
and rotates their secrets with Cognito's ``AddUserPoolClientSecret`` / ``ListUserPoolClientSecrets`` /
``DeleteUserPoolClientSecret`` (up to two active secrets per client). Nothing here stores a secret's value.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from arportal.adapters.aws import client
from arportal.domain.errors import ConflictError, DependencyError, NotFoundError
from arportal.ports.integrations import MAX_ACTIVE_SECRETS, ClientSecret, IntegrationClient, NewSecret

_PAGE = 60  # ListUserPoolClients' largest page


class CognitoIntegrationClients:
    def __init__(self, user_pool_id: str) -> None:
        self.user_pool_id = user_pool_id
        # An app client's name, looked up once per container: every request of a connected system needs it (its
        # audit actor), and a name changes only with the deployment config (a container lives hours at most).
        self._names: dict[str, str] = {}
        self._lock = threading.Lock()

    def list_clients(self) -> list[IntegrationClient]:
        ids: list[str] = []
        request: dict[str, Any] = {"UserPoolId": self.user_pool_id, "MaxResults": _PAGE}
        while True:
            with _translated("list the integration clients"):
                page = client("cognito-idp").list_user_pool_clients(**request)
            ids.extend(str(c["ClientId"]) for c in page.get("UserPoolClients", []))
            if not page.get("NextToken"):
                break
            request["NextToken"] = page["NextToken"]
        found = [self.client(client_id) for client_id in ids]
        return sorted(found, key=lambda c: (c.client_name, c.client_id))

    def client(self, client_id: str) -> IntegrationClient:
        described = self._describe(client_id)
        with _translated("list the client's secrets", not_found=f"no integration client {client_id}"):
            listed = client("cognito-idp").list_user_pool_client_secrets(
                UserPoolId=self.user_pool_id, ClientId=client_id
            )
        secrets = sorted(
            (
                ClientSecret(str(s["ClientSecretId"]), s["ClientSecretCreateDate"])
                for s in listed.get("ClientSecrets") or []
            ),
            key=lambda s: (s.created_at, s.secret_id),
        )
        return IntegrationClient(
            client_id=client_id,
            client_name=self._remember(client_id, described),
            scopes=tuple(sorted(described.get("AllowedOAuthScopes") or [])),
            secrets=tuple(secrets),
        )

    def add_secret(self, client_id: str) -> NewSecret:
        with _translated(
            "add a client secret",
            not_found=f"no integration client {client_id}",
            limit=f"the client already has {MAX_ACTIVE_SECRETS} active secrets: delete the older one first",
        ):
            added = client("cognito-idp").add_user_pool_client_secret(UserPoolId=self.user_pool_id, ClientId=client_id)[
                "ClientSecretDescriptor"
            ]
        return NewSecret(
            secret_id=str(added["ClientSecretId"]),
            value=str(added["ClientSecretValue"]),
            created_at=added["ClientSecretCreateDate"],
        )

    def delete_secret(self, client_id: str, secret_id: str) -> None:
        current = self.client(client_id)
        if secret_id not in {s.secret_id for s in current.secrets}:
            raise NotFoundError(f"client {client_id} has no secret {secret_id}")
        if len(current.secrets) == 1:
            raise _last_secret(client_id)
        with _translated("delete a client secret", not_found=f"client {client_id} has no secret {secret_id}"):
            client("cognito-idp").delete_user_pool_client_secret(
                UserPoolId=self.user_pool_id, ClientId=client_id, ClientSecretId=secret_id
            )

    def name_of(self, client_id: str) -> str | None:
        with self._lock:
            known = self._names.get(client_id)
        if known is not None:
            return known
        try:
            return self._remember(client_id, self._describe(client_id))
        except NotFoundError:
            return None

    def _describe(self, client_id: str) -> dict[str, Any]:
        with _translated("read the integration client", not_found=f"no integration client {client_id}"):
            described: dict[str, Any] = client("cognito-idp").describe_user_pool_client(
                UserPoolId=self.user_pool_id, ClientId=client_id
            )["UserPoolClient"]
        return described

    def _remember(self, client_id: str, described: dict[str, Any]) -> str:
        name = str(described.get("ClientName") or client_id)
        with self._lock:
            self._names[client_id] = name
        return name


def _last_secret(client_id: str) -> ConflictError:
    return ConflictError(
        f"client {client_id} has one secret left: add its replacement before deleting it",
        details={"active_secrets": 1},
    )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextmanager
def _translated(operation: str, *, not_found: str = "", limit: str = "") -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        code = _code(exc)
        # Cognito answers InvalidParameterException for a client id it could never have issued.
        if code in {"ResourceNotFoundException", "InvalidParameterException"} and not_found:
            raise NotFoundError(not_found) from exc
        if code == "LimitExceededException" and limit:
            raise ConflictError(limit, details={"active_secrets": MAX_ACTIVE_SECRETS}) from exc
        raise DependencyError(f"{operation}: Cognito error {code}", details={"code": code}) from exc
    except BotoCoreError as exc:
        raise DependencyError(f"{operation}: Cognito unreachable") from exc
