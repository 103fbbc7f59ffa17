"""The Stripe adapter's payouts against the local HTTP double of Stripe (``test_stripe_processor``): what the SDK
sends (filters, expansion, paging) and how each balance transaction Stripe documents is read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from arportal.adapters.processors import ProcessorCredentials
from arportal.adapters.stripe_processor import StripeProcessor
from arportal.domain.errors import DependencyError, NotFoundError
from arportal.domain.payouts import BalanceType, PayoutStatus, payout_difference
from arportal.ports import PaymentProcessor
from tests.unit.test_stripe_processor import API_KEY, NOW, Reply, StripeDouble, stripe_error

ARRIVAL = int(datetime(2026, 11, 12, tzinfo=UTC).timestamp())  # Stripe dates an arrival at midnight UTC
CREATED = int(datetime(2026, 11, 10, 4, tzinfo=UTC).timestamp())


@pytest.fixture
def double() -> Iterator[StripeDouble]:
    d = StripeDouble()
    yield d
    d.close()


@pytest.fixture
def make(double: StripeDouble) -> Callable[[], StripeProcessor]:
    def build() -> StripeProcessor:
        credentials = ProcessorCredentials(API_KEY, "whsec_test")
        return StripeProcessor(lambda: credentials, api_base=double.base, max_network_retries=0, clock=lambda: NOW)

    return build


def page(*objects: dict[str, Any], url: str, has_more: bool = False) -> dict[str, Any]:
    return {"object": "list", "data": list(objects), "has_more": has_more, "url": url}


def payout(payout_id: str = "po_1Q0payout", **fields: Any) -> dict[str, Any]:
    return {
        "id": payout_id,
        "object": "payout",
        "amount": 18_915,
        "currency": "usd",
        "arrival_date": ARRIVAL,
        "created": CREATED,
        "status": "paid",
        "automatic": True,
        "trace_id": {"status": "supported", "value": "021000021234567"},
        **fields,
    }


def txn(txn_id: str, kind: str, amount: int, fee: int, source: Any, **fields: Any) -> dict[str, Any]:
    return {
        "id": txn_id,
        "object": "balance_transaction",
        "type": kind,
        "amount": amount,
        "fee": fee,
        "net": amount - fee,
        "currency": "usd",
        "available_on": ARRIVAL,
        "created": CREATED,
        "source": source,
        "reporting_category": fields.pop("reporting_category", kind),
        **fields,
    }


def charge(charge_id: str, intent: str) -> dict[str, Any]:
    return {"id": charge_id, "object": "charge", "payment_intent": intent, "amount": 10_000}


# --- payouts --------------------------------------------------------------------------------------------------


def test_payouts_are_asked_by_arrival_date_and_read_oldest_first(double, make):
    later = payout("po_later", arrival_date=ARRIVAL + 86_400, status="in_transit", trace_id=None)
    manual = payout("po_manual", automatic=False)
    double.on("GET", "/v1/payouts", Reply(200, page(later, payout(), manual, url="/v1/payouts")))
    processor: PaymentProcessor = make()

    found = processor.payouts(arrived_since=date(2026, 11, 12), arrived_until=date(2026, 11, 13))

    (sent,) = double.seen
    assert sent.query == {
        "arrival_date[gte]": str(ARRIVAL),
        "arrival_date[lte]": str(ARRIVAL + 2 * 86_400 - 1),  # the whole of the last day
        "limit": "100",
    }
    assert [(p.payout_id, p.arrival_date, p.status, p.bank_trace_id) for p in found] == [
        ("po_1Q0payout", date(2026, 11, 12), PayoutStatus.PAID, "021000021234567"),
        ("po_later", date(2026, 11, 13), PayoutStatus.IN_TRANSIT, None),
    ]  # the manual payout left out: Stripe cannot say what it paid
    first = found[0]
    assert (first.amount, first.currency, first.processor) == (18_915, "USD", "stripe")
    assert first.created_at == datetime(2026, 11, 10, 4, tzinfo=UTC)


def test_every_page_of_payouts_is_read(double, make):
    double.on(
        "GET",
        "/v1/payouts",
        Reply(200, page(payout("po_a"), url="/v1/payouts", has_more=True)),
        Reply(200, page(payout("po_b"), url="/v1/payouts")),
    )
    found = make().payouts(arrived_since=date(2026, 11, 12), arrived_until=date(2026, 11, 12))
    assert [p.payout_id for p in found] == ["po_a", "po_b"]
    assert double.seen[1].query["starting_after"] == "po_a"


def test_payouts_stripe_cannot_answer_are_a_dependency_failure(double, make):
    double.on("GET", "/v1/payouts", Reply(503, stripe_error("unavailable", type="api_error")))
    with pytest.raises(DependencyError):
        make().payouts(arrived_since=date(2026, 11, 12), arrived_until=date(2026, 11, 12))


# --- the balance transactions of a payout ---------------------------------------------------------------------

ACH_DISPUTE = {
    "id": "du_ach",
    "object": "dispute",
    "payment_intent": "pi_ach",
    "charge": "py_ach",
    "reason": "debit_not_authorized",
}
CARD_DISPUTE = {
    "id": "du_card",
    "object": "dispute",
    "payment_intent": "pi_card2",
    "charge": "ch_card2",
    "payment_method_details": {"type": "card", "card": {"brand": "visa"}},
}
PAYOUT_LINES = [
    txn("txn_charge", "charge", 10_000, 320, charge("ch_card", "pi_card")),
    txn("txn_ach", "payment", 30_000, 240, {"id": "py_ach", "object": "charge", "payment_intent": "pi_ach"}),
    txn(
        "txn_refund",
        "refund",
        -4_000,
        0,
        {"id": "re_1", "object": "refund", "payment_intent": "pi_card", "charge": "ch_card"},
    ),
    txn("txn_fee", "stripe_fee", -125, 0, None, reporting_category="fee"),
    txn("txn_return", "adjustment", -30_000, 0, ACH_DISPUTE, reporting_category="dispute"),
    txn("txn_dispute", "adjustment", -5_000, 1_500, CARD_DISPUTE, reporting_category="dispute"),
    txn(
        "txn_failed_debit",
        "payment_failure_refund",
        -2_000,
        0,
        {"id": "pyr_1", "object": "refund", "payment_intent": "pi_ach2"},
    ),
    txn("txn_legacy", "charge", 20_000, 610, {"id": "ch_legacy", "object": "charge", "payment_intent": None}),
    txn("txn_other", "adjustment", 300, 0, None, reporting_category="other_adjustment"),
]


def test_a_payout_s_transactions_map_to_our_charges_with_their_types_and_signs(double, make):
    # Given a payout of every kind of movement, and the payout's own transfer listed with them (Stripe does)
    the_payout = payout(amount=sum(line["net"] for line in PAYOUT_LINES))
    own_transfer = txn("txn_payout", "payout", -the_payout["amount"], 0, "po_1Q0payout")
    double.on("GET", "/v1/payouts", Reply(200, page(the_payout, url="/v1/payouts")))
    double.on(
        "GET", "/v1/balance_transactions", Reply(200, page(own_transfer, *PAYOUT_LINES, url="/v1/balance_transactions"))
    )
    processor = make()

    # When the payout and its transactions are read
    (found,) = processor.payouts(arrived_since=date(2026, 11, 12), arrived_until=date(2026, 11, 12))
    lines = processor.payout_transactions(found.payout_id)

    # Then the source is expanded, so each names the PaymentIntent our payment keeps as its transaction id
    assert double.seen[-1].query == {"payout": "po_1Q0payout", "limit": "100", "expand[0]": "data.source"}
    assert {t.id: (t.type, t.source_transaction_id, t.amount, t.fee, t.net) for t in lines} == {
        "txn_charge": (BalanceType.CHARGE, "pi_card", 10_000, 320, 9_680),
        "txn_ach": (BalanceType.CHARGE, "pi_ach", 30_000, 240, 29_760),
        "txn_refund": (BalanceType.REFUND, "pi_card", -4_000, 0, -4_000),  # a refund: its charge's intent
        "txn_fee": (BalanceType.FEE, None, -125, 0, -125),
        "txn_return": (BalanceType.RETURN, "pi_ach", -30_000, 0, -30_000),  # a bank debit's dispute
        "txn_dispute": (BalanceType.DISPUTE, "pi_card2", -5_000, 1_500, -6_500),  # a card's, with its fee
        "txn_failed_debit": (BalanceType.RETURN, "pi_ach2", -2_000, 0, -2_000),
        "txn_legacy": (BalanceType.CHARGE, "ch_legacy", 20_000, 610, 19_390),  # no intent: the charge itself
        "txn_other": (BalanceType.ADJUSTMENT, None, 300, 0, 300),
    }
    assert all(t.payout_id == "po_1Q0payout" and t.currency == "USD" for t in lines)
    assert lines[0].available_on == date(2026, 11, 12) and lines[0].created_at == datetime(2026, 11, 10, 4, tzinfo=UTC)
    # and, without the payout's own transfer, they add up to the payout
    assert payout_difference(found, lines) == 0


def test_every_page_of_a_payout_s_transactions_is_read_with_the_source_expanded(double, make):
    url = "/v1/balance_transactions"
    double.on(
        "GET",
        url,
        Reply(200, page(PAYOUT_LINES[0], url=url, has_more=True)),
        Reply(200, page(PAYOUT_LINES[2], url=url)),
    )
    lines = make().payout_transactions("po_1Q0payout")
    assert [t.id for t in lines] == ["txn_charge", "txn_refund"]
    second = double.seen[1].query
    assert (second["starting_after"], second["payout"], second["expand[0]"]) == (
        "txn_charge",
        "po_1Q0payout",
        "data.source",
    )


def test_a_payout_stripe_does_not_know_is_not_found(double, make):
    missing = stripe_error("No such payout: 'po_nope'", type="invalid_request_error", code="resource_missing")
    double.on("GET", "/v1/balance_transactions", Reply(404, missing))
    with pytest.raises(NotFoundError):
        make().payout_transactions("po_nope")


@pytest.mark.parametrize("status", [401, 503])
def test_transactions_stripe_will_not_give_are_a_dependency_failure(double, make, status):
    kind = "authentication_error" if status == 401 else "api_error"
    double.on("GET", "/v1/balance_transactions", Reply(status, stripe_error("no", type=kind)))
    with pytest.raises(DependencyError):
        make().payout_transactions("po_1Q0payout")
