"""What posting a payment changes in the ledger, worked out before anything is written.

``plan_posting`` is pure: from the payment, the allocation plan and the invoices as they were read, it
produces every record the posting transaction writes. The adapter then writes them all in one
``TransactWriteItems`` whose invoice updates are conditioned on the versions read here, so a concurrent change
makes the whole posting fail and be planned again from fresh reads; nothing is half-applied.

Invariants:
- each invoice's new ``paid`` rises by exactly its part, and its ``balance`` stays >= 0;
- the parts plus the credit note for the unapplied rest equal the payment's amount;
- a payment that did not go through (failed) allocates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from arportal.domain.allocation import AllocationPlan
from arportal.domain.models import Account, Allocation, CreditNote, Invoice, Payment, Receipt, ReceiptLine
from arportal.domain.status import PaymentStatus, invoice_status_for


@dataclass(frozen=True)
class InvoiceChange:
    before: Invoice
    after: Invoice
    amount: int


@dataclass(frozen=True)
class Posting:
    payment: Payment
    allocations: tuple[Allocation, ...]
    invoice_changes: tuple[InvoiceChange, ...]
    credit: CreditNote | None
    receipt: Receipt | None
    # Invoices created by this very posting (a staff cart's fees not invoiced yet): written new, not updated.
    new_invoice_ids: frozenset[str] = frozenset()


def apply_to_invoice(invoice: Invoice, amount: int) -> Invoice:
    """The invoice after ``amount`` is paid on it (negative to take a payment back, as a reversal does)."""
    paid = invoice.paid + amount
    balance = invoice.amount - paid - invoice.credited
    if balance < 0 or paid < 0:
        raise ValueError(f"invoice {invoice.invoice_number} cannot take {amount}: balance would be {balance}")
    return invoice.model_copy(
        update={
            "paid": paid,
            "balance": balance,
            "status": invoice_status_for(invoice.amount, balance, voided=invoice.voided),
            "version": invoice.version + 1,
        }
    )


def plan_posting(
    payment: Payment,
    plan: AllocationPlan,
    *,
    now: datetime,
    credit_note_id: str,
    receipt_number: str | None,
    credit_account: Account | None = None,
) -> Posting:
    """``credit_account`` holds any unapplied rest; by default the account of the first invoice paid."""
    if plan.applied + plan.unapplied != payment.amount:
        raise ValueError("the allocation plan does not add up to the payment")
    if payment.status is PaymentStatus.FAILED:
        return Posting(payment, (), (), None, None)
    changes = tuple(InvoiceChange(p.invoice, apply_to_invoice(p.invoice, p.amount), p.amount) for p in plan.parts)
    allocations = tuple(
        Allocation(
            payment_id=payment.payment_id,
            invoice_id=c.before.invoice_id,
            invoice_number=c.before.invoice_number,
            customer_id=payment.customer_id,
            account_number=c.before.account_number,
            department=c.before.department,
            amount=c.amount,
            currency=payment.currency,
            applied_at=now,
        )
        for c in changes
    )
    credit = None
    if plan.unapplied and payment.customer_id:
        if credit_account is not None:
            account_number, department = credit_account.account_number, credit_account.department
        elif changes:
            account_number, department = changes[0].before.account_number, changes[0].before.department
        else:
            raise ValueError(f"payment {payment.payment_id} applies nothing and names no account to hold credit")
        credit = CreditNote(
            credit_note_id=credit_note_id,
            number=f"CR-{payment.payment_id[-10:].upper()}",
            customer_id=payment.customer_id,
            account_number=account_number,
            department=department,
            currency=payment.currency,
            amount=plan.unapplied,
            remaining=plan.unapplied,
            reason=f"Overpayment held as credit from payment {payment.payment_id}",
            issued_on=now.date(),
        )
    elif plan.unapplied:
        raise ValueError("a guest payment cannot leave money unapplied: there is no account to hold it")
    receipt = None
    if receipt_number and payment.status in {PaymentStatus.POSTED, PaymentStatus.PENDING}:
        lines = [
            ReceiptLine(
                description=f"{c.before.department.replace('_', ' ').title()} invoice {c.before.invoice_number}",
                invoice_number=c.before.invoice_number,
                department=c.before.department,
                amount=c.amount,
            )
            for c in changes
        ]
        if credit:
            lines.append(ReceiptLine(description="Held as account credit", amount=credit.amount))
        receipt = Receipt(
            receipt_number=receipt_number,
            payment_id=payment.payment_id,
            customer_id=payment.customer_id,
            issued_at=now,
            currency=payment.currency,
            lines=lines,
            fee_amount=payment.fee_amount,
            total=payment.amount + payment.fee_amount,
        )
    return Posting(payment, allocations, changes, credit, receipt)
