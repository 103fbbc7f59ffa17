"""Refunds, voids, reversals and adjustments planned from what was read (pure)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from arportal.domain.approvals import StaffAction
from arportal.domain.models import Allocation, LineKind, StatusChange
from arportal.domain.posting import apply_to_invoice
from arportal.domain.staff_actions import (
    ActionNotAllowedError,
    AdjustmentExceedsBalanceError,
    AdjustmentKind,
    RefundExceedsRefundableError,
    VoidAfterSettlementError,
    check_money_back,
    plan_adjustment,
    plan_money_back,
)
from arportal.domain.status import InvoiceStatus, PaymentStatus
from tests import builders as b

A, S = StaffAction, PaymentStatus


def paid_setup(amounts=(3_000, 4_000)):
    cid = "CUS-00EXC1"
    account = b.account(cid)
    invoices = [b.invoice(cid, account.account_number, amount=a) for a in amounts]
    payment = b.payment(cid, amount=sum(amounts))
    allocations = [
        Allocation(
            payment_id=payment.payment_id,
            invoice_id=i.invoice_id,
            invoice_number=i.invoice_number,
            customer_id=cid,
            account_number=account.account_number,
            department="utilities",
            amount=i.amount,
            currency="USD",
            applied_at=b.NOW,
        )
        for i in invoices
    ]
    invoices = [apply_to_invoice(i, i.amount) for i in invoices]
    return payment, allocations, invoices


def test_a_settled_payment_cannot_be_voided_and_the_error_says_what_to_do_instead():
    payment = b.payment("CUS-00EXC1", status=S.SETTLED)
    with pytest.raises(VoidAfterSettlementError) as refused:
        check_money_back(A.VOID, payment, None)
    assert refused.value.code == "void_after_settlement"
    assert "refund" in refused.value.message and "reversal" in refused.value.message


def test_a_refund_larger_than_what_remains_refundable_is_refused():
    payment = b.payment("CUS-00EXC1", amount=5_000).model_copy(
        update={"status": S.PARTIALLY_REFUNDED, "refunded": 3_000}
    )
    assert check_money_back(A.REFUND, payment, 2_000) == 2_000
    with pytest.raises(RefundExceedsRefundableError) as refused:
        check_money_back(A.REFUND, payment, 2_001)
    assert refused.value.details["refundable"] == 2_000


@pytest.mark.parametrize("status", [S.PENDING, S.FAILED, S.VOIDED, S.REFUNDED, S.REVERSED])
def test_only_posted_or_settled_payments_take_refunds(status):
    with pytest.raises(Exception, match="cannot take a refund"):
        check_money_back(A.REFUND, b.payment("CUS-00EXC1", status=status), 100)


def test_partial_refunds_take_consecutive_slices_from_the_last_invoice_first():
    payment, allocations, invoices = paid_setup()
    first = plan_money_back(
        A.REFUND,
        payment,
        amount=5_000,
        allocations=allocations,
        invoices=invoices,
        credit=None,
        actor="staff:a",
        note="duplicate",
        now=b.NOW,
    )
    assert first.after.status is S.PARTIALLY_REFUNDED and first.after.refunded == 5_000
    assert sorted(-c.amount for c in first.invoice_changes) == [1_000, 4_000]
    reopened = {c.after.invoice_id: c.after for c in first.invoice_changes}
    second = plan_money_back(
        A.REFUND,
        first.after,
        amount=2_000,
        allocations=allocations,
        invoices=list(reopened.values()),
        credit=None,
        actor="staff:a",
        note="duplicate",
        now=b.NOW + timedelta(minutes=1),
    )
    assert second.after.status is S.REFUNDED and second.after.refunded == 7_000
    assert [c.after.balance for c in second.invoice_changes] == [3_000]
    assert second.after.history[-1].by == "staff:a"


def test_a_void_takes_everything_back_and_keeps_no_fee():
    payment, allocations, invoices = paid_setup()
    payment = payment.model_copy(update={"fee_amount": 175})
    back = plan_money_back(
        A.VOID,
        payment,
        amount=payment.amount,
        allocations=allocations,
        invoices=invoices,
        credit=None,
        actor="staff:a",
        note="processing_error",
        now=b.NOW,
    )
    assert back.after.status is S.VOIDED and back.after.fee_amount == 0
    assert back.processor_amount == 7_175
    assert all(c.after.status is InvoiceStatus.OPEN for c in back.invoice_changes)


def test_a_debit_adjustment_adds_an_adjustment_line_and_a_credit_lowers_the_balance():
    invoice = b.invoice("CUS-00EXC1", "UT-200001", amount=10_000)
    debit = plan_adjustment(invoice, AdjustmentKind.ADJUSTMENT, 1_250, description="Meter misread")
    assert debit.after.amount == 11_250 and debit.after.balance == 11_250
    assert debit.after.lines[-1].kind is LineKind.ADJUSTMENT
    credit = plan_adjustment(invoice, AdjustmentKind.ADJUSTMENT, -2_500, description="Billing error")
    assert credit.after.credited == 2_500 and credit.after.balance == 7_500
    written_off = plan_adjustment(invoice, AdjustmentKind.WRITE_OFF, 10_000, description="Uncollectible")
    assert written_off.after.balance == 0 and written_off.after.status is InvoiceStatus.PAID
    with pytest.raises(AdjustmentExceedsBalanceError):
        plan_adjustment(invoice, AdjustmentKind.WRITE_OFF, 10_001, description="Too much")


def _with_history(payment, *statuses):
    history = [StatusChange(status=s, at=b.NOW, by="x") for s in statuses]
    return payment.model_copy(update={"status": statuses[-1], "history": history})


def test_a_reversal_is_for_a_settled_payment_and_an_unsettled_one_is_voided_instead():
    posted = b.payment("CUS-00EXC1", amount=5_000)
    with pytest.raises(ActionNotAllowedError) as refused:
        check_money_back(A.REVERSAL, posted, None)
    assert refused.value.details == {"status": "posted", "use": ["void"]}
    assert "void it instead" in refused.value.message
    # refunded in part before it settled: it cannot be voided either, so the rest is refunded
    partly = _with_history(posted, S.POSTED, S.PARTIALLY_REFUNDED).model_copy(update={"refunded": 1_000})
    with pytest.raises(ActionNotAllowedError) as refused:
        check_money_back(A.REVERSAL, partly, None)
    assert refused.value.details["use"] == ["refund"]
    with pytest.raises(ActionNotAllowedError, match="refund the rest"):
        check_money_back(A.VOID, partly, None)
    # settled (and refunded in part since, or not): the bank's taking back what the refunds had not
    assert check_money_back(A.REVERSAL, _with_history(posted, S.POSTED, S.SETTLED), None) == 5_000
    settled_then_refunded = _with_history(posted, S.POSTED, S.SETTLED, S.PARTIALLY_REFUNDED)
    assert check_money_back(A.REVERSAL, settled_then_refunded.model_copy(update={"refunded": 1_000}), None) == 4_000
    with pytest.raises(VoidAfterSettlementError):
        check_money_back(A.VOID, settled_then_refunded, None)


def test_each_money_back_records_what_it_gave_back():
    payment, allocations, invoices = paid_setup()
    payment = payment.model_copy(update={"fee_amount": 175})
    void = plan_money_back(
        A.VOID, payment, amount=7_000, allocations=allocations, invoices=invoices, credit=None,
        actor="staff", note="x", now=b.NOW,
    )  # fmt: skip
    assert void.after.history[-1].amount == 7_175 and void.after.fee_amount == 0  # the fee went back too
    refund = plan_money_back(
        A.REFUND, payment, amount=2_000, allocations=allocations, invoices=invoices, credit=None,
        actor="staff", note="x", now=b.NOW,
    )  # fmt: skip
    assert refund.after.history[-1].amount == 2_000 and refund.after.fee_amount == 175  # a refund keeps the fee
