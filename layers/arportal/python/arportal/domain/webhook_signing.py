"""Standard Webhooks signatures (standardwebhooks.com, spec 1.0): the headers every delivery carries, and how a
receiver checks them.

What is signed is ``{webhook-id}.{webhook-timestamp}.{body}``: the event id (stable across retries, so a receiver can
drop repeats), the attempt's unix time in seconds (so a captured delivery cannot be replayed later) and the exact
bytes sent. ``webhook-signature`` is a space-separated list, so during a rotation both secrets sign and a receiver
holding either one accepts the delivery:

- ``v1,<base64 HMAC-SHA256>`` keyed with the endpoint's ``whsec_`` secret (base64 of 24 random bytes);
- ``v1a,<base64 Ed25519>`` with the agency's ``whsk_`` key, for endpoints that opted in; receivers check it with the
  published ``whpk_`` public key and hold no secret at all.

Pure: no I/O. ``cryptography`` is imported only where Ed25519 is used, so HMAC signing never needs it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SECRET_PREFIX = "whsec_"  # noqa: S105 - the spec's prefix, not a secret
SIGNING_KEY_PREFIX = "whsk_"
PUBLIC_KEY_PREFIX = "whpk_"
SECRET_BYTES = 24  # the spec's minimum (192 bits); it allows up to 64
ED25519_KEY_BYTES = 32
TOLERANCE_S = 300  # the reference libraries' window: five minutes either way

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"


class WebhookVerificationError(Exception):
    """A delivery that must not be trusted: a header missing, the timestamp outside the window, or no signature that
    matches. The message never contains a secret or a signature."""


def new_secret() -> str:
    """A new endpoint secret: ``whsec_`` + base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def new_signing_key() -> str:
    """A new Ed25519 private key: ``whsk_`` + base64 of its 32-byte seed."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    return SIGNING_KEY_PREFIX + base64.b64encode(seed).decode("ascii")


def public_key(signing_key: str) -> str:
    """The ``whpk_`` public key (base64 of the raw 32 bytes) of a ``whsk_`` signing key: what receivers are given."""
    raw = _private_key(signing_key).public_key().public_bytes_raw()
    return PUBLIC_KEY_PREFIX + base64.b64encode(raw).decode("ascii")


def signed_content(msg_id: str, timestamp: int, body: bytes) -> bytes:
    """The bytes every signature covers. The id and the timestamp may not contain a dot (the spec's rule: either could
    otherwise move bytes between the three parts and keep the signature valid)."""
    stamp = str(timestamp)
    if not msg_id or "." in msg_id or any(c.isspace() for c in msg_id):
        raise ValueError("a webhook id must be non-empty, without dots or spaces")
    if not stamp.isdigit():
        raise ValueError("a webhook timestamp is whole non-negative unix seconds")
    return f"{msg_id}.{stamp}.".encode() + body


def signed_headers(
    msg_id: str,
    timestamp: int,
    body: bytes,
    hmac_secrets: Sequence[str],
    ed25519_key: str | None = None,
) -> dict[str, str]:
    """The headers of one attempt: ``v1`` for each secret, in the order given (current first, then the previous one
    during a rotation's overlap), then ``v1a`` when ``ed25519_key`` is given."""
    if not hmac_secrets:
        raise ValueError("a delivery is always signed with at least the endpoint's current secret")
    content = signed_content(msg_id, timestamp, body)
    signatures = [f"v1,{_b64(_hmac(secret, content))}" for secret in hmac_secrets]
    if ed25519_key is not None:
        signatures.append(f"v1a,{_b64(_private_key(ed25519_key).sign(content))}")
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: " ".join(signatures),
        "content-type": "application/json",
    }


def verify(
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: int,
    hmac_secret: str | None = None,
    public_key: str | None = None,
    tolerance_s: int = TOLERANCE_S,
) -> None:
    """Accepts a delivery if its timestamp is within ``tolerance_s`` of ``now`` and any one ``v1`` signature matches
    ``hmac_secret`` or any one ``v1a`` signature matches ``public_key``; ``WebhookVerificationError`` otherwise.

    What the official libraries do for ``v1`` (which none of them does yet for ``v1a``): signatures of other versions
    are skipped, HMACs are compared in constant time."""
    if hmac_secret is None and public_key is None:
        raise ValueError("verifying needs the endpoint's secret, the agency's public key, or both")
    named = {name.lower(): value for name, value in headers.items()}
    msg_id, stamp, signature = (named.get(h, "") for h in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER))
    if not (msg_id and stamp and signature):
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    if not stamp.isdigit():
        raise WebhookVerificationError("webhook-timestamp is not unix seconds")
    if abs(now - int(stamp)) > tolerance_s:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance window")
    try:
        content = signed_content(msg_id, int(stamp), body)
    except ValueError as exc:
        raise WebhookVerificationError("webhook-id is malformed") from exc
    expected_hmac = _hmac(hmac_secret, content) if hmac_secret is not None else None
    verifier = _public_key(public_key) if public_key is not None else None
    for versioned in signature.split():
        version, _, encoded = versioned.partition(",")
        try:
            candidate = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if version == "v1" and expected_hmac is not None and hmac.compare_digest(candidate, expected_hmac):
            return
        if version == "v1a" and verifier is not None and _ed25519_valid(verifier, candidate, content):
            return
    raise WebhookVerificationError("no matching signature")


def _hmac(secret: str, content: bytes) -> bytes:
    return hmac.new(_decode(secret, SECRET_PREFIX), content, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _decode(value: str, prefix: str) -> bytes:
    """The bytes behind a prefixed key. The prefix is required: it keeps a key of one kind from being used as another
    (a ``whpk_`` public key as an HMAC secret would let anyone forge ``v1``)."""
    if not value.startswith(prefix):
        raise ValueError(f"expected a {prefix} key")
    try:
        raw = base64.b64decode(value[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"a {prefix} key is not base64") from exc
    if not raw:
        raise ValueError(f"a {prefix} key is empty")
    return raw


def _private_key(signing_key: str) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = _decode(signing_key, SIGNING_KEY_PREFIX)
    if len(seed) != ED25519_KEY_BYTES:
        raise ValueError("a whsk_ key is a 32-byte Ed25519 seed")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _public_key(key: str) -> Ed25519PublicKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    raw = _decode(key, PUBLIC_KEY_PREFIX)
    if len(raw) != ED25519_KEY_BYTES:
        raise ValueError("a whpk_ key is a raw 32-byte Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(raw)


def _ed25519_valid(verifier: Ed25519PublicKey, signature: bytes, content: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        verifier.verify(signature, content)
    except InvalidSignature:
        return False
    return True
