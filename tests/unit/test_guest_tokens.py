"""Guest tokens and the proofs a guest gives (pure rules), and the guest lookup service with in-memory ports."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from arportal.domain import guest_tokens
from arportal.domain.errors import NotFoundError
from arportal.domain.guest_access import amount_due_matches, mask_name, postal_code_matches
from arportal.domain.guest_tokens import GuestGrant, InvalidGuestTokenError
from arportal.domain.portal_errors import RateLimitedError
from arportal.services import guest
from tests import builders as b
from tests.fakes import InMemoryRateCounter

KEY = b"k" * 32
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _sign(**kw):
    return guest_tokens.sign("inv_1", "UT-2026-00001", "CUS-ABCD1234", key=kw.get("key", KEY), now=kw.get("now", NOW))


def _part(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


class TestTokens:
    def test_round_trip_names_one_invoice_for_fifteen_minutes(self):
        token, grant = _sign()
        assert grant == GuestGrant("inv_1", "UT-2026-00001", "CUS-ABCD1234", NOW + timedelta(minutes=15))
        assert guest_tokens.verify(token, key=KEY, now=NOW + timedelta(minutes=14, seconds=59)) == grant

    def test_expired_at_the_fifteenth_minute(self):
        token, _ = _sign()
        with pytest.raises(InvalidGuestTokenError):
            guest_tokens.verify(token, key=KEY, now=NOW + timedelta(minutes=15))

    def test_another_key_refuses_it(self):
        token, _ = _sign()
        with pytest.raises(InvalidGuestTokenError):
            guest_tokens.verify(token, key=b"x" * 32, now=NOW)

    def test_changed_claims_break_the_signature(self):
        token, _ = _sign()
        header, _, signature = token.split(".")
        claims = {"aud": guest_tokens.AUDIENCE, "sub": "inv_2", "inv": "X", "cus": "CUS-OTHER999", "exp": 9_999_999_999}
        with pytest.raises(InvalidGuestTokenError):
            guest_tokens.verify(f"{header}.{_part(claims)}.{signature}", key=KEY, now=NOW)

    def test_an_unsigned_token_is_refused(self):
        claims = {"aud": guest_tokens.AUDIENCE, "sub": "inv_1", "inv": "X", "cus": "CUS-X", "exp": 9_999_999_999}
        with pytest.raises(InvalidGuestTokenError):
            guest_tokens.verify(f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(claims)}.", key=KEY, now=NOW)

    @pytest.mark.parametrize(
        "claims",
        [
            {"aud": "someone-else", "sub": "inv_1", "inv": "X", "cus": "CUS-X", "exp": 9_999_999_999},
            {"aud": guest_tokens.AUDIENCE, "sub": "", "inv": "X", "cus": "CUS-X", "exp": 9_999_999_999},
            {"aud": guest_tokens.AUDIENCE, "sub": "inv_1", "inv": "X", "cus": "CUS-X", "exp": "never"},
            {"aud": guest_tokens.AUDIENCE, "sub": "inv_1", "inv": "X", "cus": "CUS-X", "exp": True},
            {"aud": guest_tokens.AUDIENCE, "sub": "inv_1", "inv": "X", "exp": 9_999_999_999},
        ],
    )
    def test_a_correctly_signed_token_with_wrong_claims_is_refused(self, claims):
        import hashlib
        import hmac

        signing_input = f"{_part({'alg': 'HS256', 'typ': 'JWT'})}.{_part(claims)}"
        signature = hmac.new(KEY, signing_input.encode(), hashlib.sha256).digest()
        token = f"{signing_input}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"
        with pytest.raises(InvalidGuestTokenError):
            guest_tokens.verify(token, key=KEY, now=NOW)

    @pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "a.b.!!!", "x" * 5000])
    def test_malformed_tokens_are_refused(self, token):
        with pytest.raises(InvalidGuestTokenError):
            guest_tokens.verify(token, key=KEY, now=NOW)

    def test_a_short_key_is_a_configuration_error(self):
        with pytest.raises(ValueError, match="at least 32 bytes"):
            guest_tokens.sign("inv_1", "N-1", "CUS-X", key=b"short", now=NOW)


class TestProofs:
    @pytest.mark.parametrize(
        ("given", "on_file", "matches"),
        [
            ("62701", "62701", True),
            (" 62701 ", "62701", True),
            ("62701", "62701-1234", True),  # ZIP against ZIP+4 on file
            ("62701-1234", "62701", False),  # but not the other way round
            ("627011234", "62701-1234", True),
            ("k1a 0b1", "K1A 0B1", True),
            ("62702", "62701", False),
            ("6270", "62701", False),
            ("62701", None, False),
            ("", "62701", False),
        ],
    )
    def test_postal_codes(self, given, on_file, matches):
        assert postal_code_matches(given, on_file) is matches

    def test_amount_due_is_the_exact_live_balance(self):
        invoice = b.invoice("CUS-ABCD1234", "UT-200001", amount=10_000, paid=2_500)
        assert amount_due_matches(7_500, invoice)
        assert not amount_due_matches(7_501, invoice) and not amount_due_matches(10_000, invoice)
        paid = b.invoice("CUS-ABCD1234", "UT-200001", amount=10_000, paid=10_000)
        assert not amount_due_matches(0, paid)  # "0" must not open every paid invoice
        assert not amount_due_matches(7_500, invoice.model_copy(update={"voided": True}))

    @pytest.mark.parametrize(
        ("name", "masked"),
        [
            ("Jane Rosalind Doe", "J. R."),
            ("jane doe", "J. D."),
            ("Prince", "P."),
            ("O'Brien & Sons Plumbing", "O. S."),
            ("123 Holdings LLC", "H. L."),
            ("", "-"),
        ],
    )
    def test_names_are_reduced_to_initials(self, name, masked):
        assert mask_name(name) == masked


class _Store:
    def __init__(self, invoice=None, owner=None) -> None:
        self.invoice, self.owner, self.asked = invoice, owner, []

    def invoice_and_owner(self, invoice_number):
        self.asked.append(invoice_number)
        found = self.invoice if self.invoice and self.invoice.invoice_number == invoice_number else None
        return found, self.owner if found else None


class TestLookupService:
    def _world(self):
        owner = b.customer("CUS-GUEST0001", name="Mara Quinn")
        invoice = b.invoice(owner.customer_id, "UT-200002", amount=4_200, number="UT-2026-77777")
        return _Store(invoice, owner), InMemoryRateCounter(), invoice

    def test_the_right_proof_gets_a_token(self):
        store, counter, invoice = self._world()
        found = guest.lookup(
            store, counter, invoice_number=" ut-2026-77777 ", postal_code="62701", amount_due=None,
            client="1.2.3.4", now=NOW, key=KEY,
        )  # fmt: skip
        assert found.payee == "M. Q." and found.invoice == invoice and store.asked == ["UT-2026-77777"]
        assert guest_tokens.verify(found.token, key=KEY, now=NOW).invoice_id == invoice.invoice_id
        assert counter.hits == {}  # successes are not counted

    def test_failures_count_per_invoice_and_per_client_then_refuse(self):
        store, counter, _ = self._world()
        for attempt in range(5):
            with pytest.raises(NotFoundError):
                guest.lookup(
                    store, counter, invoice_number="UT-2026-77777", postal_code="00000", amount_due=None,
                    client=f"10.0.0.{attempt}", now=NOW, key=KEY,
                )  # fmt: skip
        with pytest.raises(RateLimitedError) as limited:
            guest.lookup(
                store, counter, invoice_number="UT-2026-77777", postal_code="62701", amount_due=None,
                client="10.9.9.9", now=NOW, key=KEY,
            )  # fmt: skip
        assert 0 < limited.value.retry_after <= 15 * 60
        later = NOW + timedelta(minutes=15)
        assert guest.lookup(
            store, counter, invoice_number="UT-2026-77777", postal_code="62701", amount_due=None,
            client="10.9.9.9", now=later, key=KEY,
        ).payee == "M. Q."  # fmt: skip

    def test_unknown_numbers_and_wrong_proofs_fail_the_same_way(self):
        store, counter, _ = self._world()
        errors = []
        for number, postal in (("UT-2026-00000", "62701"), ("UT-2026-77777", "99999")):
            with pytest.raises(NotFoundError) as failed:
                guest.lookup(
                    store, counter, invoice_number=number, postal_code=postal, amount_due=None,
                    client="1.1.1.1", now=NOW, key=KEY,
                )  # fmt: skip
            errors.append((failed.value.message, failed.value.details))
        assert errors[0] == errors[1]
        assert sum(counter.hits.values()) == 4  # each failure counted against its invoice number and the client
