"""Random sequences of payments keep the ledger's invariants (ARCHITECTURE "Data", issue 4)."""

import contextlib
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from arportal.adapters.sandbox import SandboxProcessor
from arportal.domain.errors import BusinessRuleError
from arportal.domain.fees import FeeSchedule
from arportal.domain.models import Channel, PaymentMethodType
from arportal.domain.status import PaymentStatus
from arportal.services.payments import PayCommand, PaymentsConfig, pay
from tests import builders as b
from tests.fakes import CountingProcessor, InMemoryPaymentPosting

CID = "CUS-000200"
CONFIG = PaymentsConfig("USD", FeeSchedule(), "sandbox")

step = st.tuples(
    st.integers(1, 20_000),  # amount
    st.sampled_from(["tok_visa", "tok_visa", "tok_ach", "tok_declined", "tok_insufficient_funds"]),
    st.booleans(),  # choose invoices explicitly?
    st.integers(0, 4),  # repeat an earlier key?
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(100, 15_000), min_size=1, max_size=5), st.lists(step, min_size=1, max_size=15))
def test_balances_never_go_negative_and_allocations_equal_what_was_paid(invoice_amounts, steps):
    acct = b.account(CID, number="UT-200200")
    invoices = [
        b.invoice(CID, acct.account_number, amount=a, due=b.TODAY + timedelta(days=k))
        for k, a in enumerate(invoice_amounts)
    ]
    ledger = InMemoryPaymentPosting(invoices, [acct])
    processor = CountingProcessor(SandboxProcessor())
    keys: list[str] = []
    for index, (amount, token, choose, repeat) in enumerate(steps):
        key = keys[-repeat] if repeat and len(keys) >= repeat else f"seq-{id(steps)}-{index}"
        keys.append(key)
        method = PaymentMethodType.ACH if token == "tok_ach" else PaymentMethodType.CARD
        chosen = None
        if choose:
            open_ones = ledger.open_invoices(CID)
            chosen = tuple((i.invoice_id, min(amount, i.balance)) for i in open_ones[:2]) or None
        command = PayCommand(
            idempotency_key=key,
            scope=CID,
            customer_id=CID,
            amount=amount,
            currency="USD",
            method=method,
            channel=Channel.PORTAL,
            actor="t",
            token=token,
            invoices=chosen,
            account_number=acct.account_number,
        )
        # a reused key with another amount, or nothing to pay, is refused and writes nothing
        with contextlib.suppress(BusinessRuleError):
            pay(command, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)

    # every invoice balance stays within [0, amount] and agrees with its allocations
    allocated: dict[str, int] = {}
    for posting in ledger.postings:
        for alloc in posting.allocations:
            allocated[alloc.invoice_id] = allocated.get(alloc.invoice_id, 0) + alloc.amount
    for inv in ledger.invoices_by_id.values():
        assert 0 <= inv.balance <= inv.amount
        assert inv.paid == allocated.get(inv.invoice_id, 0)

    # what came in (posted or pending) equals what was allocated plus what is held as credit
    taken = sum(p.payment.amount for p in ledger.postings if p.payment.status is not PaymentStatus.FAILED)
    assert taken == sum(allocated.values()) + sum(c.amount for c in ledger.credits)
    assert all(not p.allocations for p in ledger.postings if p.payment.status is PaymentStatus.FAILED)
    # one posting per key, and no key reached the processor twice
    charged_keys = [c.idempotency_key for c in processor.charges]
    assert len(charged_keys) == len(set(charged_keys))
    assert len(ledger.postings) == len(set(charged_keys))
