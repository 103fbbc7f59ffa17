"""The integrations pool's token endpoint, locally: ``POST /oauth2/token`` with OAuth 2.0 client credentials, as
Cognito's domain serves it in AWS (``infrastructure/constructs/identity.py``).

A connected system sends ``grant_type=client_credentials`` (and optionally ``scope``, space separated, a subset of
its app client's scopes) as ``application/x-www-form-urlencoded``, authenticated by HTTP Basic with its client id
and secret, or with ``client_id`` and ``client_secret`` in the body (Cognito takes both). Any of the client's
active secrets is accepted (two during a rotation). The answer is ``{access_token, token_type, expires_in}``; a
refusal is RFC 6749 section 5.2's: ``{"error": ...}``, 401 ``invalid_client`` (with ``WWW-Authenticate``), else 400.

The token is what Cognito issues for client credentials: an RS256 JWT signed with the key moto signs its Cognito
tokens with, so ``local/auth.TokenVerifier`` checks it against the pool's JWKS as it checks people's tokens. Its
times are real time, as Cognito's are (moving the product's clock never expires a token).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from local import moto_client_secrets
from local.apigw import Request, Response
from local.auth import issuer_of

TOKEN_LIFETIME_S = 3600
GRANT = "client_credentials"
# Grants Cognito's token endpoint knows: asked for here, their code or refresh token can only be wrong.
OTHER_GRANTS = frozenset({"authorization_code", "refresh_token"})
_FORM = "application/x-www-form-urlencoded"


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def access_token_claims(
    *, client_id: str, scopes: list[str], issuer: str, now: int, jti: str, lifetime: int = TOKEN_LIFETIME_S
) -> dict[str, Any]:
    """The claims of a Cognito access token for client credentials (there is no user: ``sub`` is the client)."""
    return {
        "sub": client_id,
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": now,
        "iss": issuer,
        "exp": now + lifetime,
        "iat": now,
        "version": 2,
        "jti": jti,
        "client_id": client_id,
    }


class TokenEndpoint:
    def __init__(
        self,
        cognito: Any,
        *,
        pool_id: str,
        account: str,
        region: str,
        # Cognito stamps tokens by AWS's clock (here: the machine's), not the product's.
        clock: Callable[[], float] = time.time,  # noqa: TID251 - token times are AWS's clock
    ) -> None:
        self.cognito = cognito
        self.pool_id, self.account, self.region = pool_id, account, region
        self.clock = clock

    # --- POST /oauth2/token -----------------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        try:
            body = self._issue(request)
        except OAuthError as exc:
            headers = [("WWW-Authenticate", 'Basic realm="integrations"')] if exc.status == 401 else []
            return _oauth_response(exc.status, {"error": exc.error, "error_description": exc.description}, headers)
        return _oauth_response(200, body)

    def _issue(self, request: Request) -> dict[str, Any]:
        form = _form(request)
        grant = form.get("grant_type")
        if grant is None:
            raise OAuthError("invalid_request", "grant_type is required")
        client_id, secret = _credentials(request, form)
        client = self._authenticate(client_id, secret)
        if grant in OTHER_GRANTS:
            raise OAuthError("invalid_grant", f"no valid {grant} grant was presented")
        if grant != GRANT:
            raise OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported; use {GRANT}")
        if GRANT not in (client.get("AllowedOAuthFlows") or []):
            raise OAuthError("unauthorized_client", "this client may not use the client_credentials grant")
        allowed = list(client.get("AllowedOAuthScopes") or [])
        asked = form["scope"].split() if form.get("scope") is not None else allowed
        if not asked or any(scope not in allowed for scope in asked):
            raise OAuthError("invalid_scope", "scope must name one or more of the client's scopes")
        now = int(self.clock())
        claims = access_token_claims(
            client_id=client_id,
            scopes=list(dict.fromkeys(asked)),
            issuer=issuer_of(self.region, self.pool_id),
            now=now,
            jti=str(uuid.uuid4()),
        )
        token = moto_client_secrets.sign_pool_token(self.pool_id, claims, account=self.account, region=self.region)
        return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_S}

    def _authenticate(self, client_id: str, secret: str) -> dict[str, Any]:
        client = self._client(client_id)
        active = moto_client_secrets.client_secrets(self.pool_id, client_id, account=self.account, region=self.region)
        # Every active secret is compared, so the time taken does not say which one matched.
        matches = [hmac.compare_digest(secret.encode(), value.encode()) for value in active]
        if client is None or not any(matches):
            raise OAuthError("invalid_client", "client authentication failed", 401)
        return client

    def _client(self, client_id: str) -> dict[str, Any] | None:
        try:
            described: dict[str, Any] = self.cognito.describe_user_pool_client(
                UserPoolId=self.pool_id, ClientId=client_id
            )["UserPoolClient"]
        except self.cognito.exceptions.ResourceNotFoundException:
            return None
        return described

    # --- GET /local/clients -----------------------------------------------------------------------------------

    def clients(self) -> list[dict[str, Any]]:
        """Every app client of the integrations pool with its scopes and secrets (local only: values included)."""
        listed = self.cognito.list_user_pool_clients(UserPoolId=self.pool_id, MaxResults=60)["UserPoolClients"]
        found = []
        for summary in listed:
            client = self._client(summary["ClientId"]) or {}
            secrets = moto_client_secrets.client_secrets(
                self.pool_id, summary["ClientId"], account=self.account, region=self.region
            )
            found.append(
                {
                    "client_id": summary["ClientId"],
                    "client_name": summary.get("ClientName"),
                    "scopes": sorted(client.get("AllowedOAuthScopes") or []),
                    "client_secret": secrets[-1] if secrets else None,  # the newest: what a new system should use
                    "client_secrets": secrets,
                }
            )
        return sorted(found, key=lambda c: str(c["client_name"]))


def _form(request: Request) -> dict[str, str]:
    media = (request.header("Content-Type") or "").split(";", 1)[0].strip().lower()
    if media != _FORM:
        raise OAuthError("invalid_request", f"send the parameters as {_FORM}")
    try:
        parsed = parse_qs(request.body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as exc:
        raise OAuthError("invalid_request", "the body is not UTF-8") from exc
    repeated = sorted(name for name, values in parsed.items() if len(values) > 1)
    if repeated:
        raise OAuthError("invalid_request", f"parameters sent more than once: {', '.join(repeated)}")
    return {name: values[0] for name, values in parsed.items()}


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """The client id and secret, from HTTP Basic or the body (one way only, as RFC 6749 section 2.3 says)."""
    authorization = request.header("Authorization")
    in_body = "client_secret" in form
    if authorization is not None:
        if in_body:
            raise OAuthError("invalid_request", "authenticate one way: HTTP Basic or client_secret, not both")
        scheme, _, encoded = authorization.strip().partition(" ")
        if scheme.lower() != "basic":
            raise OAuthError("invalid_client", "authenticate with HTTP Basic: the client id and secret", 401)
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError) as exc:
            raise OAuthError("invalid_client", "the Basic credentials are not base64 of id:secret", 401) from exc
        client_id, colon, secret = decoded.partition(":")
        if not colon:
            raise OAuthError("invalid_client", "the Basic credentials are not base64 of id:secret", 401)
        client_id, secret = unquote_plus(client_id), unquote_plus(secret)
        if form.get("client_id") not in (None, client_id):
            raise OAuthError("invalid_request", "client_id in the body is not the authenticated client")
        return client_id, secret
    if not in_body or not form.get("client_id"):
        raise OAuthError("invalid_client", "client authentication is required (HTTP Basic)", 401)
    return form["client_id"], form["client_secret"]


def _oauth_response(status: int, body: dict[str, Any], headers: list[tuple[str, str]] | None = None) -> Response:
    # RFC 6749 section 5.1: a token answer is never cached.
    fixed = [("Content-Type", "application/json;charset=UTF-8"), ("Cache-Control", "no-store"), ("Pragma", "no-cache")]
    return Response(status, fixed + list(headers or []), json.dumps(body).encode())
