"""What the payer is told, in words: the decline advice an API answer carries and the emails about a payment.

Decline codes are the processor's (``domain/processing.py``); the advice says what to do next. Codes that would
tell a stranger something about a card (``stolen_card``, ``lost_card``) are reported as ``card_declined``, as
card networks ask.
"""

from __future__ import annotations

from dataclasses import dataclass

from arportal.domain.agency_time import AgencyTime
from arportal.domain.models import Payment, PaymentMethodType, Receipt
from arportal.domain.money import Money, exponent
from arportal.ports import Email

UTC_TIME = AgencyTime()  # the default of callers that name no zone (the deployed ones pass the agency's)
_PRIVATE_CODES = {"stolen_card": "card_declined", "lost_card": "card_declined", "fraudulent": "card_declined"}
_TRY_ANOTHER = "Try another card or pay from a bank account, or call the number on the back of your card."


@dataclass(frozen=True)
class DeclineAdvice:
    code: str
    message: str
    next_step: str
    retryable: bool  # the same method may work if tried again later


_ADVICE: dict[str, DeclineAdvice] = {
    "card_declined": DeclineAdvice("card_declined", "Your card was declined by its issuer.", _TRY_ANOTHER, False),
    "insufficient_funds": DeclineAdvice(
        "insufficient_funds",
        "The account did not have enough funds for this payment.",
        "Pay a smaller amount, use another card or account, or try again later.",
        True,
    ),
    "expired_card": DeclineAdvice("expired_card", "The card has expired.", "Use a card that is still valid.", False),
    "incorrect_cvc": DeclineAdvice(
        "incorrect_cvc",
        "The card's security code was not correct.",
        "Enter the card again, checking the 3- or 4-digit code.",
        False,
    ),
    "processing_error": DeclineAdvice(
        "processing_error",
        "The card network had a temporary problem and nothing was charged.",
        "Try again in a few minutes.",
        True,
    ),
    "account_closed": DeclineAdvice(
        "account_closed", "The bank account is closed.", "Pay with another account or card.", False
    ),
    "invalid_token": DeclineAdvice(
        "invalid_token",
        "The payment details could not be used.",
        "Enter the card or bank details again.",
        False,
    ),
}
_GENERIC = DeclineAdvice("declined", "The payment was declined.", _TRY_ANOTHER, False)
for _code in ("rate_limited", "try_again_later", "timeout"):
    _ADVICE[_code] = DeclineAdvice(_code, _ADVICE["processing_error"].message, "Try again in a few minutes.", True)


def decline_advice(code: str | None) -> DeclineAdvice:
    public = _PRIVATE_CODES.get(code or "", code or "")
    return _ADVICE.get(public, _GENERIC if not public else DeclineAdvice(public, _GENERIC.message, _TRY_ANOTHER, False))


def _money(minor: int, currency: str) -> str:
    return f"{Money(minor, currency).to_decimal():,.{exponent(currency)}f} {currency}"


def _documents_line(portal_url: str | None) -> str:
    return f"\nYour receipts are also in the portal, under Documents: {portal_url.rstrip('/')}/\n" if portal_url else ""


def _receipt_link(payment: Payment, portal_url: str | None) -> str:
    """A signed-in payer's link to the payment and its receipt (a presigned URL would expire within minutes of the
    email); a guest has no portal account, so the attached PDF is their copy."""
    if not portal_url or payment.customer_id is None:
        return ""
    return (
        f"\nView this payment and download its receipt: {portal_url.rstrip('/')}/payment.html?id={payment.payment_id}"
        f"\n{_documents_line(portal_url)}"
    )


def _receipt_note(attached: bool, portal_url: str | None) -> str:
    if attached:
        return "Your receipt is attached as a PDF."
    # Not attached: the payer downloads the PDF in the portal (rendered when first opened); this email has it all.
    return "Keep this email as your receipt." + ("" if portal_url else " Its PDF is in the portal, under Documents.")


# Money the payer sent to the agency's bank themselves: the receipt says how it arrived.
_RECEIVED_BY = {
    PaymentMethodType.WIRE: " by wire",
    PaymentMethodType.ACH_CREDIT: " by bank transfer (ACH credit)",
}


def received_by(payment: Payment) -> str:
    """`` by wire`` for money that came through the bank on its own; empty for a payment taken by the agency."""
    return _RECEIVED_BY.get(payment.method.type, "")


def receipt_email(
    payment: Payment,
    receipt: Receipt,
    agency: str,
    payer: str,
    portal_url: str | None,
    *,
    time: AgencyTime = UTC_TIME,
    attached: bool = True,
) -> Email:
    """The receipt in words; its PDF attached (``attached``), or downloaded from the payment's page in the portal."""
    cur = receipt.currency
    lines = "\n".join(f"  {line.description}: {_money(line.amount, cur)}" for line in receipt.lines)
    fee = f"  Convenience fee: {_money(receipt.fee_amount, cur)}\n" if receipt.fee_amount else ""
    text = (
        f"Dear {payer},\n\nThank you. {agency} received your payment{received_by(payment)}.\n\n"
        f"Receipt number: {receipt.receipt_number}\nDate: {time.date_text(receipt.issued_at)}\n"
        f"Transaction id: {payment.transaction_id or '-'}\n\n{lines}\n{fee}"
        f"  Total paid: {_money(receipt.total, cur)}\n\n"
        f"{_receipt_note(attached, portal_url)}{_receipt_link(payment, portal_url)}\n{agency}\n"
    )
    return Email((), f"{agency}: receipt {receipt.receipt_number} for your payment", text)


def pending_notice(
    payment: Payment, agency: str, payer: str, portal_url: str | None, *, time: AgencyTime = UTC_TIME
) -> Email:
    text = (
        f"Dear {payer},\n\n{agency} received your bank payment of {_money(payment.amount, payment.currency)} "
        f"on {time.date_text(payment.created_at)}. Bank payments take 3 to 5 business days to clear. Your balance "
        f"already counts this payment, and we will email your receipt when it clears. If your bank returns it, "
        f"the amount is owed again and we will tell you.{_documents_line(portal_url)}\n{agency}\n"
    )
    return Email((), f"{agency}: your bank payment is being processed", text)


def failure_notice(
    payment: Payment,
    agency: str,
    payer: str,
    *,
    code: str | None,
    reopened: list[str],
    portal_url: str | None,
    time: AgencyTime = UTC_TIME,
) -> Email:
    amount = _money(payment.amount, payment.currency)
    if payment.method.type is PaymentMethodType.ACH and payment.status.value in {"failed", "reversed"}:
        advice = decline_advice(code)
        what = (
            f"Your bank did not pay your bank payment of {amount} made on {time.date_text(payment.created_at)}"
            f"{f': {advice.message}' if code else '.'}"
        )
        reopened_text = f" The invoices it had paid are open again: {', '.join(reopened)}." if reopened else ""
        next_step = "Please pay again with another account or a card. Your bank may charge a fee for a return."
        subject = f"{agency}: your bank payment was returned"
        body = f"{what}{reopened_text}\n\nWhat to do next: {next_step}"
    else:
        advice = decline_advice(code)
        subject = f"{agency}: your payment did not go through"
        body = (
            f"Your payment of {amount} was not completed: {advice.message} Nothing was charged.\n\n"
            f"What to do next: {advice.next_step}"
        )
    text = f"Dear {payer},\n\n{body}\n{_documents_line(portal_url)}\n{agency}\n"
    return Email((), subject, text)
