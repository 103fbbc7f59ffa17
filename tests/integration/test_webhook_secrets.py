"""Webhook signing secrets in Secrets Manager (the local runtime's moto): created once and shown once, rotated with an
overlap in which both secrets sign, the previous one dropped when the overlap ends, the agency's Ed25519 key made
exactly once even when two containers race for it, and no value ever logged.

The session's moto is shared, so every test works under a prefix of its own. (``moto.mock_aws`` is not used: starting
it resets every backend in the process, the local runtime's tables included.)
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from arportal import clock
from arportal.adapters import webhook_secrets
from arportal.adapters.aws import client
from arportal.adapters.webhook_secrets import SecretsManagerWebhookSecrets
from arportal.clock import FrozenClock
from arportal.domain.errors import NotFoundError
from arportal.domain.webhook_signing import public_key, signed_headers, verify
from arportal.domain.webhooks import ROTATION_OVERLAP
from arportal.ports.webhooks import SigningSecrets
from local.environment import LocalEnvironment


@pytest.fixture
def prefix(local_env: LocalEnvironment) -> str:
    return f"arportal/test-{uuid.uuid4().hex[:12]}/webhooks/"


@pytest.fixture
def frozen() -> Iterator[FrozenClock]:
    with clock.using(FrozenClock(clock.now())) as frozen:
        assert isinstance(frozen, FrozenClock)
        yield frozen


def _stored(name: str) -> dict[str, object]:
    value: dict[str, object] = json.loads(client("secretsmanager").get_secret_value(SecretId=name)["SecretString"])
    return value


class TestEndpointSecrets:
    def test_created_in_its_own_secret_under_the_kms_key(self, prefix: str) -> None:
        kms_key = client("kms").create_key()["KeyMetadata"]["KeyId"]
        secrets = SecretsManagerWebhookSecrets(prefix, kms_key_id=kms_key)
        secret = secrets.create("whe_1")
        assert secret.startswith("whsec_")
        name = f"{prefix}endpoints/whe_1"
        assert _stored(name) == {"current": secret, "previous": None, "previous_expires_at": None}
        assert client("secretsmanager").describe_secret(SecretId=name)["KmsKeyId"] == kms_key
        assert secrets.secrets_of("whe_1") == SigningSecrets(current=secret)
        assert SecretsManagerWebhookSecrets(prefix).secrets_of("whe_1").current == secret  # another container
        assert secrets.create("whe_2") != secret

    def test_a_rotation_signs_with_both_until_the_overlap_ends(self, prefix: str, frozen: FrozenClock) -> None:
        secrets = SecretsManagerWebhookSecrets(prefix)
        old = secrets.create("whe_1")
        until = clock.now() + ROTATION_OVERLAP
        new = secrets.rotate("whe_1", overlap_until=until)
        assert new.startswith("whsec_") and new != old
        assert secrets.secrets_of("whe_1") == SigningSecrets(current=new, previous=old, previous_expires_at=until)
        stored = _stored(f"{prefix}endpoints/whe_1")
        assert stored["previous_expires_at"] == until.isoformat()

        # Another container, which never cached anything, sees the same; a delivery signed with both verifies
        # with either.
        other = SecretsManagerWebhookSecrets(prefix)
        both = other.secrets_of("whe_1")
        assert both.previous == old
        headers = signed_headers("evt_1", 1_700_000_000, b"{}", [both.current, both.previous])
        for secret in (old, new):
            verify(headers, b"{}", now=1_700_000_000, hmac_secret=secret)

        frozen.advance(ROTATION_OVERLAP - timedelta(seconds=1))
        assert secrets.secrets_of("whe_1").previous == old
        frozen.advance(timedelta(seconds=1))
        assert secrets.secrets_of("whe_1") == SigningSecrets(current=new)

    def test_rotating_again_keeps_only_the_secret_it_replaces(self, prefix: str) -> None:
        secrets = SecretsManagerWebhookSecrets(prefix)
        first = secrets.create("whe_1")
        second = secrets.rotate("whe_1", overlap_until=clock.now() + ROTATION_OVERLAP)
        third = secrets.rotate("whe_1", overlap_until=clock.now() + ROTATION_OVERLAP)
        seen = secrets.secrets_of("whe_1")
        assert (seen.current, seen.previous) == (third, second)
        assert first not in json.dumps(_stored(f"{prefix}endpoints/whe_1"))

    def test_a_rotation_elsewhere_is_seen_when_the_cache_expires(self, prefix: str) -> None:
        writer = SecretsManagerWebhookSecrets(prefix)
        old = writer.create("whe_1")
        cached = SecretsManagerWebhookSecrets(prefix)
        uncached = SecretsManagerWebhookSecrets(prefix, cache_ttl_s=0)
        assert cached.secrets_of("whe_1").current == old == uncached.secrets_of("whe_1").current
        new = writer.rotate("whe_1", overlap_until=clock.now() + ROTATION_OVERLAP)
        assert cached.secrets_of("whe_1").current == old, "read once a minute at most"
        assert uncached.secrets_of("whe_1").current == new

    def test_deleted_with_a_recovery_window(self, prefix: str) -> None:
        secrets = SecretsManagerWebhookSecrets(prefix)
        secrets.create("whe_1")
        secrets.delete("whe_1")
        secrets.delete("whe_1")  # twice is once
        described = client("secretsmanager").describe_secret(SecretId=f"{prefix}endpoints/whe_1")
        assert "DeletedDate" in described
        with pytest.raises(NotFoundError):
            secrets.secrets_of("whe_1")
        client("secretsmanager").restore_secret(SecretId=f"{prefix}endpoints/whe_1")
        assert secrets.secrets_of("whe_1").current.startswith("whsec_")

    def test_an_unknown_endpoint(self, prefix: str) -> None:
        with pytest.raises(NotFoundError):
            SecretsManagerWebhookSecrets(prefix).secrets_of("whe_missing")


class TestSigningKey:
    def test_made_once_and_kept(self, prefix: str) -> None:
        first = SecretsManagerWebhookSecrets(prefix)
        key = first.ed25519_private_key()
        assert key.startswith("whsk_") and public_key(key).startswith("whpk_")
        assert first.ed25519_private_key() == key
        assert SecretsManagerWebhookSecrets(prefix).ed25519_private_key() == key
        assert client("secretsmanager").get_secret_value(SecretId=f"{prefix}signing-key")["SecretString"] == key

    def test_its_public_half_is_stored_beside_it_and_read_without_the_key(self, prefix: str) -> None:
        reader = SecretsManagerWebhookSecrets(prefix)  # the public route's: it never asks for the private key
        assert reader.ed25519_public_key() is None  # nothing opted into v1a yet: nothing to publish
        key = SecretsManagerWebhookSecrets(prefix).ed25519_private_key()
        stored = client("secretsmanager").get_secret_value(SecretId=f"{prefix}signing-key-public")["SecretString"]
        assert stored == public_key(key)
        assert SecretsManagerWebhookSecrets(prefix).ed25519_public_key() == public_key(key)

    def test_a_key_whose_public_half_was_never_stored_gets_it_from_its_next_reader(self, prefix: str) -> None:
        key = webhook_secrets.new_signing_key()
        client("secretsmanager").create_secret(Name=f"{prefix}signing-key", SecretString=key)  # a crash came between
        assert SecretsManagerWebhookSecrets(prefix).ed25519_private_key() == key
        assert SecretsManagerWebhookSecrets(prefix).ed25519_public_key() == public_key(key)

    def test_two_containers_racing_end_with_the_same_key(self, prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
        first, second = SecretsManagerWebhookSecrets(prefix), SecretsManagerWebhookSecrets(prefix)
        made = webhook_secrets.new_signing_key
        seconds: list[str] = []

        def racing() -> str:
            # The first container found no key and made one; before it stores it, the second does the whole thing.
            if not seconds:
                seconds.append("racing")
                seconds.append(second.ed25519_private_key())
            return made()

        monkeypatch.setattr(webhook_secrets, "new_signing_key", racing)
        key = first.ed25519_private_key()
        assert key == seconds[1], "the first container takes the key the second stored, and drops its own"
        stored = client("secretsmanager").get_secret_value(SecretId=f"{prefix}signing-key")["SecretString"]
        assert stored == key
        versions = client("secretsmanager").list_secret_version_ids(SecretId=f"{prefix}signing-key")["Versions"]
        assert len(versions) == 1


def test_no_value_is_logged(prefix: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG, logger="arportal")
    caplog.set_level(logging.INFO)
    secrets = SecretsManagerWebhookSecrets(prefix)
    values = [secrets.create("whe_1"), secrets.rotate("whe_1", overlap_until=clock.now() + ROTATION_OVERLAP)]
    values.append(secrets.ed25519_private_key())
    secrets.secrets_of("whe_1")
    secrets.delete("whe_1")
    with pytest.raises(NotFoundError) as missing:
        secrets.rotate("whe_1", overlap_until=clock.now())
    printed = capsys.readouterr()
    logged = caplog.text + printed.out + printed.err + str(missing.value)
    for value in values:
        for part in (value, value.split("_", 1)[1]):
            assert part not in logged
