"""What processor reports do to payments: the transitions, the reversal of allocations and credit, and the
idempotence per event id, against in-memory ports with the adapter's semantics."""

from __future__ import annotations

from datetime import timedelta

import pytest

from arportal.adapters.sandbox import SandboxProcessor
from arportal.domain.fees import FeeSchedule
from arportal.domain.ids import new_id
from arportal.domain.models import Channel, CreditApplication, PaymentMethodType
from arportal.domain.posting import apply_to_invoice
from arportal.domain.status import InvoiceStatus, PaymentStatus
from arportal.ports import ProcessorEvent
from arportal.services.payment_status import EventOutcome, apply_processor_event, handle_processor_event
from arportal.services.payments import PayCommand, PaymentsConfig, credit_note_id_for, pay
from tests import builders as b
from tests.fakes import InMemoryPaymentPosting, InMemoryPaymentStatusStore, ReceiptKit

CID = "CUS-000300"
CONFIG = PaymentsConfig("USD", FeeSchedule(), "sandbox")


@pytest.fixture
def world():
    acct = b.account(CID, number="UT-200300")
    old = b.invoice(CID, acct.account_number, amount=3_000, due=b.TODAY - timedelta(days=10))
    new = b.invoice(CID, acct.account_number, amount=5_000, due=b.TODAY + timedelta(days=10))
    ledger = InMemoryPaymentPosting([old, new], [acct])
    return ledger, InMemoryPaymentStatusStore(ledger), old, new, acct


def paid(ledger, amount, *, token="tok_ach", method=PaymentMethodType.ACH, account=None):
    command = PayCommand(
        idempotency_key=new_id("key"),
        scope=CID,
        customer_id=CID,
        amount=amount,
        currency="USD",
        method=method,
        channel=Channel.PORTAL,
        actor="customer:x",
        token=token,
        account_number=account,
    )
    return pay(command, ledger=ledger, processor=SandboxProcessor(), config=CONFIG, now=b.NOW).payment


def event(payment, kind, *, event_id=None, code=None):
    return ProcessorEvent(
        event_id=event_id or new_id("evt"),
        kind=kind,
        transaction_id=payment.transaction_id,
        occurred_at=b.NOW,
        code=code,
    )


def apply(store, e):
    return apply_processor_event(e, processor="sandbox", store=store, now=b.NOW + timedelta(days=3))


def test_settled_ach_posts_with_a_receipt_and_keeps_its_allocations(world):
    ledger, store, old, *_ = world
    payment = paid(ledger, 3_000)
    # When the bank settles it
    result = apply(store, event(payment, "charge.succeeded"))
    # Then it moves pending -> posted, gets a receipt, and the invoice stays paid
    assert result.outcome is EventOutcome.APPLIED and result.status is PaymentStatus.POSTED
    after = ledger.payments[payment.payment_id]
    assert [h.status for h in after.history] == [PaymentStatus.PENDING, PaymentStatus.POSTED]
    assert after.history[-1].by == "processor:sandbox" and after.version == payment.version + 1
    assert result.change and result.change.receipt and after.receipt_number == result.change.receipt.receipt_number
    assert result.change.receipt.total == 3_000 and not result.change.invoice_changes
    assert ledger.invoices_by_id[old.invoice_id].status is InvoiceStatus.PAID
    assert store.outbox == [("payment.posted", payment.payment_id)]


def test_failed_ach_reopens_every_invoice_and_removes_the_unused_credit(world):
    ledger, store, old, new, acct = world
    payment = paid(ledger, 9_000, account=acct.account_number)  # 3,000 + 5,000 applied, 1,000 credit
    assert [c.credit_note_id for c in ledger.credits] == [credit_note_id_for(payment.payment_id)]
    result = apply(store, event(payment, "charge.failed", code="insufficient_funds"))
    assert result.status is PaymentStatus.FAILED and result.credit_shortfall == 0
    for before in (old, new):
        now = ledger.invoices_by_id[before.invoice_id]
        assert (now.paid, now.balance, now.status) == (0, before.amount, InvoiceStatus.OPEN)
        assert now.version == before.version + 2
    assert ledger.credits == []
    failed = ledger.payments[payment.payment_id]
    assert failed.fee_amount == 0 and failed.history[-1].note == "insufficient_funds"
    assert store.audit[-1].after and store.audit[-1].after["reopened"] == [old.invoice_id, new.invoice_id]


def test_credit_already_spent_is_kept_as_a_record_and_reported(world):
    ledger, store, _, _, acct = world
    payment = paid(ledger, 9_000, account=acct.account_number)
    [credit] = ledger.credits
    # Given 600 of the 1,000 credit was applied elsewhere meanwhile
    used = CreditApplication(invoice_id="inv_x", invoice_number="UT-2026-99999", amount=600, applied_at=b.NOW)
    ledger.credits = [credit.model_copy(update={"remaining": 400, "applications": [used]})]
    result = apply(store, event(payment, "charge.failed"))
    # Then the 400 left is taken back, the note keeps the 600 used, and the 600 is reported for follow-up
    [kept] = ledger.credits
    assert (kept.amount, kept.remaining) == (600, 0)
    assert result.credit_shortfall == 600 and store.audit[-1].after["credit_shortfall"] == 600


def test_a_return_after_posting_reverses_and_a_return_before_it_fails(world):
    ledger, store, old, *_ = world
    first = paid(ledger, 1_000)
    apply(store, event(first, "charge.succeeded"))
    returned = apply(store, event(first, "charge.returned", code="R01"))
    assert returned.status is PaymentStatus.REVERSED
    assert ledger.invoices_by_id[old.invoice_id].balance == 3_000
    second = paid(ledger, 500)
    early = apply(store, event(second, "charge.returned"))
    assert early.status is PaymentStatus.FAILED


def test_a_card_payments_own_success_report_changes_nothing(world):
    ledger, store, *_ = world
    payment = paid(ledger, 1_000, token="tok_visa", method=PaymentMethodType.CARD)
    result = apply(store, event(payment, "charge.succeeded"))
    assert result.outcome is EventOutcome.IGNORED and "posted" in (result.reason or "")
    assert ledger.payments[payment.payment_id] == payment and store.audit == []


@pytest.mark.parametrize("kind", ["refund.succeeded", "charge.disputed", "charge.failed"])
def test_what_does_not_apply_is_ignored(world, kind):
    ledger, store, *_ = world
    payment = paid(ledger, 1_000)
    apply(store, event(payment, "charge.succeeded"))
    assert apply(store, event(payment, kind)).outcome is EventOutcome.IGNORED


def test_an_unknown_transaction_is_ignored(world):
    _, store, *_ = world
    ghost = b.payment(CID, transaction_id="sbx_ghost")
    assert apply(store, event(ghost, "charge.failed")).outcome is EventOutcome.IGNORED


def test_the_same_event_twice_applies_once(world):
    ledger, store, old, *_ = world
    payment = paid(ledger, 3_000)
    e = event(payment, "charge.failed")
    assert apply(store, e).outcome is EventOutcome.APPLIED
    again = apply(store, e)
    assert again.outcome is EventOutcome.DUPLICATE and again.status is PaymentStatus.FAILED
    assert ledger.invoices_by_id[old.invoice_id].balance == 3_000 and len(store.audit) == 1


def test_a_duplicate_delivered_at_the_same_moment_is_a_duplicate(world):
    ledger, store, *_ = world
    payment = paid(ledger, 3_000)
    e = event(payment, "charge.failed")

    def the_other_delivery_wins():
        apply(store, e)

    store.before_apply = the_other_delivery_wins
    assert apply(store, e).outcome is EventOutcome.DUPLICATE
    assert len(store.audit) == 1


def test_a_change_that_loses_a_race_is_planned_again(world):
    ledger, store, old, new, _ = world
    payment = paid(ledger, 4_000)  # 3,000 on old, 1,000 on new

    def someone_credits_the_newer_invoice():
        current = ledger.invoices_by_id[new.invoice_id]
        ledger.invoices_by_id[new.invoice_id] = apply_to_invoice(current, 500)

    store.before_apply = someone_credits_the_newer_invoice
    result = apply(store, event(payment, "charge.failed"))
    assert result.outcome is EventOutcome.APPLIED
    assert ledger.invoices_by_id[new.invoice_id].paid == 500  # only this payment's 1,000 was taken back
    assert ledger.invoices_by_id[old.invoice_id].paid == 0


def test_the_payer_is_told(world):
    ledger, store, *_ = world
    kit = ReceiptKit(ledger, [b.customer(CID, email="pat@example.org")])
    settled, failed = paid(ledger, 1_000), paid(ledger, 500)
    posted = handle_processor_event(
        event(settled, "charge.succeeded"), processor="sandbox", store=store, receipts=kit.services(), now=b.NOW
    )
    returned = handle_processor_event(
        event(failed, "charge.failed", code="account_closed"),
        processor="sandbox",
        store=store,
        receipts=kit.services(),
        now=b.NOW,
    )
    assert posted.delivery and posted.delivery.document_id and posted.delivery.emailed_to == ("pat@example.org",)
    assert returned.delivery and returned.delivery.emailed_to == ("pat@example.org",)
    assert [e.subject for e in kit.sent] == [
        f"Springfield: receipt {ledger.payments[settled.payment_id].receipt_number} for your payment",
        "Springfield: your bank payment was returned",
    ]
    assert "bank account is closed" in kit.sent[1].text and "What to do next" in kit.sent[1].text


def test_telling_the_payer_never_fails_the_event(world):
    ledger, store, *_ = world
    kit = ReceiptKit(ledger, [b.customer(CID, email="pat@example.org")])
    kit.failing = {"render", "mail"}
    payment = paid(ledger, 1_000)
    result = handle_processor_event(
        event(payment, "charge.succeeded"), processor="sandbox", store=store, receipts=kit.services(), now=b.NOW
    )
    assert result.outcome is EventOutcome.APPLIED and ledger.payments[payment.payment_id].status is PaymentStatus.POSTED
    # The receipt's PDF is drawn on its first download, not here, so only the email's failure is reported
    assert result.delivery and set(result.delivery.problems) == {"receipt_email_not_sent"}
