"""Verifying Cognito tokens the way API Gateway's Cognito user pool authorizers do.

A token is accepted only if: it is three base64url parts; its header says RS256 with a key id found in the
issuing pool's JWKS; the RSA signature verifies; ``iss`` names one of our pools; and ``exp`` is in the future.
What else depends on the pool's kind. A person's pool (customer, staff): ``token_use`` is ``id`` (the people's
authorizer takes ID tokens) and ``aud`` is that pool's app client. The integrations pool (``machine``): ``token_use``
is ``access`` (client credentials give access tokens only; the authorizer with scopes takes only those, and does
not check the client). A route whose authorizer has scopes takes access tokens of any of its pools, a person's
included (``verify(token, access=True)``: the webhook routes take a staff member's). The keys are fetched once per
pool from the pool's ``/.well-known/jwks.json`` (on moto's server locally).
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class TokenError(Exception):
    """Why a token was refused (the message is safe to show)."""


PoolKind = Literal["user", "machine"]


@dataclass(frozen=True)
class Pool:
    pool_id: str
    client_id: str  # the app client a person's ID token must be for; "" for the machine pool
    issuer: str
    jwks_url: str
    kind: PoolKind = "user"
    name: str = ""  # "customer", "staff", "integrations"


def issuer_of(region: str, pool_id: str) -> str:
    """A Cognito pool's ``iss``, as moto (and AWS) writes it in every token of the pool."""
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def pools_for(endpoint_url: str, region: str, pools: dict[str, tuple[str, str]]) -> list[Pool]:
    """``{"customer": (pool_id, client_id), ...}`` -> the people's pools as moto serves them."""
    return [
        Pool(
            pool_id=pool_id,
            client_id=client_id,
            issuer=issuer_of(region, pool_id),
            jwks_url=f"{endpoint_url}/{pool_id}/.well-known/jwks.json",
            name=name,
        )
        for name, (pool_id, client_id) in pools.items()
    ]


def machine_pool_for(endpoint_url: str, region: str, pool_id: str) -> Pool:
    """The integrations pool: connected systems' access tokens (OAuth 2.0 client credentials)."""
    jwks = f"{endpoint_url}/{pool_id}/.well-known/jwks.json"
    return Pool(pool_id, "", issuer_of(region, pool_id), jwks, "machine", "integrations")


def _fetch_json(url: str) -> dict[str, Any]:
    # Once per pool per process (the keys are kept). Generous: on a loaded machine the in-process moto server can
    # take seconds to answer, and a timeout here fails a whole request that would otherwise succeed.
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own moto endpoint
        return json.loads(response.read())  # type: ignore[no-any-return]


def _b64decode(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise TokenError("malformed token") from exc


def _b64int(value: str) -> int:
    return int.from_bytes(_b64decode(value), "big")


class TokenVerifier:
    def __init__(
        self,
        pools: list[Pool],
        *,
        fetch: Callable[[str], dict[str, Any]] = _fetch_json,
        # Cognito stamps exp by AWS's (here: the machine's) clock, not the product's: compare with the same one.
        clock: Callable[[], float] = time.time,  # noqa: TID251 - token expiry is AWS's clock
    ) -> None:
        self._pools = {p.issuer: p for p in pools}
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, dict[str, rsa.RSAPublicKey]] = {}
        self._lock = threading.Lock()

    def verify(self, token: str, *, access: bool = False) -> dict[str, Any]:
        """The token's claims, or ``TokenError``. ``access``: only an access token, of any of our pools (an
        authorizer with scopes); otherwise what the issuing pool's kind of route takes."""
        parts = token.strip().split(".")
        if len(parts) != 3 or not all(parts):
            raise TokenError("malformed token")
        try:
            header = json.loads(_b64decode(parts[0]))
            claims = json.loads(_b64decode(parts[1]))
        except ValueError as exc:
            raise TokenError("malformed token") from exc
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise TokenError("malformed token")
        if header.get("alg") != "RS256":
            raise TokenError("unsupported token algorithm")
        pool = self._pools.get(str(claims.get("iss")))
        if pool is None:
            raise TokenError("token not issued by this agency's user pools")
        key = self._key(pool, str(header.get("kid")))
        try:
            key.verify(_b64decode(parts[2]), f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise TokenError("invalid token signature") from exc
        _check_use(pool, claims, access=access)
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or expires <= self._clock():
            raise TokenError("token expired")
        return claims

    def kind(self, claims: dict[str, Any]) -> PoolKind:
        """Whose pool issued verified ``claims``: a person's or a connected system's."""
        return self.pool_of(claims).kind

    def pool_of(self, claims: dict[str, Any]) -> Pool:
        """The pool that issued verified ``claims``."""
        return self._pools[str(claims.get("iss"))]

    def _key(self, pool: Pool, kid: str) -> rsa.RSAPublicKey:
        with self._lock:
            keys = self._keys.get(pool.pool_id)
            if keys is None:
                keys = {
                    str(jwk["kid"]): rsa.RSAPublicNumbers(_b64int(jwk["e"]), _b64int(jwk["n"])).public_key()
                    for jwk in self._fetch(pool.jwks_url).get("keys", [])
                    if jwk.get("kty") == "RSA"
                }
                self._keys[pool.pool_id] = keys
        if kid not in keys:
            raise TokenError("unknown signing key")
        return keys[kid]


def _check_use(pool: Pool, claims: dict[str, Any], *, access: bool) -> None:
    """``TokenError`` unless the token is the kind the route's authorizer takes from this pool."""
    if access:
        if claims.get("token_use") != "access":
            raise TokenError("an access token is required (not an ID token)")
    elif pool.kind == "machine":
        if claims.get("token_use") != "access":
            raise TokenError("a connected system's access token is required")
    elif claims.get("token_use") != "id":
        raise TokenError("an ID token is required")
    elif claims.get("aud") != pool.client_id:
        raise TokenError("token issued for another client")


def bearer_token(authorization: str | None) -> str | None:
    """``Bearer <token>`` or the bare token, as the authorizer's identity source accepts."""
    if not authorization:
        return None
    value = authorization.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value or None


def authorizer_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway (REST) passes them in ``requestContext.authorizer.claims``: every value a string,
    ``cognito:groups`` comma-separated, ``exp``/``iat`` rendered as dates like ``Sat Nov 22 06:49:21 UTC 2026``."""
    rendered: dict[str, str] = {}
    for name, value in claims.items():
        if isinstance(value, list):
            rendered[name] = ",".join(str(v) for v in value)
        elif name in {"exp", "iat"} and isinstance(value, int | float):
            rendered[name] = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(value))
        elif isinstance(value, bool):
            rendered[name] = "true" if value else "false"
        else:
            rendered[name] = str(value)
    return rendered
