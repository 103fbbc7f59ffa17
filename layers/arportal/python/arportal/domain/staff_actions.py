"""Exceptions on payments and invoices, planned before anything is written: refunds, voids, reversals,
adjustments and write-offs. Pure: every function takes what was read and returns what to write.

Which action fits which payment (``domain/status.py`` has the transitions):
- a **void** cancels a payment before it settles (pending, authorized, posted): everything it applied is taken
  back and nothing stays collected, fee included. A settled payment cannot be voided: refund or reverse it;
- a **refund** returns part or all of what a posted or settled payment collected, never more than what is still
  refundable (``amount - refunded``); the fee is not refunded (decision: the processor keeps its fee);
- a **reversal** records money taken back by the bank after the fact (NSF, a chargeback) of a payment that has
  **settled**: what was not refunded yet is taken back, with no call to the processor. An unsettled payment is
  voided instead (decision: before settlement the processor can still cancel the charge, so the payer gets the
  money, fee included, back through the same card or account and the agency's deposit never carries it; a
  reversal there would record a return that never went through the bank and leave the charge standing). A
  processor's own report of a return (``services/payment_status.py``) is the bank's word and applies as it comes.

Where returned money comes from, always in the same order: the credit the payment left on account first, then
its allocations from the last invoice to the first. A payment's returns are cumulative (``refunded`` before and
after), so the n-th partial refund takes exactly the slice ``[refunded, refunded + amount)`` of that order, and
all of a payment's refunds together take back exactly what it applied. Credit already spent elsewhere, or an
invoice an adjustment has since paid down, cannot be taken back: that part is the ``shortfall``, recorded for
staff to follow up. Invariant: every invoice's balance stays >= 0 and ``paid`` never goes below zero.

Adjustments: a debit (amount > 0) adds a line of kind ``adjustment`` to the invoice (amount and balance rise);
a credit (amount < 0) and a write-off (amount > 0, the uncollectible part) raise ``credited`` and lower the
balance, never below zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from arportal.domain.approvals import StaffAction
from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import Allocation, CreditNote, Invoice, InvoiceLine, LineKind, Payment, StatusChange
from arportal.domain.posting import InvoiceChange, apply_to_invoice
from arportal.domain.status import PaymentStatus, invoice_status_for, transition_invoice, transition_payment

P = PaymentStatus
VOIDABLE = frozenset({P.PENDING, P.AUTHORIZED, P.POSTED})
REFUNDABLE = frozenset({P.POSTED, P.SETTLED, P.PARTIALLY_REFUNDED})
REVERSIBLE = frozenset({P.SETTLED, P.PARTIALLY_REFUNDED})  # and settled: see ``has_settled``
ADJUSTMENT_FEE_CODE = "ADJUSTMENT"


class ReasonCode(StrEnum):
    DUPLICATE = "duplicate"
    CUSTOMER_REQUEST = "customer_request"
    PROCESSING_ERROR = "processing_error"
    NSF = "nsf"
    BILLING_ERROR = "billing_error"
    HARDSHIP = "hardship"
    UNCOLLECTIBLE = "uncollectible"
    OTHER = "other"


class AdjustmentKind(StrEnum):
    ADJUSTMENT = "adjustment"
    WRITE_OFF = "write_off"


class RefundExceedsRefundableError(BusinessRuleError):
    code = "refund_exceeds_refundable"


class VoidAfterSettlementError(BusinessRuleError):
    code = "void_after_settlement"


class ActionNotAllowedError(BusinessRuleError):
    code = "action_not_allowed"


class AdjustmentExceedsBalanceError(BusinessRuleError):
    code = "adjustment_exceeds_balance"


@dataclass(frozen=True)
class MoneyBack:
    """Everything a refund, void or reversal writes, and what it could not take back."""

    before: Payment
    after: Payment
    amount: int  # what leaves the payment (principal)
    processor_amount: int  # what the processor returns to the payer (a void returns the fee too)
    invoice_changes: tuple[InvoiceChange, ...]
    credit_before: CreditNote | None
    credit_after: CreditNote | None  # None with credit_before set: the credit note is removed
    shortfall: int


def refundable(payment: Payment) -> int:
    return payment.amount - payment.refunded


def has_settled(payment: Payment) -> bool:
    """Whether the payment's funds reached the agency's bank (it stays settled through later refunds)."""
    return payment.status is P.SETTLED or any(change.status is P.SETTLED for change in payment.history)


def check_money_back(action: StaffAction, payment: Payment, amount: int | None) -> int:
    """The amount the action moves, or the rule it breaks (422 with a code the console can act on)."""
    status = payment.status
    if action is StaffAction.VOID:
        if status is P.PARTIALLY_REFUNDED and not has_settled(payment):
            raise ActionNotAllowedError(
                "part of this payment has been refunded, so it can no longer be voided; refund the rest instead",
                details={"status": status.value, "use": ["refund"]},
            )
        if status in {P.SETTLED, P.PARTIALLY_REFUNDED}:
            raise VoidAfterSettlementError(
                "this payment has settled and can no longer be voided; use a refund (money back to the payer) "
                "or a reversal (money taken back by the bank)",
                details={"status": status.value, "use": ["refund", "reversal"]},
            )
        if status not in VOIDABLE:
            raise ActionNotAllowedError(f"a {status.value} payment cannot be voided", details={"status": status.value})
        return payment.amount
    if action is StaffAction.REVERSAL and status in REVERSIBLE | {P.POSTED} and not has_settled(payment):
        instead = "void it" if status in VOIDABLE else "refund the rest"
        raise ActionNotAllowedError(
            f"this payment has not settled, so there is nothing for the bank to take back; {instead} instead",
            details={"status": status.value, "use": ["void" if status in VOIDABLE else "refund"]},
        )
    allowed = REFUNDABLE if action is StaffAction.REFUND else REVERSIBLE
    if status not in allowed:
        hint = "; void it instead" if status in {P.PENDING, P.AUTHORIZED} else ""
        raise ActionNotAllowedError(
            f"a {status.value} payment cannot take a {action.value}{hint}", details={"status": status.value}
        )
    left = refundable(payment)
    if action is StaffAction.REVERSAL:
        return left
    wanted = left if amount is None else amount
    if wanted <= 0:
        raise BusinessRuleError("the amount must be more than zero", details=[{"field": "amount", "reason": "<= 0"}])
    if wanted > left:
        raise RefundExceedsRefundableError(
            f"at most {left} of this payment can still be refunded",
            details={"refundable": left, "requested": wanted, "refunded": payment.refunded},
        )
    return wanted


def plan_money_back(
    action: StaffAction,
    payment: Payment,
    *,
    amount: int,
    allocations: list[Allocation],
    invoices: list[Invoice],
    credit: CreditNote | None,
    actor: str,
    note: str,
    now: datetime,
) -> MoneyBack:
    """The slice ``[payment.refunded, payment.refunded + amount)`` of the payment taken back (see the module)."""
    start, end = payment.refunded, payment.refunded + amount
    by_id = {i.invoice_id: i for i in invoices}
    shortfall = 0
    offset = 0
    credit_before = credit_after = None
    share = _overlap(offset, payment.unapplied, start, end)
    offset += payment.unapplied
    if share:
        take = min(share, credit.remaining) if credit is not None else 0
        shortfall += share - take
        if credit is not None and take:
            credit_before = credit
            left = credit.amount - take
            credit_after = credit.model_copy(update={"amount": left, "remaining": credit.remaining - take})
            if left == 0:
                credit_after = None
    changes = []
    for allocation in sorted(allocations, key=lambda a: a.invoice_id, reverse=True):
        share = _overlap(offset, allocation.amount, start, end)
        offset += allocation.amount
        invoice = by_id.get(allocation.invoice_id)
        if not share:
            continue
        take = min(share, invoice.paid) if invoice is not None else 0
        shortfall += share - take
        if invoice is None or not take:
            continue
        after = apply_to_invoice(invoice, -take)
        if after.status is not invoice.status:
            transition_invoice(invoice.status, after.status)
        changes.append(InvoiceChange(invoice, after, -take))
    target = _target(action, payment, amount)
    transition_payment(payment.status, target)
    processor_amount = amount + payment.fee_amount if action is StaffAction.VOID else amount
    # Each change records what it gave back: a refund its amount, a void the amount and the fee it returned (the
    # payment's fee is zeroed: collected reports read the fee charged from here), a reversal what it took back.
    given_back = processor_amount if action is StaffAction.VOID else amount
    history = [*payment.history, StatusChange(status=target, at=now, by=actor, note=note, amount=given_back)]
    update: dict[str, object] = {"status": target, "history": history, "version": payment.version + 1}
    if action is StaffAction.VOID:
        update["fee_amount"] = 0
    elif action is StaffAction.REFUND:
        update["refunded"] = end
    after_payment = payment.model_copy(update=update)
    return MoneyBack(
        payment, after_payment, amount, processor_amount, tuple(changes), credit_before, credit_after, shortfall
    )


def _target(action: StaffAction, payment: Payment, amount: int) -> PaymentStatus:
    if action is StaffAction.VOID:
        return P.VOIDED
    if action is StaffAction.REVERSAL:
        return P.REVERSED
    return P.REFUNDED if payment.refunded + amount >= payment.amount else P.PARTIALLY_REFUNDED


def _overlap(offset: int, size: int, start: int, end: int) -> int:
    return max(0, min(offset + size, end) - max(offset, start))


def plan_adjustment(invoice: Invoice, kind: AdjustmentKind, amount: int, *, description: str) -> InvoiceChange:
    """The invoice after a debit or credit adjustment, or a write-off (see the module)."""
    if invoice.voided:
        raise ActionNotAllowedError("a voided invoice cannot be adjusted", details={"invoice_id": invoice.invoice_id})
    if amount == 0:
        raise BusinessRuleError("the amount must not be zero", details=[{"field": "amount", "reason": "== 0"}])
    if kind is AdjustmentKind.WRITE_OFF and amount < 0:
        raise BusinessRuleError(
            "a write-off takes a positive amount: the part of the balance that will not be collected",
            details=[{"field": "amount", "reason": "< 0"}],
        )
    update: dict[str, object] = {"version": invoice.version + 1}
    if kind is AdjustmentKind.ADJUSTMENT and amount > 0:
        line = InvoiceLine(
            description=description[:200] or "Adjustment",
            fee_code=ADJUSTMENT_FEE_CODE,
            kind=LineKind.ADJUSTMENT,
            unit_amount=amount,
            amount=amount,
        )
        update |= {"lines": [*invoice.lines, line], "amount": invoice.amount + amount}
        new_amount, credited = invoice.amount + amount, invoice.credited
    else:
        lowered = abs(amount)
        if lowered > invoice.balance:
            raise AdjustmentExceedsBalanceError(
                f"at most {invoice.balance} can come off this invoice (its balance)",
                details={"balance": invoice.balance, "requested": lowered},
            )
        new_amount, credited = invoice.amount, invoice.credited + lowered
        update["credited"] = credited
    balance = new_amount - invoice.paid - credited
    status = invoice_status_for(new_amount, balance, voided=False)
    if status is not invoice.status:
        transition_invoice(invoice.status, status)
    update |= {"balance": balance, "status": status}
    after = invoice.model_copy(update=update)
    return InvoiceChange(invoice, after, amount)


@dataclass(frozen=True)
class AdjustmentRecord:
    """What stays on the customer's record of an adjustment or write-off (``CUST#<id>`` / ``ADJ#<id>``)."""

    adjustment_id: str
    customer_id: str
    invoice_id: str
    invoice_number: str
    kind: AdjustmentKind
    amount: int  # signed: > 0 raises what is owed, < 0 lowers it; a write-off is stored as it was asked (> 0)
    currency: str
    reason_code: ReasonCode
    note: str
    by: str
    at: datetime
    approval_id: str | None = None


class ProcessorRefusedError(BusinessRuleError):
    """The processor would not return the money (e.g. the charge is gone); nothing was written."""

    code = "processor_refused"
