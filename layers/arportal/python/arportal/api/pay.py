"""Taking a payment at the API edge, shared by the portal's payment route (``portal_api/routes/pay.py``) and the
guest's (``public_api/routes/guest_pay.py``): the response models, the fee quote, and the answer a payment gets
(201 paid, 402 declined) as the idempotent run stores and replays it. Charging and posting are
``arportal.wiring.checkout``'s.

Amounts are integers of minor units, strictly: ``"100"`` or ``100.0`` are refused rather than guessed at.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, StringConstraints

from arportal.api.errors import ErrorBody, ErrorResponse
from arportal.api.idempotency import Outcome
from arportal.api.schemas import MoneyOut, Out, PaymentSummaryOut
from arportal.config import settings
from arportal.domain.models import PaymentMethodType
from arportal.domain.status import PaymentStatus

if TYPE_CHECKING:
    from arportal.domain.models import Allocation, Payment
    from arportal.services.receipts import Checkout

Token = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_]{3,200}$"),
    Field(description="From the processor's secure payment form (hosted fields); never a card number"),
]
Method = Literal["card", "debit", "ach", "wallet"]
MICRODEPOSITS = "verify_with_microdeposits"  # the processor's note on a bank debit awaiting the payer's deposits


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
        if payment.status.value == "pending" and payment.history and payment.history[-1].note == MICRODEPOSITS:
            status, message = (
                "pending",
                (
                    "we will send two small deposits to your bank account in 1-2 business days; confirm their amounts "
                    "with the link in the email you will get, and the payment then goes ahead"
                ),
            )
        elif payment.status.value == "pending":
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


# --- the route's answers ----------------------------------------------------------------------------------------------


def quote_out(amount: int, method: str) -> QuoteOut:
    """The fee and total of paying ``amount`` by ``method``, by this agency's convenience-fee rules."""
    from arportal.services.payments import PaymentsConfig, fee_schedule, quote_fee

    s = settings()
    config = PaymentsConfig(s.currency, fee_schedule(s.convenience_fees), s.processor)
    fee = quote_fee(config, PaymentMethodType(method), amount)
    return QuoteOut(
        method=method,  # type: ignore[arg-type]  # validated as Method by the query model
        amount=MoneyOut.of(amount, s.currency),
        fee=MoneyOut.of(fee, s.currency),
        total=MoneyOut.of(amount + fee, s.currency),
    )


def outcome_of(done: Checkout, *, location: str | None) -> Outcome:
    """201 with the payment and its receipt, or 402 with the decline: both are stored and replayed as they are."""
    payment = PaymentOut.of_checkout(done)
    if done.result.payment.status is PaymentStatus.FAILED and done.advice is not None:
        details = DeclineDetailsOut(
            decline_code=done.advice.code,
            next_step=done.advice.next_step,
            retryable=done.advice.retryable,
            payment=payment,
        )
        declined = ErrorBody(code="payment_declined", message=done.advice.message, details=details)
        return Outcome(int(HTTPStatus.PAYMENT_REQUIRED), ErrorResponse(error=declined).model_dump(mode="json"))
    out = PayOut(payment=payment, receipt=ReceiptOut.of_checkout(done))
    headers = {"Location": f"{location}/{done.result.payment.payment_id}"} if location else None
    return Outcome(int(HTTPStatus.CREATED), out.model_dump(mode="json"), headers)
