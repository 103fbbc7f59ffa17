"""Any sequence of processor reports, delivered in any order and any number of times, moves payments only along
the transitions ``domain/status.py`` allows, applies each event once, and keeps invoices equal to what the
payments still standing paid on them."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from arportal.adapters.sandbox import SandboxProcessor
from arportal.domain.fees import FeeSchedule
from arportal.domain.models import Channel, PaymentMethodType, StatusChange
from arportal.domain.status import PAYMENT_TRANSITIONS, PaymentStatus
from arportal.ports import ProcessorEvent
from arportal.services.payment_status import EventOutcome, apply_processor_event
from arportal.services.payments import PayCommand, PaymentsConfig, pay
from tests import builders as b
from tests.fakes import InMemoryPaymentPosting, InMemoryPaymentStatusStore

CID = "CUS-000600"
CONFIG = PaymentsConfig("USD", FeeSchedule(), "sandbox")
KINDS = ["charge.succeeded", "charge.failed", "charge.returned", "refund.succeeded", "settle"]
STANDING = {PaymentStatus.PENDING, PaymentStatus.POSTED, PaymentStatus.SETTLED, PaymentStatus.PARTIALLY_REFUNDED}

payments_strategy = st.lists(
    st.tuples(st.integers(100, 9_000), st.sampled_from(["tok_ach", "tok_ach", "tok_visa"])), min_size=1, max_size=5
)
reports_strategy = st.lists(
    st.tuples(st.integers(0, 4), st.sampled_from(KINDS), st.integers(0, 5)),  # payment, kind, event id (repeats)
    min_size=1,
    max_size=25,
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(500, 8_000), min_size=1, max_size=4), payments_strategy, reports_strategy)
def test_reports_follow_the_status_machine_and_keep_the_ledger_whole(invoice_amounts, taken, reports):
    acct = b.account(CID, number="UT-200600")
    invoices = [
        b.invoice(CID, acct.account_number, amount=a, due=b.TODAY + timedelta(days=k))
        for k, a in enumerate(invoice_amounts)
    ]
    ledger = InMemoryPaymentPosting(invoices, [acct])
    store = InMemoryPaymentStatusStore(ledger)
    made = []
    for index, (amount, token) in enumerate(taken):
        command = PayCommand(
            idempotency_key=f"prop-{index}",
            scope=CID,
            customer_id=CID,
            amount=amount,
            currency="USD",
            method=PaymentMethodType.ACH if token == "tok_ach" else PaymentMethodType.CARD,
            channel=Channel.PORTAL,
            actor="t",
            token=token,
            account_number=acct.account_number,
        )
        made.append(pay(command, ledger=ledger, processor=SandboxProcessor(), config=CONFIG, now=b.NOW).payment)

    applied_ids: set[str] = set()
    for step, (which, kind, event_number) in enumerate(reports):
        payment = ledger.payments[made[which % len(made)].payment_id]
        if kind == "settle":  # the settlement job moves posted payments on meanwhile (its own conditional write)
            if payment.status is PaymentStatus.POSTED:
                change = StatusChange(status=PaymentStatus.SETTLED, at=b.NOW, by="system:settlement")
                ledger.payments[payment.payment_id] = payment.model_copy(
                    update={
                        "status": PaymentStatus.SETTLED,
                        "history": [*payment.history, change],
                        "version": payment.version + 1,
                    }
                )
            continue
        event_id = f"evt-{payment.payment_id}-{kind}-{event_number}"
        event = ProcessorEvent(event_id, kind, payment.transaction_id or "", b.NOW + timedelta(minutes=step))
        result = apply_processor_event(event, processor="sandbox", store=store, now=b.NOW + timedelta(minutes=step))
        if result.outcome is EventOutcome.APPLIED:
            assert event_id not in applied_ids
            applied_ids.add(event_id)
        elif event_id in applied_ids:
            assert result.outcome is EventOutcome.DUPLICATE

    # Every status change a payment went through is one the status machine allows
    for payment in ledger.payments.values():
        statuses = [h.status for h in payment.history]
        for before, after in pairwise(statuses):
            assert after in PAYMENT_TRANSITIONS[before], (before, after)
    # Each applied event was audited exactly once
    assert len(store.audit) == len(applied_ids)
    # Invoices show exactly what the payments still standing paid on them; balances stay within [0, amount]
    standing = {p.payment_id for p in ledger.payments.values() if p.status in STANDING}
    for invoice in ledger.invoices_by_id.values():
        paid = sum(
            a.amount
            for posting in ledger.postings
            for a in posting.allocations
            if a.invoice_id == invoice.invoice_id and a.payment_id in standing
        )
        assert invoice.paid == paid and 0 <= invoice.balance <= invoice.amount
    # Credit held equals what the payments still standing left unapplied
    assert sum(c.remaining for c in ledger.credits) == sum(ledger.payments[p].unapplied for p in standing)
