"""Request and response models of taking a payment (portal, and the guest payment that shares them).

Amounts are integers of minor units, strictly: ``"100"`` or ``100.0`` are refused rather than guessed at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, StringConstraints

from arportal.api.schemas import In, MoneyOut, Out, PaymentSummaryOut, StatusChangeOut, StrictCents

if TYPE_CHECKING:
    from arportal.domain.models import Allocation, Payment
    from arportal.services.receipts import Checkout

Token = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_]{3,200}$"),
    Field(description="From the processor's secure payment form (hosted fields); never a card number"),
]
InvoiceId = Annotated[str, StringConstraints(pattern=r"^inv_[0-9A-Za-z]{1,60}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Method = Literal["card", "debit", "ach", "wallet"]


class InvoicePart(In):
    invoice_id: InvoiceId
    amount: StrictCents


class PayIn(In):
    amount: StrictCents
    currency: CurrencyCode
    method: Method
    token: Token
    invoices: list[InvoicePart] | None = Field(
        default=None, min_length=1, max_length=80, description="Pay these invoices; otherwise oldest due first"
    )
    account_number: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,4}-[0-9]{4,12}$")] | None = Field(
        default=None, description="Pay one account's invoices, and hold any rest as credit on it"
    )
    expected_fee: Annotated[int, Field(strict=True, ge=0, le=10**13)] | None = Field(
        default=None, description="The convenience fee the payer was shown: a different fee is refused, never charged"
    )


class PaidAllocationOut(Out):
    invoice_id: str
    invoice_number: str
    account_number: str
    department: str
    amount: MoneyOut
    balance_after: MoneyOut | None  # known when the payment was posted by this request

    @classmethod
    def of(cls, a: Allocation, balance: int | None) -> PaidAllocationOut:
        return cls(
            invoice_id=a.invoice_id,
            invoice_number=a.invoice_number,
            account_number=a.account_number,
            department=a.department,
            amount=MoneyOut.of(a.amount, a.currency),
            balance_after=MoneyOut.of(balance, a.currency) if balance is not None else None,
        )


class PaymentMadeOut(PaymentSummaryOut):
    fee: MoneyOut
    total: MoneyOut
    allocations: list[PaidAllocationOut]
    credit_held: MoneyOut

    @classmethod
    def of_checkout(cls, checkout: Checkout) -> PaymentMadeOut:
        p: Payment = checkout.result.payment
        summary = PaymentSummaryOut.of(p)
        return cls(
            **{name: getattr(summary, name) for name in PaymentSummaryOut.model_fields},
            fee=MoneyOut.of(p.fee_amount, p.currency),
            total=MoneyOut.of(p.amount + p.fee_amount, p.currency),
            allocations=[PaidAllocationOut.of(a, checkout.balances.get(a.invoice_id)) for a in checkout.allocations],
            credit_held=MoneyOut.of(p.unapplied, p.currency),
        )


class ReceiptOut(Out):
    receipt_number: str | None
    document_id: str | None = None
    url: str | None = Field(default=None, description="Short-lived link to the PDF")
    emailed_to: list[str] = Field(default_factory=list)
    status: Literal["issued", "issued_earlier", "pending", "not_issued", "delayed"]
    message: str | None = None

    @classmethod
    def of_checkout(cls, checkout: Checkout) -> ReceiptOut:
        d, payment = checkout.delivery, checkout.result.payment
        status: Literal["issued", "issued_earlier", "pending", "not_issued", "delayed"]
        message = None
        if payment.status.value == "pending":
            status, message = "pending", "the receipt is issued when the bank payment clears (3-5 business days)"
        elif d.receipt_number is None:
            status = "not_issued"
        elif "receipt_not_stored" in d.problems:
            status = "delayed"
            message = "the payment went through; the receipt PDF will follow (it can be resent at any time)"
        elif checkout.result.posting is None and d.document_id is None:  # a replay: it was issued the first time
            status = "issued_earlier"
        else:
            status = "issued"
        if "receipt_email_not_sent" in d.problems or "email_not_sent" in d.problems:
            message = (message + "; " if message else "") + "the confirmation email could not be sent"
        return cls(
            receipt_number=d.receipt_number,
            document_id=d.document_id,
            url=d.url,
            emailed_to=list(d.emailed_to),
            status=status,
            message=message,
        )


class PayOut(Out):
    payment: PaymentMadeOut
    receipt: ReceiptOut


class DeclineDetailsOut(Out):
    """The ``details`` of a 402 ``payment_declined``: the attempt is recorded and shows in payment history."""

    decline_code: str
    next_step: str
    retryable: bool
    payment: PaymentMadeOut


class QuoteOut(Out):
    method: Method
    amount: MoneyOut
    fee: MoneyOut
    total: MoneyOut


# The name the route modules import. The class's own name is the contract's component name, unique across the
# three APIs (/openapi.json merges them: two different schemas may not share a name).
PaymentOut = PaymentMadeOut

__all__ = [
    "DeclineDetailsOut",
    "PayIn",
    "PayOut",
    "PaymentMadeOut",
    "PaymentOut",
    "QuoteOut",
    "ReceiptOut",
    "StatusChangeOut",
]
