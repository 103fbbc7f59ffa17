"""The pure rules of payment intents (issue 10): re-opening by a retry, when the reconciler acts, what it does with
what the processor says, the posting that cannot lose a race, and the sort key of the open-intents index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from arportal.adapters.dynamodb import payment_items, table_layout
from arportal.domain.allocation import AllocationPlan, Part
from arportal.domain.models import Channel, PaymentMethodType
from arportal.domain.payment_intents import (
    RECONCILE_AFTER,
    IntendedPart,
    IntentOutcome,
    IntentStatus,
    PaymentIntent,
    Verdict,
    close_outcome,
    closed,
    closing_status,
    due_for_reconciliation,
    fallback_plan,
    may_reopen,
    reconcile_cutoff,
    same_payment,
    verdict,
)
from arportal.domain.processing import ChargeOutcome
from tests import builders as b

CID = "CUS-000910"


def intent(**changes: object) -> PaymentIntent:
    base = PaymentIntent(
        charge_key=f"customer:{CID}:key-1",
        scope=f"customer:{CID}",
        idempotency_key="key-1",
        attempt_id="try_1",
        customer_id=CID,
        amount=4_000,
        fee=130,
        currency="USD",
        method=PaymentMethodType.CARD,
        channel=Channel.PORTAL,
        actor="customer:x",
        invoices=[IntendedPart(invoice_id="inv_1", amount=4_000)],
        created_at=b.NOW,
    )
    return base.model_copy(update=changes)


# --- a key names one payment --------------------------------------------------------------------------------


def test_a_retry_reopens_its_own_intent_unless_its_payment_is_posted():
    retry = intent(attempt_id="try_2", created_at=b.NOW + timedelta(minutes=1))
    assert may_reopen(intent(), retry)
    assert may_reopen(intent(status=IntentStatus.CLOSED, outcome=IntentOutcome.NO_CHARGE), retry)
    assert not may_reopen(intent(status=IntentStatus.POSTED, payment_id="pay_1"), retry)


@pytest.mark.parametrize("change", [{"amount": 4_001}, {"customer_id": "CUS-000911"}, {"currency": "CAD"}])
def test_another_payment_under_the_same_key_is_not_the_same_payment(change):
    other = intent(**change)
    assert not same_payment(intent(), other) and not may_reopen(intent(), other)


def test_what_it_was_for_may_differ_on_a_retry_the_money_may_not():
    # The Idempotency layer refuses a different body; what the key itself guards is the customer and the money.
    assert same_payment(intent(), intent(invoices=None, account_number="UT-200910"))


# --- when the reconciler acts -------------------------------------------------------------------------------


def test_an_intent_is_due_only_once_it_has_been_open_a_few_minutes():
    now = b.NOW + RECONCILE_AFTER
    assert not due_for_reconciliation(intent(), now)  # exactly RECONCILE_AFTER old: not yet
    assert due_for_reconciliation(intent(), now + timedelta(microseconds=1))
    assert not due_for_reconciliation(intent(), b.NOW + timedelta(seconds=15))  # a request can still be running
    assert not due_for_reconciliation(intent(status=IntentStatus.POSTED, payment_id="pay_1"), now + timedelta(days=1))
    assert due_for_reconciliation(intent(), b.NOW + timedelta(minutes=2), after=timedelta(minutes=1))


def test_the_cutoff_is_a_positive_wait_back_from_now():
    assert reconcile_cutoff(b.NOW) == b.NOW - RECONCILE_AFTER
    assert timedelta(minutes=1) < RECONCILE_AFTER < timedelta(minutes=15)  # Stripe lists 15 minutes consistently
    with pytest.raises(ValueError, match="positive"):
        reconcile_cutoff(b.NOW, timedelta(0))


# --- what the processor says decides --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("found", "expected", "outcome"),
    [
        (ChargeOutcome.SUCCEEDED, Verdict.POST, None),
        (ChargeOutcome.PENDING, Verdict.POST, None),  # ACH accepted: posted pending, as the request would have
        (ChargeOutcome.DECLINED, Verdict.CLOSE, IntentOutcome.CHARGE_FAILED),
        (ChargeOutcome.RETRYABLE, Verdict.CLOSE, IntentOutcome.CHARGE_FAILED),
        (None, Verdict.CLOSE, IntentOutcome.NO_CHARGE),
    ],
)
def test_a_charge_that_stands_is_posted_anything_else_closes(found, expected, outcome):
    assert verdict(found) is expected
    if outcome is None:
        with pytest.raises(ValueError, match="posted, not closed"):
            close_outcome(found)
    else:
        assert close_outcome(found) is outcome


def test_closing_records_why_and_only_once():
    done = closed(intent(), outcome=IntentOutcome.POSTED, at=b.NOW, by="customer:x", payment_id="pay_1")
    assert (done.status, done.payment_id, done.closed_at) == (IntentStatus.POSTED, "pay_1", b.NOW)
    gone = closed(intent(), outcome=IntentOutcome.NO_CHARGE, at=b.NOW, by="system:reconciler")
    assert gone.status is IntentStatus.CLOSED and gone.payment_id is None
    assert closing_status(IntentOutcome.CHARGE_FAILED) is IntentStatus.CLOSED
    assert closing_status(IntentOutcome.ALREADY_POSTED) is IntentStatus.POSTED
    with pytest.raises(ValueError, match="names its payment"):
        closed(intent(), outcome=IntentOutcome.POSTED, at=b.NOW, by="x")
    with pytest.raises(ValueError, match="already posted"):
        closed(done, outcome=IntentOutcome.NO_CHARGE, at=b.NOW, by="x")


# --- the posting that cannot lose a race ------------------------------------------------------------------------


def test_the_fallback_holds_everything_but_the_invoices_the_posting_creates_as_credit():
    acct = b.account(CID, number="UT-200910")
    contended = b.invoice(CID, acct.account_number, amount=3_000)
    new_fee = b.invoice(CID, acct.account_number, amount=500)
    plan = AllocationPlan((Part(contended, 3_000), Part(new_fee, 500)), 700)

    fallback = fallback_plan(plan, frozenset({new_fee.invoice_id}))
    assert [p.invoice.invoice_id for p in fallback.parts] == [new_fee.invoice_id]
    assert (fallback.applied, fallback.unapplied) == (500, 3_700)
    # Money is conserved: what is not applied is held, to the unit
    assert fallback.applied + fallback.unapplied == plan.applied + plan.unapplied == 4_200
    everything = fallback_plan(plan)
    assert everything.parts == () and everything.unapplied == 4_200


# --- the open-intents index -------------------------------------------------------------------------------------


def test_open_intents_sort_by_when_they_were_opened():
    whole = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)  # no microseconds: isoformat would drop them
    later = whole + timedelta(microseconds=1)
    keys_in_order = [
        payment_items.open_intent_osk(at, "customer:CUS-1:k") for at in (whole, later, whole + timedelta(hours=1))
    ]
    assert keys_in_order == sorted(keys_in_order)
    assert payment_items.open_intent_osk(whole, "k") < table_layout.index_time(
        later
    )  # the reconciler's "older than" condition
    assert table_layout.index_time(whole) == "2030-01-02T03:04:05.000000Z"
    assert payment_items.payment_intent_key("customer:CUS-1:k") == {
        "PK": "PAYINTENT#customer:CUS-1:k",
        "SK": "PAYINTENT",
    }
