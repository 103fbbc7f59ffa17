"""Stripe's payout transactions a page at a time (``payout_transactions_page``), for a settlement listing that
stops between pages: what is asked (``starting_after`` the cursor), the payout's own transfer left out, and the
cursor of the next page, against the local HTTP double of Stripe."""

from __future__ import annotations

from arportal.ports import PayoutTransactionPages
from tests.unit.test_stripe_payouts import PAYOUT_LINES, double, make, page, txn  # noqa: F401 (fixtures)
from tests.unit.test_stripe_processor import Reply

URL = "/v1/balance_transactions"


def test_a_page_is_asked_after_the_cursor_and_answers_the_next_one(double, make):  # noqa: F811
    own_transfer = txn("txn_payout", "payout", -1, 0, "po_1Q0payout")
    double.on(
        "GET",
        URL,
        Reply(200, page(PAYOUT_LINES[0], own_transfer, url=URL, has_more=True)),
        Reply(200, page(PAYOUT_LINES[2], url=URL)),
    )
    processor = make()
    assert isinstance(processor, PayoutTransactionPages)

    first, cursor = processor.payout_transactions_page("po_1Q0payout", after=None)
    # the transfer is left out, but the next page starts after it: it was the page's last
    assert [t.id for t in first] == ["txn_charge"] and cursor == "txn_payout"
    assert "starting_after" not in double.seen[0].query

    second, cursor = processor.payout_transactions_page("po_1Q0payout", after=cursor)
    assert [t.id for t in second] == ["txn_refund"] and cursor is None  # Stripe has no more
    query = double.seen[1].query
    assert (query["starting_after"], query["payout"], query["limit"], query["expand[0]"]) == (
        "txn_payout",
        "po_1Q0payout",
        "100",
        "data.source",
    )


def test_a_listing_resumes_after_any_line_it_names(double, make):  # noqa: F811
    double.on("GET", URL, Reply(200, page(*PAYOUT_LINES[3:5], url=URL, has_more=True)))
    lines, cursor = make().payout_transactions_page("po_1Q0payout", after="txn_refund")
    assert double.seen[0].query["starting_after"] == "txn_refund"
    assert [t.id for t in lines] == ["txn_fee", "txn_return"] and cursor == "txn_return"
