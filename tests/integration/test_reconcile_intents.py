"""The reconciler (issue 10), through the gateway and the ``reconcile`` job against moto: a payment cut off between
its charge and its posting is posted by the job's next run once its intent is a few minutes old, with its audit
record and its ``payment.reconciled`` event; an intent with no charge behind it is closed, with its audit record and
its ``payment_intent.closed`` event; a client's retry afterwards is answered from what the reconciler did."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.intents import DynamoPaymentIntents, put_open
from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
from arportal.config import settings
from arportal.domain.errors import ConflictError
from arportal.domain.models import AuditEvent, Channel, PaymentMethodType
from arportal.domain.payment_intents import RECONCILE_AFTER, IntendedPart, IntentOutcome, IntentStatus, PaymentIntent
from tests.fakes import CountingProcessor
from tests.integration.conftest import new_customer_id
from tests.integration.intents_support import intent
from tests.integration.pay_support import count_charges, pay
from tests.reliability.worlds import PayWorld, pay_world

LATER = RECONCILE_AFTER + timedelta(minutes=1)


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((3_000, 5_000), customer_id=cid)
    w.token = make_users(customer_id=cid).customer_token
    return w


@pytest.fixture
def processor(monkeypatch) -> CountingProcessor:
    return count_charges(monkeypatch, CountingProcessor)


@pytest.fixture
def crash_before_the_posting(monkeypatch) -> list[str]:
    """The next posting dies like a killed container, before its transaction: charged, never recorded."""
    real_post = DynamoPaymentPosting.post
    crashes: list[str] = []

    def post(self, posting, **kwargs):
        if not crashes:
            crashes.append(posting.payment.payment_id)
            raise RuntimeError("the container died (injected)")
        return real_post(self, posting, **kwargs)

    monkeypatch.setattr(DynamoPaymentPosting, "post", post)
    return crashes


def reconcile(gateway, charge_key: str) -> None:
    """Run the job as the scheduler does. The session's environment is shared: an intent another test left behind
    may fail the run (the job then reports it and raises), but never the one this test is about."""
    reply = gateway.request("POST", "/local/jobs/reconcile")
    if reply.status == 200:
        assert reply.body["ok"] and reply.body["result"]["job"] == "reconcile", reply.body
        assert charge_key not in str(reply.body["result"]["failures"])
    else:
        assert reply.body["error"]["code"] == "job_failed", reply.body
        assert "could not be reconciled" in reply.body["error"]["message"]
        assert charge_key not in reply.body["error"]["message"]


def events_about(local_env, **match: object) -> list[dict[str, Any]]:
    local_env.relay_once()
    return [e for e in local_env.drain_events() if all(e["detail"].get(name) == value for name, value in match.items())]


@pytest.mark.usefixtures("crash_before_the_posting")
def test_a_crash_between_charge_and_posting_is_posted_by_the_reconcilers_next_run(
    gateway, local_env, world, processor, time_machine
):
    key = uuid.uuid4().hex
    charge_key = f"customer:{world.customer_id}:{key}"
    # Given a payment charged and then cut off before its posting (the payer saw an error and went away)
    assert pay(gateway, world, key).status == 500
    assert world.payments() == [] and len(processor.charges) == 1
    opened = intent(charge_key)
    assert opened is not None and opened.status is IntentStatus.OPEN and opened.amount == 4_000
    # When the reconciler runs at once: the intent is too fresh to touch (its request may still be running)
    reconcile(gateway, charge_key)
    assert world.payments() == [] and intent(charge_key).status is IntentStatus.OPEN  # type: ignore[union-attr]

    # When it runs again once the intent is a few minutes old
    time_machine.move_to(datetime.now(UTC) + LATER, tick=True)
    reconcile(gateway, charge_key)

    # Then the charge is posted once, as the payment would have been: oldest invoice first, with its receipt record
    [payment] = world.payments()
    found = processor.inner.find_charge(charge_key)
    assert found is not None and payment.transaction_id == found.transaction_id
    assert (payment.amount, payment.status.value, payment.receipt_number is not None) == (4_000, "posted", True)
    assert world.invoice(world.invoices[0].invoice_id).balance == 0
    assert world.invoice(world.invoices[1].invoice_id).balance == 4_000
    assert sum(int(a["amount"]) for a in world.partition("ALLOC#")) == 4_000 and world.partition("CN#") == []
    assert len(processor.charges) == 1  # asked the processor by key; charged nothing more
    # And the intent is closed by that posting
    closed = intent(charge_key)
    assert closed is not None and (closed.status, closed.outcome, closed.payment_id) == (
        IntentStatus.POSTED,
        IntentOutcome.POSTED,
        payment.payment_id,
    )
    # And it has its audit record (the payment's chain starts with the reconciler's record) and its events
    trail = DynamoAuditTrail(settings().audit_table)
    [record] = trail.history("payment", payment.payment_id)
    assert (record["action"], record["actor"], record["after"]["charge_key"]) == (
        "payment.reconciled",
        "system:reconciler",
        charge_key,
    )
    assert trail.verify("payment", payment.payment_id).ok
    kinds = sorted(e["detail-type"] for e in events_about(local_env, payment_id=payment.payment_id))
    assert kinds == ["payment.posted", "payment.reconciled"]
    # And a second run finds nothing more to do for it
    reconcile(gateway, charge_key)
    assert len(world.payments()) == 1 and len(world.partition("ALLOC#")) == 2
    assert events_about(local_env, payment_id=payment.payment_id) == []

    # When the payer comes back and retries with the same key: the reconciled payment is the answer
    retry = pay(gateway, world, key)
    assert retry.status == 201 and retry.body["payment"]["payment_id"] == payment.payment_id
    assert retry.body["receipt"]["status"] == "issued"
    assert len({c.idempotency_key for c in processor.charges}) == 1 and len(world.payments()) == 1


def test_an_intent_without_a_charge_is_closed_and_a_retry_opens_it_again(
    gateway, local_env, world, processor, time_machine
):
    key = uuid.uuid4().hex
    charge_key = f"customer:{world.customer_id}:{key}"
    # Given a payment whose processor never answered and charged nothing
    reply = pay(gateway, world, key, token="tok_unavailable")
    assert reply.status == 503 and world.payments() == []
    assert intent(charge_key).status is IntentStatus.OPEN  # type: ignore[union-attr]

    # When the reconciler runs a few minutes later
    time_machine.move_to(datetime.now(UTC) + LATER, tick=True)
    reconcile(gateway, charge_key)

    # Then the intent is closed, nothing is posted, and the closing is audited and announced
    closed = intent(charge_key)
    assert closed is not None and (closed.status, closed.outcome) == (IntentStatus.CLOSED, IntentOutcome.NO_CHARGE)
    assert world.payments() == []
    trail = DynamoAuditTrail(settings().audit_table)
    [record] = trail.history("payment_intent", charge_key)
    assert (record["action"], record["after"]["outcome"]) == ("payment_intent.closed", "no_charge")
    [event] = events_about(local_env, customer_id=world.customer_id, outcome="no_charge")
    assert event["detail-type"] == "payment_intent.closed" and event["detail"]["amount"] == 4_000

    # When the payer retries with the same key and a card that works: the intent opens again, and posts
    retry = pay(gateway, world, key)
    assert retry.status == 201, retry.body
    [payment] = world.payments()
    after = intent(charge_key)
    assert after is not None and (after.status, after.payment_id) == (IntentStatus.POSTED, payment.payment_id)


def test_the_intent_adapter_opens_conditionally_and_lists_the_old_open_ones_oldest_first(local_env):
    table = settings().ledger_table
    cid = new_customer_id()
    long_ago = datetime.now(UTC) - timedelta(days=400)  # older than anything the session's other tests open

    def made(key: str, at: datetime, amount: int = 1_000) -> PaymentIntent:
        return PaymentIntent(
            charge_key=f"customer:{cid}:{key}",
            scope=f"customer:{cid}",
            idempotency_key=key,
            attempt_id=f"try_{uuid.uuid4().hex}",
            customer_id=cid,
            amount=amount,
            currency="USD",
            method=PaymentMethodType.CARD,
            channel=Channel.PORTAL,
            actor="customer:x",
            invoices=[IntendedPart(invoice_id="inv_1", amount=amount)],
            created_at=at,
        )

    older, newer = made("a", long_ago), made("b", long_ago + timedelta(seconds=1))
    # A new key opens; a retry of the same payment re-opens; another payment under the key is answered with it
    assert put_open(table, newer) is None and put_open(table, older) is None
    assert put_open(table, older.model_copy(update={"attempt_id": "try_retry"})) is None
    stored = put_open(table, made("a", long_ago, amount=1_001))
    assert stored is not None and (stored.amount, stored.attempt_id) == (1_000, "try_retry")
    assert stored.invoices == older.invoices  # it reads back as it was written

    store = DynamoPaymentIntents(table, settings().audit_table)
    listed = store.open_intents(created_before=long_ago + timedelta(seconds=2), limit=10)
    assert [i.charge_key for i in listed] == [older.charge_key, newer.charge_key]
    assert [i.charge_key for i in store.open_intents(created_before=long_ago + timedelta(seconds=1), limit=10)] == [
        older.charge_key
    ]
    assert len(store.open_intents(created_before=long_ago + timedelta(seconds=2), limit=1)) == 1

    # A close conditioned on a stale attempt changes nothing; on the current one it closes and leaves the index
    def audit(of: PaymentIntent) -> AuditEvent:
        return AuditEvent(
            event_id=f"aud_{uuid.uuid4().hex}",
            entity_type="payment_intent",
            entity_id=of.charge_key,
            action="payment_intent.closed",
            actor="system:reconciler",
            at=datetime.now(UTC),
        )

    with pytest.raises(ConflictError):
        store.close_intent(older, outcome=IntentOutcome.NO_CHARGE, at=datetime.now(UTC), audit=audit(older))
    current = store.intent(older.charge_key)
    assert current is not None
    for each in (current, newer):
        store.close_intent(each, outcome=IntentOutcome.NO_CHARGE, at=datetime.now(UTC), audit=audit(each))
    assert store.open_intents(created_before=long_ago + timedelta(seconds=2), limit=10) == []
    closed = store.intent(older.charge_key)
    assert closed is not None and (closed.status, closed.outcome) == (IntentStatus.CLOSED, IntentOutcome.NO_CHARGE)
    # A retry may open a closed intent again, and its next closing extends the intent's audit chain
    assert put_open(table, older.model_copy(update={"attempt_id": "try_third"})) is None
    again = store.intent(older.charge_key)
    assert again is not None and again.status is IntentStatus.OPEN
    store.close_intent(again, outcome=IntentOutcome.NO_CHARGE, at=datetime.now(UTC), audit=audit(again))
    trail = DynamoAuditTrail(settings().audit_table)
    assert len(trail.history("payment_intent", older.charge_key)) == 2
    assert trail.verify("payment_intent", older.charge_key).ok
