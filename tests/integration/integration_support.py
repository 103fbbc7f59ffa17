"""Connected systems in the integration tests: the local demo client's credentials, and access tokens from the
local token endpoint (``POST /oauth2/token``, ``local/oauth.py``), asked for as a connected system would."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from local import moto_client_secrets
from local.apigw import Request, Response
from local.environment import LocalEnvironment
from local.gateway import Gateway
from local.resources import DEMO_CLIENT

TOKEN_PATH = "/oauth2/token"


def client_credentials(env: LocalEnvironment, name: str = DEMO_CLIENT) -> tuple[str, str]:
    """The client's id and its newest active secret."""
    resources = env.resources
    client_id = resources.integration_clients[name]
    secrets = moto_client_secrets.client_secrets(
        resources.integrations_pool_id, client_id, account=resources.account_id, region=resources.region
    )
    return client_id, secrets[-1]


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token_request(
    gateway: Gateway,
    form: dict[str, str],
    *,
    authorization: str | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> Response:
    headers = [("Content-Type", content_type), ("Host", "localhost")]
    if authorization is not None:
        headers.append(("Authorization", authorization))
    return gateway.dispatch(Request("POST", TOKEN_PATH, headers, urlencode(form).encode()))


def machine_token(env: LocalEnvironment, *, scope: str | None = None, name: str = DEMO_CLIENT) -> str:
    """An access token of the named client (the demo client has every scope), for ``scope`` or all its scopes."""
    client_id, secret = client_credentials(env, name)
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope is not None else {})}
    answer = token_request(Gateway(env), form, authorization=basic(client_id, secret))
    body: dict[str, Any] = answer.json()
    assert answer.status == 200, body
    return str(body["access_token"])
