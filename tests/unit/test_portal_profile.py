"""Profile changes, the confirmed email change, account linking and support requests, with in-memory ports."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from arportal.domain import email_change
from arportal.domain.email_change import CodeCheck
from arportal.domain.errors import ConflictError, NotFoundError
from arportal.domain.linking import LinkDecision, decide
from arportal.domain.models import Customer, Interaction
from arportal.domain.portal_errors import CodedConflictError, CodedRuleError, RateLimitedError
from arportal.domain.rate_limits import RateRule
from arportal.ports import Email
from arportal.services import profile, support
from tests import builders as b
from tests.fakes import InMemoryRateCounter

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


class Profiles:
    def __init__(self, *customers: Customer) -> None:
        self.customers = {c.customer_id: c for c in customers}
        self.pending: dict[str, email_change.PendingEmailChange] = {}
        self.writes: list[dict[str, object]] = []

    def get(self, customer_id):
        return self.customers.get(customer_id)

    def update_contact(self, customer_id, changes):
        self.writes.append(changes)
        current = self.customers[customer_id].model_dump()
        updated = Customer.model_validate({**current, **changes})
        self.customers[customer_id] = updated
        return updated

    def pending_email(self, customer_id):
        return self.pending.get(customer_id)

    def save_pending_email(self, pending):
        self.pending[pending.customer_id] = pending

    def count_wrong_code(self, pending):
        current = self.pending.get(pending.customer_id)
        if current and current.code_hash == pending.code_hash:
            self.pending[pending.customer_id] = email_change.PendingEmailChange(
                **{**current.__dict__, "attempts": current.attempts + 1}
            )

    def confirm_email(self, pending):
        current = self.pending.get(pending.customer_id)
        if current is None or current.code_hash != pending.code_hash:
            raise ConflictError("gone")
        del self.pending[pending.customer_id]
        self.customers[pending.customer_id] = self.customers[pending.customer_id].model_copy(
            update={"email": pending.new_email}
        )


class Mailbox:
    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> str:
        self.sent.append(email)
        return "msg-1"

    def code(self) -> str:
        found = re.search(r"\b(\d{6})\b", self.sent[-1].text)
        assert found
        return found.group(1)


@pytest.fixture
def world():
    customer = b.customer("CUS-PROFILE01")
    return Profiles(customer), Mailbox(), InMemoryRateCounter(), customer


def _update(world, fields, now=NOW):
    store, mail, counter, customer = world
    return profile.update_profile(
        store, mail, counter, customer.customer_id, fields, now=now, agency_name="Springfield"
    )


class TestEmailChangeRules:
    def test_outcomes(self):
        pending = email_change.start("CUS-X0000001", "a@b.co", "123456", now=NOW)
        assert "123456" not in repr(pending) and pending.expires_at == NOW + email_change.LIFETIME
        assert email_change.check(pending, "123456", now=NOW) is CodeCheck.CONFIRMED
        assert email_change.check(pending, " 123456 ", now=NOW) is CodeCheck.CONFIRMED
        assert email_change.check(pending, "123457", now=NOW) is CodeCheck.WRONG
        assert email_change.check(pending, "123456", now=pending.expires_at) is CodeCheck.EXPIRED
        spent = email_change.PendingEmailChange(**{**pending.__dict__, "attempts": email_change.MAX_ATTEMPTS})
        assert email_change.check(spent, "123456", now=NOW) is CodeCheck.EXHAUSTED

    def test_codes_are_six_random_digits(self):
        codes = {email_change.new_code() for _ in range(200)}
        assert all(re.fullmatch(r"\d{6}", c) for c in codes) and len(codes) > 150


class TestProfile:
    def test_only_changed_fields_are_written_and_preferences_merge(self, world):
        store = world[0]
        update = _update(world, {"phone": "+1 555 010 0000", "preferences": {"sms": True}})
        assert store.writes == [{"preferences": {**update.customer.preferences.model_dump(), "sms": True}}]
        assert update.customer.preferences.sms and update.customer.preferences.email_receipts
        assert update.pending_email is None

    def test_null_removes_a_contact_field(self, world):
        update = _update(world, {"address": None})
        assert update.customer.address is None and world[0].writes == [{"address": None}]

    def test_a_new_email_waits_for_its_code(self, world):
        store, mail, _, customer = world
        update = _update(world, {"email": "new@example.net"})
        assert update.customer.email == customer.email and update.pending_email.new_email == "new@example.net"
        assert mail.sent[-1].to == ("new@example.net",) and "Springfield" in mail.sent[-1].subject
        confirmed = profile.confirm_email(store, customer.customer_id, mail.code(), now=NOW + timedelta(minutes=5))
        assert confirmed.email == "new@example.net" and store.pending == {}

    def test_the_same_email_sends_nothing(self, world):
        _, mail, _, customer = world
        assert _update(world, {"email": customer.email}).pending_email is None and mail.sent == []

    def test_wrong_then_exhausted_then_expired(self, world):
        store, mail, _, customer = world
        _update(world, {"email": "new@example.net"})
        code = mail.code()
        wrong = "000000" if code != "000000" else "111111"
        for left in (4, 3, 2, 1, 0):
            with pytest.raises(CodedRuleError) as refused:
                profile.confirm_email(store, customer.customer_id, wrong, now=NOW)
            assert refused.value.code == "wrong_code" and f"{left} attempts left" in str(refused.value.details)
        with pytest.raises(CodedRuleError) as spent:
            profile.confirm_email(store, customer.customer_id, code, now=NOW)
        assert spent.value.code == "code_attempts_exhausted"
        _update(world, {"email": "other@example.net"})
        with pytest.raises(CodedRuleError) as expired:
            profile.confirm_email(store, customer.customer_id, mail.code(), now=NOW + timedelta(hours=1))
        assert expired.value.code == "code_expired"

    def test_codes_sent_are_rate_limited(self, world):
        for i in range(5):
            _update(world, {"email": f"n{i}@example.net"})
        with pytest.raises(RateLimitedError) as limited:
            _update(world, {"email": "n9@example.net"})
        assert 0 < limited.value.retry_after <= 3600 and len(world[1].sent) == 5

    def test_an_unknown_customer_is_404(self, world):
        store, mail, counter, _ = world
        with pytest.raises(NotFoundError):
            profile.update_profile(store, mail, counter, "CUS-NOBODY01", {"phone": None}, now=NOW, agency_name="X")


class Linking:
    def __init__(self, owner: Customer, account, invoice) -> None:
        self.owner, self.account, self.invoice = owner, account, invoice
        self.claims: list[tuple[str, str]] = []
        self.reads = 0

    def account_by_number(self, number):
        self.reads += 1
        return self.account if number.strip().upper() == self.account.account_number else None

    def invoice_by_number(self, number):
        self.reads += 1
        return self.invoice if number == self.invoice.invoice_number else None

    def get(self, customer_id):
        self.reads += 1
        return self.owner if customer_id == self.owner.customer_id else None

    def claim_login(self, customer_id, login_subject):
        if self.owner.login_subject not in (None, login_subject):
            raise ConflictError("taken")
        self.owner = self.owner.model_copy(update={"login_subject": login_subject})
        self.claims.append((customer_id, login_subject))


class Directory:
    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []

    def link_customer(self, login_subject, customer_id):
        self.links.append((login_subject, customer_id))


@pytest.fixture
def linking():
    owner = b.customer("CUS-OWNER0001")
    account = b.account(owner.customer_id, number="UT-212121")
    invoice = b.invoice(owner.customer_id, account.account_number, number="UT-2026-21212")
    return Linking(owner, account, invoice), Directory(), InMemoryRateCounter()


def _link(linking, *, subject="sub-1", customer_id=None, account="UT-212121", invoice=None, postal=None):
    store, directory, counter = linking
    return profile.link_account(
        store, directory, counter, login_subject=subject, login_customer_id=customer_id, account_number=account,
        invoice_number=invoice, postal_code=postal, now=NOW,
    )  # fmt: skip


class TestLinking:
    @pytest.mark.parametrize(
        ("login_customer", "owner_login", "expected"),
        [
            (None, None, LinkDecision.LINK),
            (None, "sub-1", LinkDecision.LINK),  # a retry after the Cognito update failed
            (None, "sub-2", LinkDecision.TAKEN),
            ("CUS-OWNER0001", "sub-2", LinkDecision.ALREADY_LINKED),
            ("CUS-ELSE00001", None, LinkDecision.OTHER_CUSTOMER),
        ],
    )
    def test_decisions(self, login_customer, owner_login, expected):
        owner = b.customer("CUS-OWNER0001").model_copy(update={"login_subject": owner_login})
        assert decide(login_subject="sub-1", login_customer_id=login_customer, owner=owner) is expected

    def test_links_by_invoice_or_postal_code(self, linking):
        store, directory, _ = linking
        result = _link(linking, invoice="UT-2026-21212")
        assert result.decision is LinkDecision.LINK and result.token_refresh_required
        assert directory.links == [("sub-1", "CUS-OWNER0001")] and store.claims == [("CUS-OWNER0001", "sub-1")]
        again = _link(linking, customer_id="CUS-OWNER0001", postal="62701", account="ut-212121")
        assert again.decision is LinkDecision.ALREADY_LINKED and not again.token_refresh_required
        assert len(directory.links) == 1

    def test_unknown_account_and_wrong_proof_are_the_same_refusal(self, linking):
        answers = []
        for kw in ({"account": "UT-999999", "postal": "62701"}, {"postal": "99999"}, {"invoice": "UT-2026-00000"}):
            with pytest.raises(CodedRuleError) as refused:
                _link(linking, **kw)
            answers.append((refused.value.code, refused.value.message, refused.value.details))
        assert len(set(map(str, answers))) == 1 and answers[0][0] == "link_not_verified"
        assert linking[1].links == []

    def test_refusals(self, linking):
        with pytest.raises(CodedConflictError) as other:
            _link(linking, customer_id="CUS-ELSE00001", postal="62701")
        assert other.value.code == "linked_to_another_customer" and "contact the agency" in other.value.message
        _link(linking, subject="sub-first", postal="62701")
        with pytest.raises(CodedConflictError) as taken:
            _link(linking, subject="sub-second", postal="62701")
        assert taken.value.code == "customer_linked_to_another_login"

    def test_wrong_proofs_are_limited_per_login(self, linking):
        for _ in range(5):
            with pytest.raises(CodedRuleError):
                _link(linking, postal="00000")
        with pytest.raises(RateLimitedError):
            _link(linking, postal="62701")
        assert _link(linking, subject="sub-other", postal="62701").decision is LinkDecision.LINK


class Support:
    def __init__(self, *, owned=(True, True)) -> None:
        self.owned = owned
        self.guards: dict[tuple[str, str], tuple[str, Interaction]] = {}
        self.race: tuple[str, Interaction] | None = None

    def owns(self, customer_id, *, invoice_id, payment_id):
        return self.owned

    def record(self, interaction, *, idempotency_key, fingerprint):
        key = (interaction.customer_id, idempotency_key)
        if self.race is not None:  # another request with this key committed first
            self.guards[key], self.race = self.race, None
        if key in self.guards:
            raise ConflictError("key used")
        self.guards[key] = (fingerprint, interaction)

    def recorded(self, customer_id, idempotency_key):
        return self.guards.get((customer_id, idempotency_key))


class TestSupport:
    REQUEST = support.SupportRequest("CUS-SUPPORT01", "Bill", "Why so high?", invoice_id="inv_1")

    def test_a_repeat_is_the_first_request(self):
        store, counter = Support(), InMemoryRateCounter()
        first = support.submit(store, counter, self.REQUEST, idempotency_key="k1", now=NOW)
        again = support.submit(store, counter, self.REQUEST, idempotency_key="k1", now=NOW)
        assert not first.replayed and again.replayed and again.interaction == first.interaction
        assert first.interaction.kind.value == "portal_request" and first.interaction.summary == "Bill\n\nWhy so high?"
        with pytest.raises(CodedRuleError) as reused:
            support.submit(
                store, counter, support.SupportRequest("CUS-SUPPORT01", "Other", "x"), idempotency_key="k1", now=NOW
            )
        assert reused.value.code == "idempotency_key_reused"

    def test_a_lost_race_answers_with_the_winner(self):
        store = Support()
        winner = Interaction(
            interaction_id="int_winner", customer_id="CUS-SUPPORT01", kind="portal_request", summary="Bill", at=NOW
        )
        store.race = (self.REQUEST.fingerprint(), winner)
        result = support.submit(store, InMemoryRateCounter(), self.REQUEST, idempotency_key="k2", now=NOW)
        assert result.replayed and result.interaction == winner

    @pytest.mark.parametrize("owned", [(False, True), (True, False)])
    def test_records_that_are_not_the_customers_are_404(self, owned):
        store = Support(owned=owned)
        with pytest.raises(NotFoundError):
            support.submit(store, InMemoryRateCounter(), self.REQUEST, idempotency_key="k3", now=NOW)
        assert store.guards == {}


def test_rate_rule_windows():
    rule = RateRule("r", 3, 900)
    start = rule.window_start(NOW)
    assert start <= NOW.timestamp() < start + 900 and rule.window_end(NOW).timestamp() == start + 900
    assert 1 <= rule.retry_after(NOW) <= 900
    with pytest.raises(ValueError):
        RateRule("r", 0, 10)
