"""Status machines as transition tables: the only way a status changes is through ``transition``.

Payments: card payments authorize and post at once; delayed methods (ACH) stay pending until the
processor reports; a posted payment settles when funds reach the agency's bank. Money can leave a
payment only as a refund (after posting), a void (before settlement) or a reversal (after settlement,
e.g. a returned ACH debit).
"""

from __future__ import annotations

from enum import StrEnum


class PaymentStatus(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    POSTED = "posted"
    SETTLED = "settled"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    VOIDED = "voided"
    REVERSED = "reversed"


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOIDED = "voided"


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    EXECUTED = "executed"
    FAILED = "failed"


class InvalidTransitionError(ValueError):
    def __init__(self, kind: str, current: str, target: str) -> None:
        super().__init__(f"{kind} cannot move from {current} to {target}")
        self.kind, self.current, self.target = kind, current, target


P = PaymentStatus
PAYMENT_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    P.PENDING: frozenset({P.AUTHORIZED, P.POSTED, P.FAILED, P.VOIDED}),
    P.AUTHORIZED: frozenset({P.POSTED, P.FAILED, P.VOIDED}),
    P.POSTED: frozenset({P.SETTLED, P.VOIDED, P.REFUNDED, P.PARTIALLY_REFUNDED, P.REVERSED}),
    P.PARTIALLY_REFUNDED: frozenset({P.SETTLED, P.REFUNDED, P.PARTIALLY_REFUNDED, P.REVERSED}),
    P.SETTLED: frozenset({P.REFUNDED, P.PARTIALLY_REFUNDED, P.REVERSED}),
    P.FAILED: frozenset(),
    P.REFUNDED: frozenset(),
    P.VOIDED: frozenset(),
    P.REVERSED: frozenset(),
}

IS = InvoiceStatus
INVOICE_TRANSITIONS: dict[InvoiceStatus, frozenset[InvoiceStatus]] = {
    IS.OPEN: frozenset({IS.PARTIALLY_PAID, IS.PAID, IS.VOIDED}),
    IS.PARTIALLY_PAID: frozenset({IS.OPEN, IS.PARTIALLY_PAID, IS.PAID, IS.VOIDED}),
    # A refunded or reversed payment reopens what it had paid.
    IS.PAID: frozenset({IS.OPEN, IS.PARTIALLY_PAID}),
    IS.VOIDED: frozenset(),
}

A = ApprovalStatus
APPROVAL_TRANSITIONS: dict[ApprovalStatus, frozenset[ApprovalStatus]] = {
    A.PENDING: frozenset({A.APPROVED, A.REJECTED, A.EXPIRED}),
    A.APPROVED: frozenset({A.EXECUTED, A.FAILED}),
    A.REJECTED: frozenset(),
    A.EXPIRED: frozenset(),
    A.EXECUTED: frozenset(),
    A.FAILED: frozenset(),
}


def can_transition_payment(current: PaymentStatus, target: PaymentStatus) -> bool:
    return target in PAYMENT_TRANSITIONS[current]


def transition_payment(current: PaymentStatus, target: PaymentStatus) -> PaymentStatus:
    if not can_transition_payment(current, target):
        raise InvalidTransitionError("payment", current, target)
    return target


def transition_invoice(current: InvoiceStatus, target: InvoiceStatus) -> InvoiceStatus:
    if target not in INVOICE_TRANSITIONS[current]:
        raise InvalidTransitionError("invoice", current, target)
    return target


def transition_approval(current: ApprovalStatus, target: ApprovalStatus) -> ApprovalStatus:
    if target not in APPROVAL_TRANSITIONS[current]:
        raise InvalidTransitionError("approval", current, target)
    return target


def invoice_status_for(amount: int, balance: int, *, voided: bool = False) -> InvoiceStatus:
    """The status an invoice's figures imply: what a balance update must set."""
    if voided:
        return IS.VOIDED
    if balance <= 0:
        return IS.PAID
    if balance < amount:
        return IS.PARTIALLY_PAID
    return IS.OPEN


def is_final(status: PaymentStatus) -> bool:
    return not PAYMENT_TRANSITIONS[status]


def moves_money_in(status: PaymentStatus) -> bool:
    """Whether a payment in this status counts toward what the customer has paid."""
    return status in {P.POSTED, P.SETTLED, P.PARTIALLY_REFUNDED}
