"""moto patch 10 (see ``moto_patches``): Cognito client secrets, and one signing key for every user pool.

moto 5.2 keeps one secret per app client and has no ``AddUserPoolClientSecret``, ``ListUserPoolClientSecrets`` or
``DeleteUserPoolClientSecret`` (botocore has them). They are added to ``CognitoIdpResponse`` over a list of secrets
kept on moto's client object (the secret moto generated first), at most ``MAX_CLIENT_SECRETS`` active, never none,
ids ``<client id>--<epoch ms>`` as Cognito's are; moto's ``DescribeUserPoolClient`` answers the oldest active one.
``client_secrets`` and ``sign_pool_token`` are for the local token endpoint (``local/oauth.py``): which secrets a
client has, and a JWT signed with the key moto signs its Cognito tokens with (so one JWKS verifies user and machine
tokens alike).

Each ``CognitoIdpUserPool`` imports moto's one private key file again through ``joserfc.jwk.RSAKey.import_key`` (~75
ms of RSA arithmetic per pool); the pools share the imported key.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
from datetime import UTC
from typing import Any

from joserfc import jwk, jwt
from moto.cognitoidp import models as cognito_models
from moto.cognitoidp.exceptions import InvalidParameterException, ResourceNotFoundError
from moto.cognitoidp.models import CognitoIdpUserPoolClient, cognitoidp_backends
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow

MAX_CLIENT_SECRETS = 2  # Cognito's limit of active secrets per app client


def install() -> None:
    CognitoIdpResponse.add_user_pool_client_secret = _add_client_secret  # type: ignore[attr-defined]
    CognitoIdpResponse.list_user_pool_client_secrets = _list_client_secrets  # type: ignore[attr-defined]
    CognitoIdpResponse.delete_user_pool_client_secret = _delete_client_secret  # type: ignore[attr-defined]
    cognito_models.jwk = _OneSigningKey  # type: ignore[assignment,attr-defined]


# --- client secrets -------------------------------------------------------------------------------

_SECRETS_LOCK = threading.Lock()
_SECRET_ALPHABET = string.ascii_lowercase + string.digits


class _LimitExceeded(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("LimitExceededException", message)


def _secrets_of(client: CognitoIdpUserPoolClient) -> list[dict[str, Any]]:
    """The client's active secrets, oldest first (``{"id", "value", "created"}``); the first is moto's own."""
    found: list[dict[str, Any]] | None = client.__dict__.get("_arportal_secrets")
    if found is None:
        found = []
        if client.generate_secret:
            found.append(_new_secret(client, [], client.secret))
        client.__dict__["_arportal_secrets"] = found
    return found


def _new_secret(client: CognitoIdpUserPoolClient, existing: list[dict[str, Any]], value: str) -> dict[str, Any]:
    created = utcnow()
    millis = int(created.replace(tzinfo=UTC).timestamp() * 1000)  # moto's utcnow is naive UTC
    taken = {s["id"] for s in existing}
    while f"{client.id}--{millis}" in taken:
        millis += 1
    return {"id": f"{client.id}--{millis}", "value": value, "created": created}


def _described(response: CognitoIdpResponse) -> CognitoIdpUserPoolClient:
    return response.backend.describe_user_pool_client(
        response._get_param("UserPoolId"), response._get_param("ClientId")
    )


def _add_client_secret(self: CognitoIdpResponse) -> ActionResult:
    client = _described(self)
    given = self._get_param("ClientSecret")
    with _SECRETS_LOCK:
        active = _secrets_of(client)
        if len(active) >= MAX_CLIENT_SECRETS:
            raise _LimitExceeded(f"app client {client.id} already has {MAX_CLIENT_SECRETS} active client secrets")
        value = given or "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(51))
        added = _new_secret(client, active, value)
        active.append(added)
        client.generate_secret = True
        client.secret = active[0]["value"]
    descriptor: dict[str, Any] = {"ClientSecretId": added["id"], "ClientSecretCreateDate": added["created"]}
    if not given:  # as Cognito: the value is answered only when Cognito generated it
        descriptor["ClientSecretValue"] = value
    return ActionResult({"ClientSecretDescriptor": descriptor})


def _list_client_secrets(self: CognitoIdpResponse) -> ActionResult:
    client = _described(self)
    with _SECRETS_LOCK:
        listed = [{"ClientSecretId": s["id"], "ClientSecretCreateDate": s["created"]} for s in _secrets_of(client)]
    return ActionResult({"ClientSecrets": listed})


def _delete_client_secret(self: CognitoIdpResponse) -> EmptyResult:
    client = _described(self)
    secret_id = self._get_param("ClientSecretId")
    with _SECRETS_LOCK:
        active = _secrets_of(client)
        if secret_id not in {s["id"] for s in active}:
            raise ResourceNotFoundError(f"client secret {secret_id} does not exist")
        if len(active) == 1:
            raise InvalidParameterException("the last client secret of an app client cannot be deleted")
        active[:] = [s for s in active if s["id"] != secret_id]
        client.secret = active[0]["value"]
    return EmptyResult()


def client_secrets(pool_id: str, client_id: str, *, account: str, region: str) -> list[str]:
    """The values of an app client's active secrets (none for a client without a secret, or no such client)."""
    pool = cognitoidp_backends[account][region].user_pools.get(pool_id)
    client = pool.clients.get(client_id) if pool is not None else None
    if client is None:
        return []
    with _SECRETS_LOCK:
        return [s["value"] for s in _secrets_of(client)]


def sign_pool_token(pool_id: str, claims: dict[str, Any], *, account: str, region: str) -> str:
    """``claims`` as a JWT signed by the pool's key, the one moto signs its Cognito tokens with (its JWKS)."""
    key = cognitoidp_backends[account][region].user_pools[pool_id].json_web_key
    return str(jwt.encode({"kid": key.kid, "alg": "RS256"}, claims, key))


# --- one signing key ------------------------------------------------------------------------------


class _OneSigningKey:
    """What ``moto.cognitoidp.models`` calls ``jwk``: it only imports its key file, the same one for every pool."""

    class RSAKey:
        _imported: dict[str, Any] = {}

        @classmethod
        def import_key(cls, value: Any) -> Any:
            text = json.dumps(value, sort_keys=True)
            key = cls._imported.get(text)
            if key is None:
                key = cls._imported[text] = jwk.RSAKey.import_key(value)
            return key
