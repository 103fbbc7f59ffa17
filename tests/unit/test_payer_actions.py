"""A charge that waits for the payer to confirm with their bank (3-D Secure), at the service level: nothing is posted
while it waits; the payer's return with the same Idempotency-Key, or the processor's webhook, posts it or records
the decline; one the payer abandons is cancelled at the processor by the reconciler and leaves no payment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from arportal.domain.errors import ActionRequiredError
from arportal.domain.payment_intents import ACTION_EXPIRES, RECONCILE_AFTER, IntentOutcome, IntentStatus
from arportal.domain.processing import ChargeOutcome
from arportal.domain.status import PaymentStatus
from arportal.ports import ChargeRequest, ChargeResult
from arportal.ports.payments import CancellableCharges
from arportal.services.payments import PayCommand, charge_key, pay
from arportal.services.reconciliation import reconcile, reconcile_intent
from tests import builders as b
from tests.unit.test_reconciliation import CONFIG, InMemoryIntentPosting, cmd, no_waiting, world  # noqa: F401

SECRET = "pi_3DS_secret_abc"


@dataclass
class Charge:
    state: str  # requires_action | succeeded | failed | canceled
    request: ChargeRequest


class ChallengingProcessor:
    """Stripe's behaviour for a card whose bank challenges: the first confirm waits for the payer; a charge with
    the same key again answers how the challenge ended; a waiting charge can be cancelled."""

    name = "stripe"

    def __init__(self) -> None:
        self.charges: dict[str, Charge] = {}
        self.cancelled: list[str] = []

    def charge(self, request: ChargeRequest) -> ChargeResult:
        found = self.charges.setdefault(request.idempotency_key, Charge("requires_action", request))
        return self._result(request.idempotency_key, found)

    def find_charge(self, idempotency_key: str) -> ChargeResult | None:
        found = self.charges.get(idempotency_key)
        return self._result(idempotency_key, found) if found else None

    def cancel_charge(self, transaction_id: str) -> ChargeResult | None:
        key = transaction_id.removeprefix("pi_")
        if self.charges[key].state == "requires_action":
            self.charges[key].state = "canceled"
            self.cancelled.append(transaction_id)
        return self.find_charge(key)

    def payer_confirms(self, key: str, *, ok: bool = True) -> None:
        self.charges[key].state = "succeeded" if ok else "failed"

    def _result(self, key: str, charge: Charge) -> ChargeResult:
        pi = f"pi_{key}"
        if charge.state == "requires_action":
            return ChargeResult(ChargeOutcome.REQUIRES_ACTION, pi, code="authentication_required", client_secret=SECRET)
        if charge.state == "succeeded":
            return ChargeResult(ChargeOutcome.SUCCEEDED, pi, brand="visa", last4="3184", method_type="card")
        code = "payment_intent_authentication_failure" if charge.state == "failed" else "canceled"
        return ChargeResult(ChargeOutcome.DECLINED, pi, code=code, message="not confirmed")

    def refund(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        raise AssertionError("not refunded here")

    def represent_debit(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        raise AssertionError("not presented here")


@pytest.fixture
def challenged(world):  # noqa: F811
    ledger, *_ = world
    return ledger, ChallengingProcessor()


def waiting(ledger: InMemoryIntentPosting, processor: ChallengingProcessor) -> PayCommand:
    """A payment the bank has challenged: the answer asks the payer to act."""
    command = cmd(4_000, token="ctoken_3ds")
    with pytest.raises(ActionRequiredError) as raised:
        pay(command, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    assert raised.value.details == {"next_action": "authenticate", "client_secret": SECRET}
    return command


def test_a_challenged_charge_posts_nothing_and_keeps_its_intent_open(challenged):
    ledger, processor = challenged
    command = waiting(ledger, processor)
    assert ledger.posted_payment(command.scope, command.idempotency_key) is None
    assert ledger.payments == {} and ledger.events == []
    assert ledger.intents[charge_key(command)].status is IntentStatus.OPEN
    assert isinstance(processor, CancellableCharges)


def test_the_payers_return_with_the_same_key_posts_the_confirmed_charge_once(challenged):
    ledger, processor = challenged
    command = waiting(ledger, processor)
    processor.payer_confirms(charge_key(command))
    result = pay(command, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW + timedelta(seconds=40))
    assert result.payment.status is PaymentStatus.POSTED and result.payment.method.last4 == "3184"
    assert ledger.intents[charge_key(command)].status is IntentStatus.POSTED
    again = pay(command, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW + timedelta(seconds=50))
    assert again.replayed and again.payment.payment_id == result.payment.payment_id
    assert len(ledger.payments) == 1


def test_a_failed_challenge_is_recorded_as_a_decline_with_nothing_applied(challenged):
    ledger, processor = challenged
    command = waiting(ledger, processor)
    processor.payer_confirms(charge_key(command), ok=False)
    result = pay(command, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW + timedelta(seconds=40))
    assert result.payment.status is PaymentStatus.FAILED
    assert result.decline_code == "payment_intent_authentication_failure"
    assert result.posting is not None and result.posting.allocations == ()


def test_the_webhook_posts_a_charge_confirmed_while_the_payer_was_away(challenged):
    ledger, processor = challenged
    command = waiting(ledger, processor)
    processor.payer_confirms(charge_key(command))
    report = reconcile_intent(
        charge_key(command), intents=ledger, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW
    )
    assert len(report.posted) == 1
    posted = ledger.posted_payment(command.scope, command.idempotency_key)
    assert posted is not None and posted.status is PaymentStatus.POSTED
    # And the payer's late return is answered with that payment, not a second one
    back = pay(command, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW + timedelta(minutes=1))
    assert back.replayed and back.payment.payment_id == posted.payment_id


def test_the_webhook_of_a_failed_challenge_closes_the_intent_with_no_payment(challenged):
    ledger, processor = challenged
    command = waiting(ledger, processor)
    processor.payer_confirms(charge_key(command), ok=False)
    report = reconcile_intent(
        charge_key(command), intents=ledger, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW
    )
    assert report.closed == [charge_key(command)] and ledger.payments == {}
    assert ledger.intents[charge_key(command)].outcome is IntentOutcome.CHARGE_FAILED


def test_an_abandoned_challenge_waits_then_is_cancelled_and_leaves_no_payment(challenged):
    ledger, processor = challenged
    command = waiting(ledger, processor)
    key = charge_key(command)
    # Within its window the payer may still be confirming: the reconciler leaves it
    early = reconcile(
        intents=ledger, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW + RECONCILE_AFTER * 2
    )
    assert (early.skipped, early.closed, processor.cancelled) == (1, [], [])
    # After it, the charge is cancelled at the processor and the intent closed: nothing posted, ever
    late = reconcile(
        intents=ledger,
        ledger=ledger,
        processor=processor,
        config=CONFIG,
        now=b.NOW + ACTION_EXPIRES + timedelta(minutes=1),
    )
    assert late.closed == [key] and processor.cancelled == [f"pi_{key}"]
    assert ledger.payments == {} and ledger.posted_payment(command.scope, command.idempotency_key) is None
    assert ledger.intents[key].status is IntentStatus.CLOSED


def test_a_webhook_about_a_charge_still_waiting_never_cancels_it(challenged):
    ledger, processor = challenged
    command = waiting(ledger, processor)
    report = reconcile_intent(
        charge_key(command), intents=ledger, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW
    )
    assert (report.skipped, processor.cancelled) == (1, [])
    assert ledger.intents[charge_key(command)].status is IntentStatus.OPEN
