"""Likely duplicate payments: the same payer paying the same amount toward the same invoice within a short window.

A counter clerk who presses "pay" twice, or a caller who pays by phone minutes after paying online, leaves two
payments that agree on payer, amount and invoice. Such a pair is *flagged* (never refused: paying the same bill
twice is sometimes meant), and the later payment names the earlier one. Payments that moved no money (failed,
voided) are never duplicates of anything. Two payments with no invoices (pure credit on account) are compared on
payer and amount alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from arportal.domain.status import PaymentStatus

DEFAULT_WINDOW_MINUTES = 10
_NO_MONEY = frozenset({PaymentStatus.FAILED, PaymentStatus.VOIDED})


@dataclass(frozen=True)
class PaymentFacts:
    """What the rule compares: enough of a payment and the invoices it paid."""

    payment_id: str
    customer_id: str | None
    amount: int
    currency: str
    created_at: datetime
    status: PaymentStatus
    invoice_ids: frozenset[str]
    # How it was paid, in words a person reads ("Visa ending 4242", "cash"); "" when not known. Not compared by
    # the rule (a second try with another card is still a duplicate), only said when the two agree.
    method: str = ""
    receipt_number: str | None = None


@dataclass(frozen=True)
class DuplicatePair:
    payment_id: str  # the later payment
    likely_duplicate_of: str  # the earlier one
    amount: int
    currency: str
    invoice_ids: tuple[str, ...]
    seconds_apart: int
    why: str = ""  # what the two have in common, in words (``why_alike``)
    receipt_number: str | None = None  # the later payment's
    likely_duplicate_of_receipt: str | None = None  # the earlier one's


def method_words(method_type: str, brand: str | None, last4: str | None) -> str:
    """A payment method as a person names it: "Visa ending 4242", "bank account ending 6789", "cash"."""
    if last4:
        what = brand.title() if brand and method_type in {"card", "debit"} else _METHOD_NOUN.get(method_type, "card")
        return f"{what} ending {last4}"
    return _METHOD_NOUN.get(method_type, method_type.replace("_", " "))


_METHOD_NOUN = {"card": "card", "debit": "debit card", "ach": "bank account", "cheque": "cheque", "cash": "cash"}


def why_alike(later: PaymentFacts, earlier: PaymentFacts) -> str:
    """Why the pair looks like one payment made twice: "Same amount, same card (Visa ending 4242), same invoice,
    within 3 minutes"."""
    reasons = ["same amount"]
    if later.method and later.method == earlier.method:
        if later.method.startswith("bank account"):
            reasons.append(f"same {later.method}")
        elif " ending " in later.method:
            reasons.append(f"same card ({later.method})")
        else:
            reasons.append(f"both by {later.method}")
    shared = later.invoice_ids & earlier.invoice_ids
    if shared:
        reasons.append("same invoice" if len(shared) == 1 else f"same {len(shared)} invoices")
    else:
        reasons.append("neither paid an invoice")
    minutes = max(1, math.ceil((later.created_at - earlier.created_at).total_seconds() / 60))
    reasons.append(f"within {minutes} minute{'s' if minutes != 1 else ''}")
    text = ", ".join(reasons)
    return text[0].upper() + text[1:]


def is_likely_duplicate(later: PaymentFacts, earlier: PaymentFacts, window: timedelta) -> bool:
    if later.payment_id == earlier.payment_id or later.customer_id is None:
        return False
    if later.status in _NO_MONEY or earlier.status in _NO_MONEY:
        return False
    if (later.customer_id, later.amount, later.currency) != (earlier.customer_id, earlier.amount, earlier.currency):
        return False
    apart = later.created_at - earlier.created_at
    if apart < timedelta(0) or apart > window:
        return False
    if later.invoice_ids or earlier.invoice_ids:
        return bool(later.invoice_ids & earlier.invoice_ids)
    return True


def likely_duplicates(payments: list[PaymentFacts], window: timedelta) -> list[DuplicatePair]:
    """Every later payment paired with the nearest earlier payment it likely duplicates, newest first."""
    ordered = sorted(payments, key=lambda p: (p.created_at, p.payment_id))
    pairs = []
    for index, later in enumerate(ordered):
        for earlier in reversed(ordered[:index]):
            if later.created_at - earlier.created_at > window:
                break
            if is_likely_duplicate(later, earlier, window):
                pairs.append(
                    DuplicatePair(
                        payment_id=later.payment_id,
                        likely_duplicate_of=earlier.payment_id,
                        amount=later.amount,
                        currency=later.currency,
                        invoice_ids=tuple(sorted(later.invoice_ids & earlier.invoice_ids)),
                        seconds_apart=int((later.created_at - earlier.created_at).total_seconds()),
                        why=why_alike(later, earlier),
                        receipt_number=later.receipt_number,
                        likely_duplicate_of_receipt=earlier.receipt_number,
                    )
                )
                break
    return sorted(pairs, key=lambda p: p.payment_id, reverse=True)


def duplicate_of(candidate: PaymentFacts, recent: list[PaymentFacts], window: timedelta) -> str | None:
    """The most recent earlier payment ``candidate`` likely duplicates, if any."""
    earlier = [p for p in recent if p.created_at <= candidate.created_at]
    for other in sorted(earlier, key=lambda p: (p.created_at, p.payment_id), reverse=True):
        if is_likely_duplicate(candidate, other, window):
            return other.payment_id
    return None
