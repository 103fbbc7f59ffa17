"""Webhook signing secrets in Secrets Manager: the ``WebhookSecrets`` port.

One secret per endpoint, ``<prefix>endpoints/<endpoint_id>``, holding JSON::

    {"current": "whsec_...", "previous": "whsec_..." | null, "previous_expires_at": "<ISO 8601>" | null}

and one Ed25519 key for the agency, ``<prefix>signing-key`` (``whsk_...``), made the first time it is asked for,
with its public half beside it in ``<prefix>signing-key-public`` (``whpk_...``): the public route reads only that
one, so the internet-facing function never holds the private key.

Values are cached per container for at most ``cache_ttl_s`` (60 s): a dispatcher signing a burst of deliveries reads
each secret once, and a rotation made in another container reaches this one within a minute (the previous secret
keeps signing for the overlap, so a receiver never sees a gap). Nothing here logs, and no error message carries a
value.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from arportal import clock
from arportal.adapters.aws import client
from arportal.domain.errors import ConflictError, DependencyError, NotFoundError
from arportal.domain.webhook_signing import new_secret, new_signing_key, public_key
from arportal.ports.webhooks import SigningSecrets

CACHE_TTL_S = 60.0
# Deleting an endpoint by mistake can be undone for a week (RestoreSecret) without asking the receiver to install a
# new secret; seven days is Secrets Manager's shortest window, so a deleted endpoint's secret does not linger.
RECOVERY_WINDOW_DAYS = 7
SIGNING_KEY_NAME = "signing-key"
PUBLIC_KEY_NAME = "signing-key-public"


class SecretsManagerWebhookSecrets:
    def __init__(self, prefix: str, *, kms_key_id: str | None = None, cache_ttl_s: float = CACHE_TTL_S) -> None:
        self.prefix = prefix
        self.kms_key_id = kms_key_id
        self.cache_ttl_s = cache_ttl_s
        self._cache: dict[str, tuple[float, str]] = {}  # secret name -> (time.monotonic() when read, value)
        self._lock = threading.Lock()

    def create(self, endpoint_id: str) -> str:
        secret = new_secret()
        name = self._endpoint_name(endpoint_id)
        value = _dump(SigningSecrets(current=secret))
        try:
            with _translated("store the endpoint's signing secret"):
                client("secretsmanager").create_secret(
                    Name=name,
                    SecretString=value,
                    Description=f"Receivables Portal: signing secret of webhook endpoint {endpoint_id}",
                    **self._kms(),
                )
        except _AlreadyExists:
            raise ConflictError(f"webhook endpoint {endpoint_id} already has a signing secret") from None
        self._remember(name, value)
        return secret

    def rotate(self, endpoint_id: str, *, overlap_until: datetime) -> str:
        name = self._endpoint_name(endpoint_id)
        # Read fresh, not from the cache: rotating from a stale current would drop the secret receivers hold now.
        before = _load(self._read(name, endpoint_id))
        secret = new_secret()
        value = _dump(SigningSecrets(current=secret, previous=before.current, previous_expires_at=overlap_until))
        with _translated("rotate the endpoint's signing secret"):
            client("secretsmanager").put_secret_value(SecretId=name, SecretString=value)
        self._remember(name, value)
        return secret

    def secrets_of(self, endpoint_id: str) -> SigningSecrets:
        name = self._endpoint_name(endpoint_id)
        stored = _load(self._cached(name) or self._remember(name, self._read(name, endpoint_id)))
        if stored.previous_expires_at is not None and stored.previous_expires_at <= clock.now():
            return SigningSecrets(current=stored.current)
        return stored

    def delete(self, endpoint_id: str) -> None:
        name = self._endpoint_name(endpoint_id)
        try:
            with _translated("delete the endpoint's signing secret", not_found="already deleted"):
                client("secretsmanager").delete_secret(SecretId=name, RecoveryWindowInDays=RECOVERY_WINDOW_DAYS)
        except NotFoundError:
            pass  # already gone: deleting twice is deleting once
        finally:
            with self._lock:
                self._cache.pop(name, None)

    def ed25519_public_key(self) -> str | None:
        name = self.prefix + PUBLIC_KEY_NAME
        if (cached := self._cached(name)) is not None:
            return cached
        try:
            return self._remember(name, self._read(name, PUBLIC_KEY_NAME))
        except NotFoundError:
            return None  # no endpoint has opted into v1a yet: nothing signs with a key, nothing to publish

    def ed25519_private_key(self) -> str:
        name = self.prefix + SIGNING_KEY_NAME
        if (cached := self._cached(name)) is not None:
            return cached
        try:
            return self._published(self._remember(name, self._read(name, SIGNING_KEY_NAME)))
        except NotFoundError:
            pass
        key = new_signing_key()
        try:
            with _translated("store the webhook signing key"):
                client("secretsmanager").create_secret(
                    Name=name,
                    SecretString=key,
                    Description="Receivables Portal: Ed25519 key signing webhooks (v1a)",
                    **self._kms(),
                )
        except _AlreadyExists:
            # Another container made it between our read and our create: its key is the agency's key, ours is
            # dropped unused (two keys would leave receivers verifying against whichever was published first).
            return self._published(self._remember(name, self._read(name, SIGNING_KEY_NAME)))
        return self._published(self._remember(name, key))

    def _published(self, key: str) -> str:
        """``key``, once its public half is stored. Made with the key, and made again by the first reader of the key
        in each container should a crash have come between the two creates; the same value whoever writes it."""
        name = self.prefix + PUBLIC_KEY_NAME
        if self._cached(name) is None:
            try:
                with _translated("publish the webhook signing key"):
                    client("secretsmanager").create_secret(
                        Name=name,
                        SecretString=public_key(key),
                        Description="Receivables Portal: the public half of the webhook signing key (v1a)",
                        **self._kms(),
                    )
            except _AlreadyExists:
                pass
            self._remember(name, public_key(key))
        return key

    def _endpoint_name(self, endpoint_id: str) -> str:
        return f"{self.prefix}endpoints/{endpoint_id}"

    def _kms(self) -> dict[str, str]:
        return {"KmsKeyId": self.kms_key_id} if self.kms_key_id else {}

    def _read(self, name: str, what: str) -> str:
        with _translated("read a webhook signing secret", not_found=f"no webhook signing secret for {what}"):
            value = client("secretsmanager").get_secret_value(SecretId=name).get("SecretString")
        if not value:
            raise DependencyError("a webhook signing secret is empty")
        return str(value)

    def _cached(self, name: str) -> str | None:
        with self._lock:
            entry = self._cache.get(name)
        if entry is None or time.monotonic() - entry[0] >= self.cache_ttl_s:
            return None
        return entry[1]

    def _remember(self, name: str, value: str) -> str:
        with self._lock:
            self._cache[name] = (time.monotonic(), value)
        return value


# A secret scheduled for deletion answers InvalidRequestException to reads and to a second delete: it is gone too.
_GONE = frozenset({"ResourceNotFoundException", "InvalidRequestException"})


class _AlreadyExists(Exception):
    pass


def _dump(secrets: SigningSecrets) -> str:
    expires = secrets.previous_expires_at
    return json.dumps(
        {
            "current": secrets.current,
            "previous": secrets.previous,
            "previous_expires_at": expires.isoformat() if expires is not None else None,
        }
    )


def _load(value: str) -> SigningSecrets:
    try:
        stored: dict[str, Any] = json.loads(value)
        expires = stored.get("previous_expires_at")
        return SigningSecrets(
            current=str(stored["current"]),
            previous=str(stored["previous"]) if stored.get("previous") else None,
            previous_expires_at=datetime.fromisoformat(expires) if expires else None,
        )
    except (ValueError, KeyError, TypeError):
        raise DependencyError("a webhook signing secret is not in the expected form") from None


@contextmanager
def _translated(operation: str, *, not_found: str = "") -> Iterator[None]:
    """botocore's failures as domain errors. Only the error code is kept: a request's parameters (the secret) are
    never part of the message."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _GONE and not_found:
            raise NotFoundError(not_found) from None
        if code == "ResourceExistsException":
            raise _AlreadyExists(code) from None
        raise DependencyError(f"{operation}: Secrets Manager error {code}", details={"code": code}) from None
    except BotoCoreError:
        raise DependencyError(f"{operation}: Secrets Manager unreachable") from None
