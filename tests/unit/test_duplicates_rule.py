from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from arportal.domain.duplicates import (
    PaymentFacts,
    duplicate_of,
    is_likely_duplicate,
    likely_duplicates,
    method_words,
    why_alike,
)
from arportal.domain.status import PaymentStatus

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=10)


def facts(pid: str, *, minutes: float = 0, amount: int = 5_000, invoices=("inv_A",), customer="CUS-0001", status=None):
    return PaymentFacts(
        pid,
        customer,
        amount,
        "USD",
        T0 + timedelta(minutes=minutes),
        status or PaymentStatus.POSTED,
        frozenset(invoices),
    )


def test_same_payer_amount_and_invoice_minutes_apart_is_flagged():
    first, second = facts("pay_1"), facts("pay_2", minutes=4)
    assert is_likely_duplicate(second, first, WINDOW)
    (pair,) = likely_duplicates([second, first], WINDOW)
    assert (pair.payment_id, pair.likely_duplicate_of, pair.seconds_apart) == ("pay_2", "pay_1", 240)
    assert pair.invoice_ids == ("inv_A",)


@pytest.mark.parametrize(
    "other",
    [
        facts("pay_2", minutes=11),  # outside the window
        facts("pay_2", minutes=3, amount=5_001),  # another amount
        facts("pay_2", minutes=3, invoices=("inv_B",)),  # another invoice
        facts("pay_2", minutes=3, customer="CUS-0002"),  # another payer
        facts("pay_2", minutes=3, status=PaymentStatus.FAILED),  # moved no money
        facts("pay_2", minutes=3, status=PaymentStatus.VOIDED),
    ],
)
def test_anything_that_differs_is_not_flagged(other):
    assert likely_duplicates([facts("pay_1"), other], WINDOW) == []


def test_the_window_is_inclusive_and_a_later_payment_names_the_nearest_earlier_one():
    payments = [facts("pay_1"), facts("pay_2", minutes=6), facts("pay_3", minutes=16)]
    pairs = likely_duplicates(payments, WINDOW)
    assert [(p.payment_id, p.likely_duplicate_of) for p in pairs] == [("pay_3", "pay_2"), ("pay_2", "pay_1")]
    assert duplicate_of(facts("pay_4", minutes=26), payments, WINDOW) == "pay_3"
    assert duplicate_of(facts("pay_4", minutes=26.5), payments, WINDOW) is None


def test_credit_only_payments_compare_on_payer_and_amount():
    assert is_likely_duplicate(facts("pay_2", minutes=1, invoices=()), facts("pay_1", invoices=()), WINDOW)
    assert not is_likely_duplicate(facts("pay_2", minutes=1, invoices=()), facts("pay_1"), WINDOW)


def _paid(pid: str, minutes: float, method: str, invoices=("inv_A",)) -> PaymentFacts:
    return PaymentFacts(
        pid, "CUS-0001", 5_000, "USD", T0 + timedelta(minutes=minutes), PaymentStatus.POSTED, frozenset(invoices),
        method, f"R-2026-{pid[-6:]:0>6}",
    )  # fmt: skip


def test_a_pair_says_why_in_words_and_carries_both_receipt_numbers():
    card = method_words("card", "visa", "4242")
    (pair,) = likely_duplicates([_paid("pay_000001", 0, card), _paid("pay_000002", 2.5, card)], WINDOW)
    assert pair.why == "Same amount, same card (Visa ending 4242), same invoice, within 3 minutes"
    assert (pair.receipt_number, pair.likely_duplicate_of_receipt) == ("R-2026-000002", "R-2026-000001")


@pytest.mark.parametrize(
    ("first", "second", "invoices", "why"),
    [
        # another card: still flagged, but the card is not said to be the same
        (("card", "visa", "4242"), ("card", "mastercard", "4444"), ("inv_A",),
         "Same amount, same invoice, within 1 minute"),
        (("ach", None, "6789"), ("ach", None, "6789"), ("inv_A",),
         "Same amount, same bank account ending 6789, same invoice, within 1 minute"),
        (("cash", None, None), ("cash", None, None), (),
         "Same amount, both by cash, neither paid an invoice, within 1 minute"),
    ],
)  # fmt: skip
def test_why_names_only_what_the_two_share(first, second, invoices, why):
    one, two = (
        _paid("pay_000001", 0, method_words(*first), invoices),
        _paid("pay_000002", 0.5, method_words(*second), invoices),
    )
    assert why_alike(two, one) == why
