"""Standard Webhooks signatures: what we sign is checked by the official ``standardwebhooks`` library (v1) and by
``cryptography`` (v1a, which no reference library verifies yet), not only by our own ``verify``."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from standardwebhooks import Webhook
from standardwebhooks import WebhookVerificationError as LibraryVerificationError

from arportal.domain.webhook_signing import (
    SECRET_BYTES,
    WebhookVerificationError,
    new_secret,
    new_signing_key,
    public_key,
    signed_headers,
    verify,
)

BODY = json.dumps(
    {
        "type": "payment.posted",
        "timestamp": "2030-01-02T03:04:05+00:00",
        "data": {"payment_id": "PAY-1", "amount": 1250},
    },
    separators=(",", ":"),
).encode()
MSG_ID = "evt_01JABCDEFGHJKMNPQRSTVWXYZ0"

# The vector every Standard Webhooks library tests its signer with (libraries/*/tests: "sign function works").
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

# RFC 8032, section 7.1, TEST 1: an Ed25519 seed and its public key.
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def _now() -> int:
    # The official library reads the wall clock (the session's, moved by tests/clock.py); so does this.
    return int(time.time())


def _signatures(headers: dict[str, str]) -> list[str]:
    return headers["webhook-signature"].split(" ")


def _v1a(headers: dict[str, str]) -> bytes:
    (entry,) = [s for s in _signatures(headers) if s.startswith("v1a,")]
    return base64.b64decode(entry.removeprefix("v1a,"))


def _content(headers: dict[str, str], body: bytes) -> bytes:
    return f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body


class TestKnownAnswers:
    def test_the_spec_libraries_vector(self) -> None:
        headers = signed_headers(SPEC_MSG_ID, SPEC_TIMESTAMP, SPEC_BODY, [SPEC_SECRET])
        assert headers["webhook-signature"] == SPEC_SIGNATURE
        verify(headers, SPEC_BODY, now=SPEC_TIMESTAMP, hmac_secret=SPEC_SECRET)

    def test_the_rfc_8032_key_pair(self) -> None:
        signing_key = "whsk_" + base64.b64encode(RFC8032_SEED).decode()
        assert public_key(signing_key) == "whpk_" + base64.b64encode(RFC8032_PUBLIC).decode()
        headers = signed_headers(MSG_ID, 1700000000, BODY, [new_secret()], signing_key)
        Ed25519PublicKey.from_public_bytes(RFC8032_PUBLIC).verify(_v1a(headers), _content(headers, BODY))


class TestTheOfficialLibraryAccepts:
    def test_a_delivery_with_one_secret(self) -> None:
        secret = new_secret()
        headers = signed_headers(MSG_ID, _now(), BODY, [secret])
        assert headers["webhook-id"] == MSG_ID
        assert headers["content-type"] == "application/json"
        assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)

    def test_either_secret_during_a_rotation(self) -> None:
        current, previous = new_secret(), new_secret()
        headers = signed_headers(MSG_ID, _now(), BODY, [current, previous])
        assert len(_signatures(headers)) == 2
        assert (
            _signatures(headers)[0]
            == signed_headers(MSG_ID, int(headers["webhook-timestamp"]), BODY, [current])["webhook-signature"]
        ), "the current secret's signature comes first"
        for secret in (current, previous):
            Webhook(secret).verify(BODY, headers)
            verify(headers, BODY, now=_now(), hmac_secret=secret)
        with pytest.raises(LibraryVerificationError):
            Webhook(new_secret()).verify(BODY, headers)

    def test_a_delivery_that_also_carries_v1a(self) -> None:
        secret, key = new_secret(), new_signing_key()
        headers = signed_headers(MSG_ID, _now(), BODY, [secret], key)
        assert [s.split(",")[0] for s in _signatures(headers)] == ["v1", "v1a"]
        Webhook(secret).verify(BODY, headers)  # a v1-only receiver skips the v1a entry

    @pytest.mark.parametrize("tamper", ["body", "timestamp", "id"])
    def test_nothing_altered(self, tamper: str) -> None:
        secret = new_secret()
        headers = signed_headers(MSG_ID, _now(), BODY, [secret])
        body = BODY
        if tamper == "body":
            body = BODY.replace(b"1250", b"1251")
        elif tamper == "timestamp":
            headers["webhook-timestamp"] = str(int(headers["webhook-timestamp"]) - 1)
        else:
            headers["webhook-id"] = MSG_ID[:-1] + "1"
        with pytest.raises(LibraryVerificationError):
            Webhook(secret).verify(body, headers)
        with pytest.raises(WebhookVerificationError):
            verify(headers, body, now=_now(), hmac_secret=secret)


class TestV1a:
    def test_checked_with_the_published_public_key(self) -> None:
        key = new_signing_key()
        headers = signed_headers(MSG_ID, _now(), BODY, [new_secret()], key)
        published = base64.b64decode(public_key(key).removeprefix("whpk_"))
        Ed25519PublicKey.from_public_bytes(published).verify(_v1a(headers), _content(headers, BODY))
        verify(headers, BODY, now=_now(), public_key=public_key(key))

    @pytest.mark.parametrize("tamper", ["body", "timestamp", "id"])
    def test_nothing_altered(self, tamper: str) -> None:
        key = new_signing_key()
        headers = signed_headers(MSG_ID, _now(), BODY, [new_secret()], key)
        body = BODY
        if tamper == "body":
            body = BODY + b" "
        elif tamper == "timestamp":
            headers["webhook-timestamp"] = str(int(headers["webhook-timestamp"]) + 1)
        else:
            headers["webhook-id"] = "evt_other"
        published = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key(key).removeprefix("whpk_")))
        with pytest.raises(InvalidSignature):
            published.verify(_v1a(headers), _content(headers, body))
        with pytest.raises(WebhookVerificationError):
            verify(headers, body, now=_now(), public_key=public_key(key))

    def test_another_agencys_key_does_not_verify(self) -> None:
        headers = signed_headers(MSG_ID, _now(), BODY, [new_secret()], new_signing_key())
        with pytest.raises(WebhookVerificationError):
            verify(headers, BODY, now=_now(), public_key=public_key(new_signing_key()))


class TestOurVerify:
    def test_the_timestamp_window(self) -> None:
        secret = new_secret()
        headers = signed_headers(MSG_ID, 1_700_000_000, BODY, [secret])
        for now in (1_700_000_000 - 300, 1_700_000_000 + 300):
            verify(headers, BODY, now=now, hmac_secret=secret)
        for now in (1_700_000_000 - 301, 1_700_000_000 + 301):
            with pytest.raises(WebhookVerificationError, match="tolerance"):
                verify(headers, BODY, now=now, hmac_secret=secret)
        verify(headers, BODY, now=1_700_000_000 + 3600, hmac_secret=secret, tolerance_s=3600)

    def test_unknown_and_malformed_entries_are_skipped(self) -> None:
        secret = new_secret()
        headers = signed_headers(MSG_ID, 1_700_000_000, BODY, [secret])
        good = headers["webhook-signature"]
        headers["webhook-signature"] = f"v2,{good[3:]} v1,not-base64!! v1, garbage {good}"
        verify(headers, BODY, now=1_700_000_000, hmac_secret=secret)
        headers["webhook-signature"] = f"v2,{good[3:]} v1a,{good[3:]}"
        with pytest.raises(WebhookVerificationError, match="no matching"):
            verify(headers, BODY, now=1_700_000_000, hmac_secret=secret)

    def test_header_names_are_case_insensitive(self) -> None:
        secret = new_secret()
        headers = {k.title(): v for k, v in signed_headers(MSG_ID, 1_700_000_000, BODY, [secret]).items()}
        verify(headers, BODY, now=1_700_000_000, hmac_secret=secret)

    @pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
    def test_a_missing_header(self, missing: str) -> None:
        secret = new_secret()
        headers = signed_headers(MSG_ID, 1_700_000_000, BODY, [secret])
        del headers[missing]
        with pytest.raises(WebhookVerificationError, match="missing"):
            verify(headers, BODY, now=1_700_000_000, hmac_secret=secret)

    def test_a_timestamp_that_is_not_seconds(self) -> None:
        secret = new_secret()
        headers = signed_headers(MSG_ID, 1_700_000_000, BODY, [secret])
        headers["webhook-timestamp"] = "1700000000.0"
        with pytest.raises(WebhookVerificationError):
            verify(headers, BODY, now=1_700_000_000, hmac_secret=secret)


class TestKeys:
    def test_secrets_are_24_random_bytes(self) -> None:
        made = {new_secret() for _ in range(50)}
        assert len(made) == 50
        for secret in made:
            assert secret.startswith("whsec_")
            assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == SECRET_BYTES

    def test_signing_keys_are_32_byte_seeds_with_32_byte_public_keys(self) -> None:
        key = new_signing_key()
        assert key.startswith("whsk_") and len(base64.b64decode(key[5:], validate=True)) == 32
        published = public_key(key)
        assert published.startswith("whpk_") and len(base64.b64decode(published[5:], validate=True)) == 32
        assert new_signing_key() != key

    def test_one_kind_of_key_is_not_taken_for_another(self) -> None:
        # A public key used as an HMAC secret would let anyone who has it (everyone) forge v1 signatures.
        published = public_key(new_signing_key())
        with pytest.raises(ValueError, match="whsec_"):
            signed_headers(MSG_ID, 1, BODY, [published])
        with pytest.raises(ValueError, match="whsk_"):
            signed_headers(MSG_ID, 1, BODY, [new_secret()], new_secret())

    @pytest.mark.parametrize("msg_id", ["", "evt.1", "evt 1"])
    def test_an_id_that_could_move_bytes_between_the_parts_is_refused(self, msg_id: str) -> None:
        with pytest.raises(ValueError, match="webhook id"):
            signed_headers(msg_id, 1, BODY, [new_secret()])

    def test_a_delivery_is_always_hmac_signed(self) -> None:
        with pytest.raises(ValueError, match="at least"):
            signed_headers(MSG_ID, 1, BODY, [], new_signing_key())
