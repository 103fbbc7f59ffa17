"""Saving a card with Stripe on the portal's profile page, end to end: the Payment Element in setup mode (the
Stripe.js double), the save route confirming a SetupIntent for the customer's Stripe Customer (the fake Stripe API,
``tests/stripe_fake_setup.py``), the bank's confirmation asked when saving, then the saved card offered for autopay
and charged as autopay charges it (off session, with its Customer)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from arportal.adapters.processors import ProcessorCredentials
from arportal.adapters.stripe_processor import StripeProcessor
from arportal.domain.processing import ChargeOutcome
from arportal.ports import ChargeRequest
from tests.browser import data
from tests.browser.conftest import Portal, running_runtime
from tests.browser.test_customer_journey import today_in
from tests.browser.test_stripe_pay import sign_in
from tests.stripe_fake_api import FakeStripeServer

ASKS_ONCE, DECLINED = "4000 0025 0000 3155", "4000 0000 0000 0002"


@pytest.fixture(scope="module")
def stripe_api() -> Iterator[FakeStripeServer]:
    server = FakeStripeServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def stripe_portal(portal: Portal, stripe_api: FakeStripeServer) -> Iterator[Portal]:
    first = (stripe_api.base,)
    with running_runtime(portal.today, prefix="stripe-saved-", module="tests.browser.stripe_runtime", first=first) as s:
        yield s


def add_card(page: Any, at: Portal, number: str, nickname: str) -> None:
    page.goto(f"{at.url}/profile.html")
    page.get_by_label("Nickname").fill(nickname)
    page.get_by_role("button", name="Enter the details").click()
    fields = page.locator("#method-fields")
    fields.locator("[data-stripe-double=payment-element]").wait_for()
    fields.get_by_label("Card number").fill(number)
    day = today_in(page)
    fields.get_by_label("Expiration (MM / YY)").fill(f"12 / {(day.year + 2) % 100:02d}")
    fields.get_by_label("Security code").fill("123")
    fields.get_by_role("button", name="Save this card").click()


def saved_methods(at: Portal) -> list[dict[str, Any]]:
    return list(data.get(at, "/v1/portal/payment-methods?limit=50")["items"])


def test_a_card_whose_bank_asks_is_saved_once_confirmed_offered_for_autopay_and_charged_off_session(
    stripe_portal, stripe_api, page, visit
):
    sign_in(page, stripe_portal)
    before = {m["payment_method_id"] for m in saved_methods(stripe_portal)}
    add_card(page, stripe_portal, ASKS_ONCE, "Saved with Stripe")
    page.get_by_role("button", name="Complete authentication").click()
    status = page.locator("#methods-status")
    status.get_by_text("ending 3155 is saved").wait_for()
    visit(page, "stripe-profile-saved-method")
    (made,) = [m for m in saved_methods(stripe_portal) if m["payment_method_id"] not in before]
    assert (made["last4"], made["nickname"], made["exp_month"]) == ("3155", "Saved with Stripe", 12)
    assert page.locator("#method-list").get_by_text("Saved with Stripe").is_visible()
    # Offered where autopay is set up, as any saved method
    page.goto(f"{stripe_portal.url}/schedules.html")
    options = page.locator("#autopay-method option")
    options.first.wait_for(state="attached")
    assert any("3155" in text for text in options.all_inner_texts())
    # Charged as autopay charges it: the pm_ Stripe attached to this customer's Stripe Customer, off session
    cid = data.customer_id(stripe_portal)
    (customer,) = [c for c in stripe_api.fake.customers.values() if c["metadata"] == {"customer_id": cid}]
    (method,) = [m for m in stripe_api.fake.methods.values() if m["customer"] == customer["id"]]
    stripe = StripeProcessor(lambda: ProcessorCredentials("sk_test_b", None), api_base=stripe_api.base)
    paid = stripe.charge(ChargeRequest("autopay-b1", 1_000, "USD", method["id"], "Autopay", cid, off_session=True))
    assert (paid.outcome, paid.last4) == (ChargeOutcome.SUCCEEDED, "3155")
    assert "4000002500003155" not in stripe_portal.log.read_text()


def test_a_declined_card_is_said_so_and_not_saved(stripe_portal, page):
    sign_in(page, stripe_portal)
    before = saved_methods(stripe_portal)
    add_card(page, stripe_portal, DECLINED, "Declined")
    page.locator("#methods-status").get_by_text("declined").wait_for()
    assert saved_methods(stripe_portal) == before
