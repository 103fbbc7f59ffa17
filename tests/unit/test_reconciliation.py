"""Every charge ends up recorded (issue 10), at the service level with in-memory ports that keep the adapters'
semantics: the intent is recorded before the charge and closed by the posting; a charged payment is never refused
for losing races (its money is held as credit); the reconciler posts a charge whose posting never happened, closes
an intent with no charge or a failed one, and leaves what a client's retry moved first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from arportal.adapters.sandbox import SandboxProcessor
from arportal.domain.errors import BusinessRuleError, ConflictError
from arportal.domain.fees import FeeRule, FeeSchedule
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent, Channel, PaymentMethodType
from arportal.domain.payment_intents import (
    RECONCILE_AFTER,
    IntentOutcome,
    IntentStatus,
    LedgerEvent,
    PaymentIntent,
    closed,
    may_reopen,
)
from arportal.domain.posting import Posting, apply_to_invoice
from arportal.domain.status import PaymentStatus
from arportal.ports import ChargeRequest
from arportal.ports.payments import IntentPosting
from arportal.services import payments
from arportal.services.payments import PayCommand, PaymentsConfig, charge_key, intent_for, pay
from arportal.services.reconciliation import reconcile
from tests import builders as b
from tests.fakes import CountingProcessor, InMemoryPaymentPosting

CID = "CUS-000920"
CONFIG = PaymentsConfig("USD", FeeSchedule(rules={PaymentMethodType.CARD: FeeRule(fixed=30)}), "sandbox")
LATER = b.NOW + RECONCILE_AFTER + timedelta(minutes=1)


class InMemoryIntentPosting(InMemoryPaymentPosting):
    """The payment ledger with intents and the reconciler's store, as the DynamoDB adapters behave: an intent opens
    conditionally, closes in its posting's transaction, and a reconciler's close is conditioned on the attempt."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.intents: dict[str, PaymentIntent] = {}
        self.events: list[LedgerEvent] = []
        self.always_conflicting = False  # every posting that touches an invoice loses its race
        self.room = 100  # records one posting transaction may write (DynamoDB's limit)

    def open_intent(self, intent: PaymentIntent) -> PaymentIntent | None:
        stored = self.intents.get(intent.charge_key)
        if stored is None or may_reopen(stored, intent):
            self.intents[intent.charge_key] = intent
            return None
        return stored

    def post(
        self,
        posting: Posting,
        *,
        scope: str,
        idempotency_key: str,
        audit: AuditEvent,
        intent: PaymentIntent | None = None,
        events: Sequence[LedgerEvent] = (),
    ) -> None:
        if self.always_conflicting and posting.invoice_changes:
            raise ConflictError("invoice changed")
        if 2 * len(posting.invoice_changes) + 6 > self.room:  # allocation + invoice each, and the other records
            raise BusinessRuleError("post payment touches too many records")
        super().post(posting, scope=scope, idempotency_key=idempotency_key, audit=audit)
        if intent is not None:
            stored = self.intents[intent.charge_key].model_copy(update={"status": IntentStatus.OPEN})
            self.intents[intent.charge_key] = closed(
                stored, outcome=IntentOutcome.POSTED, at=audit.at, by=audit.actor, payment_id=posting.payment.payment_id
            )
        self.events.extend(events)

    # --- the reconciler's store ---

    def open_intents(self, *, created_before: datetime, limit: int) -> list[PaymentIntent]:
        found = [i for i in self.intents.values() if i.status is IntentStatus.OPEN and i.created_at < created_before]
        return sorted(found, key=lambda i: i.created_at)[:limit]

    def intent(self, charge_key: str) -> PaymentIntent | None:
        return self.intents.get(charge_key)

    def close_intent(
        self,
        intent: PaymentIntent,
        *,
        outcome: IntentOutcome,
        at: datetime,
        audit: AuditEvent,
        events: Sequence[LedgerEvent] = (),
        payment_id: str | None = None,
        code: str | None = None,
    ) -> None:
        stored = self.intents[intent.charge_key]
        if stored.status is not IntentStatus.OPEN or stored.attempt_id != intent.attempt_id:
            raise ConflictError("the intent moved")
        self.intents[intent.charge_key] = closed(
            stored, outcome=outcome, at=at, by=audit.actor, payment_id=payment_id, code=code
        )
        self.audit.append(audit)
        self.events.extend(events)


class Processor(CountingProcessor):
    """Counts charges; ``seen_intent`` records whether the intent was open when the processor was called."""

    def __init__(self, ledger: InMemoryIntentPosting) -> None:
        super().__init__(SandboxProcessor())
        self.ledger = ledger
        self.seen_intent: list[bool] = []

    def charge(self, request: ChargeRequest):  # type: ignore[no-untyped-def]
        stored = self.ledger.intents.get(request.idempotency_key)
        self.seen_intent.append(stored is not None and stored.status is IntentStatus.OPEN)
        return super().charge(request)


@pytest.fixture
def world():
    acct = b.account(CID, number="UT-200920")
    old = b.invoice(CID, acct.account_number, amount=3_000, due=b.TODAY - timedelta(days=30))
    new = b.invoice(CID, acct.account_number, amount=5_000, due=b.TODAY + timedelta(days=10))
    ledger = InMemoryIntentPosting([old, new], [acct])
    return ledger, Processor(ledger), old, new, acct


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(payments, "BACKOFF_MS", 0)  # the backoff spreads real racers; these ones are simulated


def cmd(amount: int, *, key: str | None = None, token: str = "tok_visa", **kw) -> PayCommand:  # type: ignore[no-untyped-def]
    return PayCommand(
        idempotency_key=key or new_id("key"),
        scope=f"customer:{CID}",
        customer_id=CID,
        amount=amount,
        currency="USD",
        method=PaymentMethodType.CARD,
        channel=Channel.PORTAL,
        actor="customer:x",
        token=token,
        **kw,
    )


def charged_but_never_posted(ledger: InMemoryIntentPosting, processor: Processor, command: PayCommand) -> PaymentIntent:
    """What a crash between the charge and the posting leaves: an open intent and a charge under its key."""
    intent = intent_for(command, 30, b.NOW)
    assert ledger.open_intent(intent) is None
    processor.inner.charge(
        ChargeRequest(charge_key(command), command.amount + 30, "USD", command.token or "", "Payment", CID)
    )
    return intent


def run(ledger: InMemoryIntentPosting, processor: Processor, now: datetime = LATER):  # type: ignore[no-untyped-def]
    return reconcile(intents=ledger, ledger=ledger, processor=processor, config=CONFIG, now=now)


# --- paying ---------------------------------------------------------------------------------------------------


def test_the_intent_is_open_before_the_processor_is_called_and_closed_by_the_posting(world):
    ledger, processor, *_ = world
    assert isinstance(ledger, IntentPosting)
    command = cmd(4_000)
    result = pay(command, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    assert processor.seen_intent == [True]
    intent = ledger.intents[charge_key(command)]
    assert (intent.status, intent.payment_id, intent.amount, intent.fee) == (
        IntentStatus.POSTED,
        result.payment.payment_id,
        4_000,
        30,
    )
    assert intent.created_at == b.NOW and intent.invoices is None


def test_a_charged_payment_that_keeps_losing_races_is_held_as_credit_never_refused(world):
    # Given invoices that change under every posting that touches them
    ledger, processor, old, new, acct = world
    ledger.always_conflicting = True
    result = pay(cmd(4_000), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    # Then the payment is recorded all the same: its money held as the payer's credit, no invoice moved
    assert result.payment.status is PaymentStatus.POSTED and result.posting is not None
    assert result.posting.allocations == () and result.payment.unapplied == 4_000
    assert result.posting.credit and (result.posting.credit.amount, result.posting.credit.account_number) == (
        4_000,
        acct.account_number,
    )
    assert (
        ledger.invoices_by_id[old.invoice_id].balance == 3_000
        and ledger.invoices_by_id[new.invoice_id].balance == 5_000
    )
    assert len(processor.charges) == 1 and len(ledger.postings) == 1
    assert all(i.status is IntentStatus.POSTED for i in ledger.intents.values())


def test_a_charged_payment_too_big_for_one_transaction_is_held_as_credit_never_refused(world):
    ledger, processor, old, *_ = world
    ledger.room = 7  # room for one invoice, not two
    result = pay(cmd(8_000), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    assert result.posting and result.posting.allocations == () and result.payment.unapplied == 8_000
    assert ledger.invoices_by_id[old.invoice_id].balance == 3_000 and len(ledger.postings) == 1


def test_a_race_lost_once_is_planned_again_and_only_the_rest_is_credit(world):
    ledger, processor, old, new, _ = world
    ledger.before_post = lambda: ledger.invoices_by_id.update({old.invoice_id: apply_to_invoice(old, 3_000)})
    result = pay(cmd(6_000), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    assert result.posting and [a.amount for a in result.posting.allocations] == [5_000]
    assert result.payment.unapplied == 1_000 and ledger.invoices_by_id[new.invoice_id].balance == 0


def test_a_key_used_for_another_payment_is_refused_before_any_charge(world):
    ledger, processor, *_ = world
    key = new_id("key")
    stale = intent_for(cmd(1_000, key=key), 30, b.NOW)
    ledger.intents[stale.charge_key] = stale  # an earlier attempt of 1,000 under this key never posted
    with pytest.raises(BusinessRuleError, match="already used for a different payment"):
        pay(cmd(2_000, key=key), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    assert processor.charges == []


# --- reconciling ------------------------------------------------------------------------------------------------


def test_a_charge_whose_posting_never_happened_is_posted_with_its_event_and_audit(world):
    ledger, processor, old, new, _ = world
    intent = charged_but_never_posted(ledger, processor, cmd(4_000))

    assert run(ledger, processor, now=b.NOW + timedelta(minutes=1)).examined == 0  # too fresh: left alone
    report = run(ledger, processor)

    [payment] = ledger.payments.values()
    assert report.posted == [payment.payment_id] and report.failed == []
    assert (payment.amount, payment.fee_amount, payment.status) == (4_000, 30, PaymentStatus.POSTED)
    assert payment.transaction_id == processor.inner.find_charge(intent.charge_key).transaction_id  # type: ignore[union-attr]
    assert ledger.invoices_by_id[old.invoice_id].balance == 0 and ledger.invoices_by_id[new.invoice_id].balance == 4_000
    assert ledger.intents[intent.charge_key].status is IntentStatus.POSTED
    [audit] = ledger.audit
    assert (audit.action, audit.actor, audit.entity_id) == (
        "payment.reconciled",
        "system:reconciler",
        payment.payment_id,
    )
    [event] = ledger.events
    assert event.detail_type == "payment.reconciled"
    assert (event.detail["payment_id"], event.detail["applied"], event.detail["credit"]) == (
        payment.payment_id,
        4_000,
        0,
    )
    assert processor.charges == []  # the reconciler asks; it never charges
    # And the next run has nothing to do
    assert run(ledger, processor, now=LATER + timedelta(minutes=5)).examined == 0


def test_a_reconciled_charge_whose_invoices_were_paid_meanwhile_is_held_as_credit(world):
    ledger, processor, old, _, acct = world
    intent = charged_but_never_posted(ledger, processor, cmd(3_000, invoices=((old.invoice_id, 3_000),)))
    ledger.invoices_by_id[old.invoice_id] = apply_to_invoice(old, 3_000)  # someone else paid it since
    run(ledger, processor)
    [posting] = ledger.postings
    assert posting.allocations == () and posting.credit and posting.credit.amount == 3_000
    assert posting.credit.account_number == acct.account_number
    assert ledger.intents[intent.charge_key].status is IntentStatus.POSTED


@pytest.mark.parametrize(
    ("token", "outcome", "code"),
    [(None, IntentOutcome.NO_CHARGE, None), ("tok_declined", IntentOutcome.CHARGE_FAILED, "card_declined")],
)
def test_an_intent_without_a_charge_that_stands_is_closed_with_its_event_and_audit(world, token, outcome, code):
    ledger, processor, *_ = world
    command = cmd(4_000, token=token or "tok_visa")
    if token is None:
        intent = intent_for(command, 30, b.NOW)
        ledger.open_intent(intent)
    else:
        intent = charged_but_never_posted(ledger, processor, command)
    report = run(ledger, processor)
    closed_intent = ledger.intents[intent.charge_key]
    assert (closed_intent.status, closed_intent.outcome, closed_intent.code) == (IntentStatus.CLOSED, outcome, code)
    assert report.closed == [intent.charge_key] and ledger.payments == {}
    [audit] = ledger.audit
    assert (audit.action, audit.entity_type, audit.entity_id) == (
        "payment_intent.closed",
        "payment_intent",
        intent.charge_key,
    )
    [event] = ledger.events
    assert (event.detail_type, event.detail["outcome"], event.detail["code"]) == (
        "payment_intent.closed",
        outcome.value,
        code,
    )


def test_what_a_clients_retry_did_first_stands(world):
    # Given a charge cut off before its posting, and the client retrying with the same key before the reconciler
    ledger, processor, *_ = world
    command = cmd(4_000)
    intent = charged_but_never_posted(ledger, processor, command)
    listed = ledger.open_intents(created_before=LATER, limit=10)
    retried = pay(command, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW + timedelta(seconds=30))
    # When the reconciler acts on what it listed: the retry's payment stands, nothing is posted or closed twice
    ledger.open_intents = lambda **_: listed  # type: ignore[method-assign]  # the index still shows it open
    report = run(ledger, processor)
    assert report.skipped == 1 and report.posted == [] and report.closed == []
    assert list(ledger.payments) == [retried.payment.payment_id]
    assert ledger.intents[intent.charge_key].payment_id == retried.payment.payment_id


def test_a_close_loses_to_a_retry_that_reopened_the_intent(world):
    ledger, processor, *_ = world
    command = cmd(4_000)
    intent = intent_for(command, 30, b.NOW)
    ledger.open_intent(intent)
    reopened = intent.model_copy(update={"attempt_id": "try_again"})
    real_find = processor.find_charge

    def retry_in_between(key: str):  # type: ignore[no-untyped-def]
        ledger.intents[key] = reopened  # the client's retry re-opens it while the reconciler asks the processor
        return real_find(key)

    processor.find_charge = retry_in_between  # type: ignore[method-assign]
    report = run(ledger, processor)
    assert report.skipped == 1 and report.closed == []
    assert ledger.intents[intent.charge_key].status is IntentStatus.OPEN and ledger.events == []


def test_one_intent_failing_does_not_hold_up_the_others(world):
    ledger, processor, *_ = world
    first = charged_but_never_posted(ledger, processor, cmd(1_000))
    second = charged_but_never_posted(ledger, processor, cmd(2_000))
    real_find = processor.find_charge

    def unavailable_for_the_first(key: str):  # type: ignore[no-untyped-def]
        if key == first.charge_key:
            raise ConnectionError("the processor did not answer")
        return real_find(key)

    processor.find_charge = unavailable_for_the_first  # type: ignore[method-assign]
    report = run(ledger, processor)
    assert [f["charge_key"] for f in report.failed] == [first.charge_key] and len(report.posted) == 1
    assert ledger.intents[first.charge_key].status is IntentStatus.OPEN  # left for the next run
    assert ledger.intents[second.charge_key].status is IntentStatus.POSTED
    assert report.as_dict()["failed"] == 1
