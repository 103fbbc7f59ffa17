"""Guest tokens: a compact HS256 JWT that lets a payer without an account reach ONE invoice for a short while.

Invariants kept here:
- a token is accepted only with a valid HMAC-SHA256 signature under the agency's key (compared in constant
  time), the exact header ``{"alg": "HS256", "typ": "JWT"}`` (no ``alg: none``, no algorithm switching), the
  guest audience, and an expiry in the future;
- a token names exactly one invoice (its id and number) and the customer record that owns it, so whatever
  accepts it can read nothing else.
Pure: the key is handed in; where it is kept (Secrets Manager) is the service's business.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

AUDIENCE = "arportal-guest"
LIFETIME = timedelta(minutes=15)
MIN_KEY_BYTES = 32  # HS256 wants a key at least as long as its output
_HEADER = {"alg": "HS256", "typ": "JWT"}
_MAX_TOKEN_CHARS = 2048


class InvalidGuestTokenError(ValueError):
    """The token is malformed, forged, for someone else or expired (which of these is never told)."""


@dataclass(frozen=True)
class GuestGrant:
    """What a verified guest token allows: paying and viewing this one invoice until ``expires_at``."""

    invoice_id: str
    invoice_number: str
    customer_id: str
    expires_at: datetime


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json(value: object) -> str:
    return _b64(json.dumps(value, separators=(",", ":"), sort_keys=True).encode())


def _signature(signing_input: str, key: bytes) -> bytes:
    return hmac.new(key, signing_input.encode(), hashlib.sha256).digest()


def _check_key(key: bytes) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the guest token key must be at least {MIN_KEY_BYTES} bytes")


def sign(
    invoice_id: str, invoice_number: str, customer_id: str, *, key: bytes, now: datetime
) -> tuple[str, GuestGrant]:
    """A token for one invoice, valid for ``LIFETIME`` from ``now`` (whole seconds, as JWTs count)."""
    _check_key(key)
    issued = int(now.timestamp())
    expires = issued + int(LIFETIME.total_seconds())
    claims = {
        "aud": AUDIENCE,
        "sub": invoice_id,
        "inv": invoice_number,
        "cus": customer_id,
        "iat": issued,
        "exp": expires,
    }
    signing_input = f"{_json(_HEADER)}.{_json(claims)}"
    token = f"{signing_input}.{_b64(_signature(signing_input, key))}"
    grant = GuestGrant(invoice_id, invoice_number, customer_id, datetime.fromtimestamp(expires, UTC))
    return token, grant


def verify(token: str, *, key: bytes, now: datetime) -> GuestGrant:
    """The grant a token carries; ``InvalidGuestTokenError`` for anything but a valid, live token of ours."""
    _check_key(key)
    if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS or token.count(".") != 2:
        raise InvalidGuestTokenError("malformed")
    header_part, claims_part, signature_part = token.split(".")
    try:
        signature = _unb64(signature_part)
    except (ValueError, binascii.Error) as exc:
        raise InvalidGuestTokenError("malformed") from exc
    if _b64(signature) != signature_part:  # one spelling per signature: no variants through unused base64 bits
        raise InvalidGuestTokenError("malformed")
    # The signature is checked before anything in the token is believed, so nothing unsigned is parsed further.
    if not hmac.compare_digest(signature, _signature(f"{header_part}.{claims_part}", key)):
        raise InvalidGuestTokenError("bad signature")
    try:
        header = json.loads(_unb64(header_part))
        claims = json.loads(_unb64(claims_part))
    except (ValueError, binascii.Error) as exc:
        raise InvalidGuestTokenError("malformed") from exc
    if header != _HEADER or not isinstance(claims, dict) or claims.get("aud") != AUDIENCE:
        raise InvalidGuestTokenError("not a guest token")
    fields = (claims.get("sub"), claims.get("inv"), claims.get("cus"))
    expires = claims.get("exp")
    if not all(isinstance(f, str) and f for f in fields) or isinstance(expires, bool) or not isinstance(expires, int):
        raise InvalidGuestTokenError("incomplete")
    expires_at = datetime.fromtimestamp(expires, UTC)
    if expires_at <= now:
        raise InvalidGuestTokenError("expired")
    invoice_id, invoice_number, customer_id = (str(f) for f in fields)
    return GuestGrant(invoice_id, invoice_number, customer_id, expires_at)
