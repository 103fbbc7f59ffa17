"""Telling the payer when a payment gives money back, or is taken back: refunds, voids and reversals, by email.

It runs after the change has committed (``staff_action_executors``, at once or once an approval is carried out), so
nothing here may undo or fail it: a failed send is logged and reported in the ``NoticeSent`` it returns. A replayed
request (the same Idempotency-Key, or an approval carried out again) finds the change applied and tells no one
twice.

Who is told, at the email on the customer's profile, as their notification preferences say:
- a **refund** or a **void** (money back to the payer) is the receipt of money going back: sent when their
  ``email_receipts`` preference is on, like the receipt of the payment itself;
- a **reversal** (the bank took the payment back: NSF, a chargeback) reopens what it paid: sent always, as a failed
  or returned bank payment is (``receipts.notify_failure``), because the payer must act on it.
A guest payment has no profile to write to: no email (the staff member tells the payer).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from arportal.domain.agency_time import AgencyTime
from arportal.domain.approvals import StaffAction
from arportal.domain.email_feedback import RecipientSuppressedError
from arportal.domain.models import Customer, Payment, PaymentMethodType
from arportal.domain.money import Money, exponent
from arportal.domain.staff_actions import MoneyBack
from arportal.ports import CustomerRepository, Email, Mailer

logger = logging.getLogger("arportal.money_back_notices")
_IN_PERSON = frozenset({PaymentMethodType.CASH, PaymentMethodType.CHEQUE})


@dataclass(frozen=True)
class MoneyBackNotices:
    customers: CustomerRepository
    mailer: Mailer
    agency_name: str
    portal_url: str | None = None  # where a signed-in payer sees the payment; None: no link in the email
    time: AgencyTime = field(default_factory=AgencyTime)  # dates in emails are the agency's (TIME_ZONE)


@dataclass(frozen=True)
class NoticeSent:
    emailed_to: tuple[str, ...] = ()
    skipped: str | None = None  # why no email: "guest", "no_profile", "no_email", "not_wanted"
    problems: tuple[str, ...] = ()


def notify_money_back(action: StaffAction, back: MoneyBack, *, notices: MoneyBackNotices) -> NoticeSent:
    """Email the payer about ``back`` (a refund, void or reversal just applied), as their preferences say."""
    payment = back.after
    if payment.customer_id is None:
        return NoticeSent(skipped="guest")
    try:
        customer = notices.customers.get(payment.customer_id)
    except Exception:  # the money already moved; the staff member can tell the payer
        logger.exception("the payer's profile could not be read; no email about %s", payment.payment_id)
        return NoticeSent(problems=("profile_not_read",))
    if customer is None:
        return NoticeSent(skipped="no_profile")
    if not customer.email:
        return NoticeSent(skipped="no_email")
    if action is not StaffAction.REVERSAL and not customer.preferences.email_receipts:
        return NoticeSent(skipped="not_wanted")
    message = money_back_email(action, back, notices.agency_name, customer, notices.portal_url, time=notices.time)
    try:
        notices.mailer.send(Email((customer.email,), message.subject, message.text))
    except RecipientSuppressedError:
        return NoticeSent(problems=("email_suppressed",))
    except Exception:
        logger.exception("email about %s of %s not sent", action.value, payment.payment_id)
        return NoticeSent(problems=("email_not_sent",))
    return NoticeSent(emailed_to=(customer.email,))


def money_back_email(
    action: StaffAction,
    back: MoneyBack,
    agency: str,
    payer: Customer,
    portal_url: str | None,
    *,
    time: AgencyTime | None = None,
) -> Email:
    """The words: what went back (or was taken back), where to, what it means for the invoices it had paid."""
    payment = back.before
    cur = payment.currency
    which = f"your payment {payment.receipt_number or payment.payment_id} of {_money(payment.amount, cur)} made on "
    which += (time or AgencyTime()).date_text(payment.created_at)
    if action is StaffAction.REFUND:
        subject = f"{agency}: {_money(back.amount, cur)} refunded to you"
        what = f"{agency} refunded {_money(back.amount, cur)} of {which}, {_where(payment)}."
        if payment.fee_amount:
            what += f" The convenience fee of {_money(payment.fee_amount, cur)} paid with it is not refundable."
        left = payment.amount - back.after.refunded
        if left > 0:
            what += f" {_money(left, cur)} of the payment still stands."
    elif action is StaffAction.VOID:
        subject = f"{agency}: your payment was cancelled"
        what = (
            f"{agency} cancelled {which} before it was processed: nothing was collected, and "
            f"{_money(back.processor_amount, cur)} "
            + ("(the convenience fee included) " if payment.fee_amount else "")
            + f"goes back {_where(payment, to_you=False)}."
        )
    else:
        subject = f"{agency}: your payment was reversed"
        what = (
            f"{which[0].upper()}{which[1:]} was taken back by your bank ({_money(back.amount, cur)}), so it no "
            f"longer pays what it paid. Please pay again, or contact us if you think this is a mistake."
        )
    reopened = [
        f"  Invoice {c.after.invoice_number}: {_money(c.after.balance, cur)} to pay" for c in back.invoice_changes
    ]
    owed = ("\n\nThese invoices are open again:\n" + "\n".join(reopened)) if reopened else ""
    credit = ""
    if back.credit_before is not None:
        taken = back.credit_before.remaining - (back.credit_after.remaining if back.credit_after else 0)
        if taken > 0:
            credit = f"\n\nThe credit of {_money(taken, cur)} this payment had left on your account went back with it."
    link = (
        f"\n\nSee the payment: {portal_url.rstrip('/')}/payment.html?id={payment.payment_id}"
        if portal_url and payment.customer_id
        else ""
    )
    text = f"Dear {payer.name},\n\n{what}{owed}{credit}{link}\n\n{agency}\n"
    return Email((), subject, text)


def _where(payment: Payment, *, to_you: bool = True) -> str:
    if payment.method.type in _IN_PERSON:
        return "handed back to you at our counter" if to_you else "to you at our counter"
    method = payment.method
    kind = "bank account" if method.type is PaymentMethodType.ACH else "card"
    ending = f" ending {method.last4}" if method.last4 else ""
    brand = f"{method.brand.title()} " if method.brand and kind == "card" else ""
    place = f"to your {brand}{kind}{ending}"
    if kind == "card":
        return f"{place} (a card refund usually shows within 5 to 10 business days)"
    return f"{place} (within 3 to 5 business days)"


def _money(minor: int, currency: str) -> str:
    return f"{Money(minor, currency).to_decimal():,.{exponent(currency)}f} {currency}"
