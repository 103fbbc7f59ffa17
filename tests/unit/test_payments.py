"""The payment service's rules, against in-memory ports with the adapter's semantics."""

from datetime import timedelta

import pytest

from arportal.adapters.sandbox import SandboxProcessor
from arportal.domain.errors import BusinessRuleError, DependencyError, NotFoundError
from arportal.domain.fees import FeeRule, FeeSchedule
from arportal.domain.ids import new_id
from arportal.domain.models import Channel, PaymentMethodType
from arportal.domain.posting import apply_to_invoice
from arportal.domain.status import InvoiceStatus, PaymentStatus
from arportal.services.payments import PayCommand, PaymentsConfig, pay
from tests import builders as b
from tests.fakes import CountingProcessor, InMemoryPaymentPosting

CONFIG = PaymentsConfig(
    "USD", FeeSchedule(rules={PaymentMethodType.CARD: FeeRule(fixed=30, basis_points=250)}), "sandbox"
)
CID = "CUS-000100"


@pytest.fixture
def world():
    acct = b.account(CID, number="UT-200100")
    old = b.invoice(CID, acct.account_number, amount=3000, due=b.TODAY - timedelta(days=30))
    new = b.invoice(CID, acct.account_number, amount=5000, due=b.TODAY + timedelta(days=10))
    ledger = InMemoryPaymentPosting([old, new], [acct])
    return ledger, CountingProcessor(SandboxProcessor()), old, new, acct


def cmd(amount, *, key=None, token="tok_visa", method=PaymentMethodType.CARD, **kw):
    return PayCommand(
        idempotency_key=key or new_id("key"),
        scope=CID,
        customer_id=CID,
        amount=amount,
        currency="USD",
        method=method,
        channel=Channel.PORTAL,
        actor="customer:x",
        token=token,
        **kw,
    )


def test_partial_payment_is_applied_oldest_first_with_fee_and_receipt(world):
    ledger, processor, old, new, _ = world
    result = pay(cmd(4000), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    assert result.payment.status is PaymentStatus.POSTED
    assert [h.status for h in result.payment.history] == [PaymentStatus.AUTHORIZED, PaymentStatus.POSTED]
    assert result.payment.fee_amount == 30 + 100
    assert processor.charges[0].amount == 4000 + 130  # the fee is charged on top, shown on the receipt
    assert ledger.invoices_by_id[old.invoice_id].status is InvoiceStatus.PAID
    assert ledger.invoices_by_id[new.invoice_id].balance == 4000
    assert result.posting and result.posting.receipt and result.posting.receipt.total == 4130
    assert result.payment.receipt_number == result.posting.receipt.receipt_number


def test_same_key_replays_without_a_second_charge_or_posting(world):
    ledger, processor, *_ = world
    first = pay(cmd(1000, key="k1"), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    again = pay(cmd(1000, key="k1"), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    assert again.replayed and again.payment.payment_id == first.payment.payment_id
    assert len(processor.charges) == 1 and len(ledger.postings) == 1
    with pytest.raises(BusinessRuleError, match="different payment"):
        pay(cmd(1500, key="k1"), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)


def test_overpayment_is_held_as_credit(world):
    ledger, processor, *_ = world
    result = pay(cmd(9000), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    assert result.posting and result.posting.credit and result.posting.credit.amount == 1000
    assert sum(a.amount for a in result.posting.allocations) == 8000


def test_paying_ahead_needs_an_account_to_hold_the_credit(world):
    ledger, processor, old, new, acct = world
    for inv in (old, new):
        ledger.invoices_by_id[inv.invoice_id] = apply_to_invoice(inv, inv.balance)
    with pytest.raises(BusinessRuleError, match="nothing open"):
        pay(cmd(500), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    result = pay(
        cmd(500, account_number=acct.account_number), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW
    )
    assert result.posting and result.posting.credit and result.posting.credit.account_number == acct.account_number


def test_declines_are_recorded_as_failed_and_move_no_money(world):
    ledger, processor, old, *_ = world
    result = pay(cmd(1000, token="tok_declined"), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    assert result.payment.status is PaymentStatus.FAILED and result.decline_code == "card_declined"
    assert result.posting and not result.posting.allocations and result.posting.receipt is None
    assert ledger.invoices_by_id[old.invoice_id].balance == 3000


def test_ach_stays_pending_but_is_applied(world):
    ledger, processor, old, *_ = world
    result = pay(
        cmd(3000, token="tok_ach", method=PaymentMethodType.ACH),
        ledger=ledger,
        processor=processor,
        config=CONFIG,
        now=b.NOW,
    )
    assert result.payment.status is PaymentStatus.PENDING and result.payment.receipt_number is None
    assert ledger.invoices_by_id[old.invoice_id].balance == 0


def test_lost_answer_is_reconciled_by_key_not_charged_again(world):
    ledger, processor, *_ = world
    result = pay(
        cmd(1000, token="tok_unavailable_after_charge"), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW
    )
    assert result.payment.status is PaymentStatus.POSTED and len(processor.charges) == 1
    with pytest.raises(DependencyError, match="nothing was charged"):
        pay(cmd(1000, token="tok_unavailable"), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)


def test_a_racing_payment_is_replanned_never_overpaying(world):
    ledger, processor, old, new, _ = world

    def someone_else_pays_the_old_invoice():
        ledger.invoices_by_id[old.invoice_id] = apply_to_invoice(old, 3000)

    ledger.before_post = someone_else_pays_the_old_invoice
    result = pay(
        cmd(4000, invoices=((old.invoice_id, 3000), (new.invoice_id, 1000))),
        ledger=ledger,
        processor=processor,
        config=CONFIG,
        now=b.NOW,
    )
    assert ledger.invoices_by_id[old.invoice_id].balance == 0
    assert ledger.invoices_by_id[new.invoice_id].balance == 4000
    assert result.posting and result.posting.credit and result.posting.credit.amount == 3000


def test_bad_input_is_refused_before_any_charge(world):
    ledger, processor, *_ = world
    for bad, match in [
        (cmd(0), "more than zero"),
        (cmd(100, token=None), "token"),
        (cmd(100, expected_fee=1), "fee has changed"),
    ]:
        with pytest.raises(BusinessRuleError, match=match):
            pay(bad, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    with pytest.raises(NotFoundError):
        pay(cmd(100, invoices=(("inv_nope", 100),)), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    assert processor.charges == []


def test_cash_at_the_counter_needs_no_processor(world):
    ledger, processor, *_ = world
    result = pay(
        cmd(500, token=None, method=PaymentMethodType.CASH, terminal_id="T1", drawer_id="D1"),
        ledger=ledger,
        processor=processor,
        config=CONFIG,
        now=b.NOW,
    )
    assert result.payment.status is PaymentStatus.POSTED and result.payment.processor == "offline"
    assert result.payment.fee_amount == 0 and processor.charges == []


def test_a_payment_whose_invoice_was_paid_meanwhile_is_held_as_credit_on_that_account(world):
    # Given a payment naming one invoice, which someone else pays in full between the charge and the posting
    ledger, processor, old, _, acct = world

    def someone_else_pays_it():
        ledger.invoices_by_id[old.invoice_id] = apply_to_invoice(old, 3000)

    ledger.before_post = someone_else_pays_it
    result = pay(
        cmd(3000, invoices=((old.invoice_id, 3000),)), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW
    )
    # Then the charge stands and its money is credit on the invoice's account, not lost and not applied twice
    assert result.posting and not result.posting.allocations
    assert result.posting.credit and result.posting.credit.account_number == acct.account_number
    assert result.payment.unapplied == 3000 and ledger.invoices_by_id[old.invoice_id].balance == 0


def test_guests_cannot_pay_more_than_is_owed(world):
    ledger, processor, old, *_ = world
    with pytest.raises(BusinessRuleError, match="more than what is owed"):
        pay(
            cmd(3001, invoices=((old.invoice_id, 3001),), allow_credit=False),
            ledger=ledger,
            processor=processor,
            config=CONFIG,
            now=b.NOW,
        )
    assert processor.charges == []


def test_the_payment_records_its_departments_and_credit(world):
    ledger, processor, *_ = world
    result = pay(cmd(9000), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    assert result.payment.departments == ["utilities"] and result.payment.unapplied == 1000


class CrashOnce(InMemoryPaymentPosting):
    """Its next posting dies (the container was killed between the charge and the posting)."""

    crash = True

    def post(self, posting, **kwargs):
        if self.crash:
            self.crash = False
            raise RuntimeError("killed (injected)")
        super().post(posting, **kwargs)


@pytest.mark.parametrize("chosen", [True, False])
def test_a_retry_after_a_crash_posts_the_charge_even_when_its_invoices_were_paid_meanwhile(chosen):
    # Given a payment charged, then cut off before its posting
    acct = b.account(CID, number="UT-200101")
    invoice = b.invoice(CID, acct.account_number, amount=3000)
    ledger = CrashOnce([invoice], [acct])
    processor = CountingProcessor(SandboxProcessor())
    command = cmd(3000, key=new_id("key"), invoices=((invoice.invoice_id, 3000),) if chosen else None)
    with pytest.raises(RuntimeError):
        pay(command, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    # And the invoice paid by someone else before the client retries
    ledger.invoices_by_id[invoice.invoice_id] = apply_to_invoice(invoice, 3000)
    # When the client retries with the same key
    result = pay(command, ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    # Then the charge (made once) is posted, held as credit on the account it was meant for: nothing lost
    assert len({c.idempotency_key for c in processor.charges}) == 1
    assert result.posting and result.posting.credit and result.posting.credit.amount == 3000
    assert result.posting.credit.account_number == acct.account_number and not result.posting.allocations
    assert ledger.invoices_by_id[invoice.invoice_id].paid == 3000


def test_without_an_earlier_charge_a_closed_invoice_is_still_refused(world):
    ledger, processor, old, *_ = world
    ledger.invoices_by_id[old.invoice_id] = apply_to_invoice(old, 3000)
    with pytest.raises(BusinessRuleError, match="not open"):
        pay(cmd(1000, invoices=((old.invoice_id, 1000),)), ledger=ledger, processor=processor, config=CONFIG, now=b.NOW)
    assert processor.charges == []
