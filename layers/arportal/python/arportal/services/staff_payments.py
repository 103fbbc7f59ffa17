"""Taking a payment during an interaction: one payment and one receipt for a cart of fees and invoices.

Lines are either an existing invoice of the customer (``invoice_id``, amount at most its balance) or a fee not
invoiced yet (department, fee code, description, amount, account): such a fee becomes an invoice created, and
paid, by the payment's own posting transaction (``PayCommand.new_invoices``), so a failed or declined payment
leaves no unpaid fee behind and a retry creates nothing twice. Everything else is ``payments.pay``: the same
Idempotency-Key guard, processor key, allocation rules, receipt and audit record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from arportal.domain.duplicates import PaymentFacts
from arportal.domain.errors import BusinessRuleError, NotFoundError
from arportal.domain.ids import new_id, new_reference
from arportal.domain.models import InteractionKind, Invoice, InvoiceLine, LineKind
from arportal.domain.status import PaymentStatus
from arportal.ports import InteractionStore, PaymentPosting, PaymentProcessor, ReceiptOwners, RecentPayments
from arportal.services.duplicates import duplicate_hint
from arportal.services.interactions import NewInteraction, log_interaction
from arportal.services.payments import PayCommand, PaymentsConfig
from arportal.services.receipts import Checkout, ReceiptServices, pay_and_confirm, send_receipt

FEE_DUE_DAYS = 0  # a fee paid at the counter is due the day it is charged


@dataclass(frozen=True)
class CartLine:
    amount: int
    invoice_id: str | None = None
    department: str | None = None
    fee_code: str | None = None
    description: str | None = None
    account_number: str | None = None


def with_cart(command: PayCommand, lines: list[CartLine], *, ledger: PaymentPosting, now: datetime) -> PayCommand:
    """``command`` paying exactly the cart: its invoices and a new invoice for each fee line."""
    if command.customer_id is None:
        raise BusinessRuleError("a staff payment names the customer it is for")
    seen: set[str] = set()
    chosen: list[tuple[str, int]] = []
    new: list[Invoice] = []
    for index, line in enumerate(lines):
        if line.invoice_id is not None:
            if line.invoice_id in seen:
                raise BusinessRuleError(
                    "an invoice appears twice in the cart",
                    details=[{"field": f"lines.{index}.invoice_id", "reason": "duplicate"}],
                )
            seen.add(line.invoice_id)
            chosen.append((line.invoice_id, line.amount))
            continue
        invoice = _fee_invoice(command, line, index, ledger=ledger, now=now)
        new.append(invoice)
        chosen.append((invoice.invoice_id, line.amount))
    total = sum(amount for _, amount in chosen)
    if total != command.amount:
        raise BusinessRuleError(
            "the amount must be the sum of the cart's lines",
            details=[{"field": "amount", "reason": f"lines add up to {total}"}],
        )
    return replace(command, invoices=tuple(chosen), new_invoices=tuple(new), allow_credit=False)


def _fee_invoice(command: PayCommand, line: CartLine, index: int, *, ledger: PaymentPosting, now: datetime) -> Invoice:
    customer_id = command.customer_id or ""
    account = ledger.account(customer_id, line.account_number or "")
    if account is None:
        raise NotFoundError(
            f"account {line.account_number} is not one of customer {customer_id}'s",
            details=[{"field": f"lines.{index}.account_number", "reason": "not this customer's account"}],
        )
    if account.department != line.department:
        raise BusinessRuleError(
            f"account {account.account_number} belongs to {account.department}, not {line.department}",
            details=[{"field": f"lines.{index}.department", "reason": f"the account is {account.department}'s"}],
        )
    fee = InvoiceLine(
        description=line.description or "Fee",
        fee_code=line.fee_code or "FEE",
        kind=LineKind.FEE,
        unit_amount=line.amount,
        amount=line.amount,
    )
    today = now.date()
    return Invoice(
        invoice_id=new_id("inv"),
        invoice_number=new_reference("F"),
        customer_id=customer_id,
        account_number=account.account_number,
        department=account.department,
        issue_date=today,
        due_date=today + timedelta(days=FEE_DUE_DAYS),
        currency=command.currency,
        lines=[fee],
        amount=line.amount,
        balance=line.amount,
    )


@dataclass(frozen=True)
class StaffCheckout:
    checkout: Checkout
    new_invoice_ids: list[str]
    likely_duplicate_of: str | None


def take_payment(
    command: PayCommand,
    lines: list[CartLine],
    *,
    ledger: PaymentPosting,
    processor: PaymentProcessor,
    config: PaymentsConfig,
    services: ReceiptServices,
    recent: RecentPayments,
    window_minutes: int,
    now: datetime,
) -> StaffCheckout:
    """The cart paid through ``pay_and_confirm`` (receipt emailed to the payer on file), with the duplicate hint."""
    cart = with_cart(command, lines, ledger=ledger, now=now)
    done = pay_and_confirm(
        cart, ledger=ledger, processor=processor, config=config, services=services, contact=None, now=now
    )
    payment = done.result.payment
    hint = None
    if payment.status is not PaymentStatus.FAILED:
        facts = PaymentFacts(
            payment.payment_id,
            payment.customer_id,
            payment.amount,
            payment.currency,
            payment.created_at,
            payment.status,
            frozenset(a.invoice_id for a in done.allocations),
        )
        hint = duplicate_hint(recent, facts, window_minutes=window_minutes)
    return StaffCheckout(done, [i.invoice_id for i in cart.new_invoices], hint)


@dataclass(frozen=True)
class ReceiptResent:
    receipt_number: str
    payment_id: str
    emailed_to: tuple[str, ...]
    problems: tuple[str, ...]
    interaction_id: str | None


def resend_receipt(
    receipt_number: str,
    *,
    to: str | None,
    actor: str,
    idempotency_key: str,
    owners: ReceiptOwners,
    services: ReceiptServices,
    interactions: InteractionStore,
    now: datetime,
) -> ReceiptResent:
    """Email a receipt again (to ``to``, else the payer's address on file) and log it on the customer's record."""
    owner = owners.receipt_owner(receipt_number)
    if owner is None:
        raise NotFoundError(f"no receipt {receipt_number}")
    customer_id, payment_id = owner
    delivery = send_receipt(customer_id or "", payment_id, to=to, services=services, now=now) if customer_id else None
    if delivery is None:
        raise NotFoundError(f"receipt {receipt_number} cannot be sent: its payment has no receipt on record")
    if not delivery.emailed_to:
        suppressed = "email_suppressed" in delivery.problems
        raise BusinessRuleError(
            "the receipt was not emailed: the address bounced or was reported as spam (the customer's record says "
            "when); give another address (to)"
            if suppressed
            else "the receipt could not be emailed: give an address (to) or add one to the customer's record",
            details={"problems": list(delivery.problems)},
        )
    logged = log_interaction(
        interactions,
        NewInteraction(
            customer_id=customer_id or "",
            kind=InteractionKind.EMAIL,
            summary=f"Receipt {receipt_number} emailed to {', '.join(delivery.emailed_to)}",
            actor=actor,
            idempotency_key=idempotency_key,
            payment_id=payment_id,
        ),
        now=now,
    )
    return ReceiptResent(
        receipt_number, payment_id, delivery.emailed_to, delivery.problems, logged.interaction.interaction_id
    )
