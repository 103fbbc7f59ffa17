"""A Stripe agency's pay page, end to end: the local runtime as a Stripe stack (``tests/browser/stripe_runtime.py``),
its adapter calling the fake Stripe API and its pages loading the Stripe.js double (``tests/stripe_fake_api.py``,
``tests/browser/stripe_double/stripe.js``), under the Content-Security-Policy the runtime now sends.

Journeys, with Stripe's test cards: a card that succeeds, one that is declined, one whose bank asks for 3-D Secure
(completed; and abandoned: nothing posted, and the reconciler cancels it once it expires), and a bank account whose
debit is pending. The console's take-payment page takes a card through the same element."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from arportal.domain.payment_intents import ACTION_EXPIRES
from tests.browser import data
from tests.browser.conftest import DEMO_PASSWORD, Portal, ready_to_send, running_runtime
from tests.browser.test_customer_journey import cents, today_in
from tests.stripe_fake_api import FakeStripeServer

VISA, DECLINED, THREE_DS = "4242 4242 4242 4242", "4000 0000 0000 0002", "4000 0027 6000 3184"


@pytest.fixture(scope="module")
def stripe_api() -> Iterator[FakeStripeServer]:
    server = FakeStripeServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def stripe_portal(portal: Portal, stripe_api: FakeStripeServer) -> Iterator[Portal]:
    """A second runtime, a Stripe stack, on the sandbox runtime's day (the browser's clock is that one's)."""
    first = (stripe_api.base,)
    with running_runtime(
        portal.today, prefix="stripe-runtime-", module="tests.browser.stripe_runtime", first=first
    ) as s:
        yield s


def sign_in(page: Any, at: Portal) -> None:
    page.goto(f"{at.url}/index.html")
    page.get_by_label("Email address").fill("customer@demo.local")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    ready_to_send(page)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url("**/dashboard.html")


def to_card_details(page: Any, at: Portal, amount: str, *, bank: bool = False) -> str:
    """On the pay page for an overdue invoice, paying ``amount`` of it, at the secure details step; its number."""
    invoice = data.an_overdue_invoice(at, at_least=cents(f"${amount}"))
    number = str(invoice["invoice_number"])
    page.goto(f"{at.url}/dashboard.html")
    page.locator("#open-invoices").get_by_role("link", name=f"Pay invoice {number}").click()
    page.wait_for_url("**/pay.html?invoices=*")
    page.get_by_label(f"Amount to pay for invoice {number}").fill(amount)
    if bank:
        page.locator("label[for=method-bank]").click()
    page.get_by_role("button", name="Continue to payment details").click()
    page.locator("[data-stripe-double=payment-element]").wait_for()
    return number


def enter_card(page: Any, number: str) -> None:
    fields = page.locator("#fields")
    fields.get_by_label("Card number").fill(number)
    day = today_in(page)
    fields.get_by_label("Expiration (MM / YY)").fill(f"12 / {(day.year + 2) % 100:02d}")
    fields.get_by_label("Security code").fill("123")
    fields.get_by_role("button", name="Use this card").click()
    page.locator("#pay-button").wait_for()


def payments_of(at: Portal) -> dict[str, dict[str, Any]]:
    return {p["payment_id"]: p for p in data.get(at, "/v1/portal/payments?limit=100")["payments"]}


def test_a_card_payment_goes_through_stripe_and_the_page_is_accessible(stripe_portal, stripe_api, page, visit):
    sign_in(page, stripe_portal)
    before = payments_of(stripe_portal)
    to_card_details(page, stripe_portal, "2.00")
    visit(page, "stripe-pay-details")
    enter_card(page, VISA)
    visit(page, "stripe-pay-review")
    page.locator("#pay-button").click()
    page.locator("#confirmation-heading").wait_for()
    assert "went through" in page.locator("#confirmation").inner_text()
    visit(page, "stripe-pay-confirmation")
    (made,) = [p for pid, p in payments_of(stripe_portal).items() if pid not in before]
    assert (made["status"], made["method"]["last4"]) == ("posted", "4242")
    # Stripe.js came from the configured URL (the double here) and no card number reached our API
    assert ("GET", "/v3/") in stripe_api.fake.requests
    assert "4242424242424242" not in stripe_portal.log.read_text()


def test_a_declined_card_is_said_so_and_the_payer_may_try_another(stripe_portal, page):
    sign_in(page, stripe_portal)
    to_card_details(page, stripe_portal, "2.00")
    enter_card(page, DECLINED)
    page.locator("#pay-button").click()
    alert = page.locator("#page-alerts .usa-alert--error")
    alert.wait_for()
    assert "declined" in alert.inner_text().lower()
    page.locator("[data-stripe-double=payment-element]").wait_for()  # the details again, for another card


def test_a_card_whose_bank_asks_to_confirm_is_paid_once_confirmed(stripe_portal, stripe_api, page):
    sign_in(page, stripe_portal)
    before = payments_of(stripe_portal)
    to_card_details(page, stripe_portal, "3.00")
    enter_card(page, THREE_DS)
    page.locator("#pay-button").click()
    page.get_by_role("button", name="Complete authentication").click()
    page.locator("#confirmation-heading").wait_for()
    (made,) = [p for pid, p in payments_of(stripe_portal).items() if pid not in before]
    assert (made["status"], made["method"]["last4"]) == ("posted", "3184")
    assert [i["status"] for i in stripe_api.fake.intents.values() if i["amount"] >= 300][-1] == "succeeded"


def test_an_abandoned_bank_confirmation_leaves_no_payment_and_is_cancelled_later(stripe_portal, stripe_api, page):
    sign_in(page, stripe_portal)
    before = payments_of(stripe_portal)
    to_card_details(page, stripe_portal, "4.00")
    enter_card(page, THREE_DS)
    page.locator("#pay-button").click()
    page.get_by_role("button", name="Complete authentication").wait_for()
    waiting = [pid for pid, i in stripe_api.fake.intents.items() if i["status"] == "requires_action"]
    assert waiting
    page.goto("about:blank")  # the payer walks away from the bank's window
    assert payments_of(stripe_portal).keys() == before.keys()
    # When the reconciler runs after the payer's window has passed (the runtime's clock moves by whole days only,
    # forward: this Stripe runtime's day is the next one from here on, which no other test here depends on)
    assert timedelta(days=1) > ACTION_EXPIRES
    status, moved = stripe_portal.api("POST", "/local/clock", json_body={"advance_days": 1})
    assert status == 200, moved
    status, ran = stripe_portal.api("POST", "/local/jobs/reconcile")
    assert status == 200, ran
    # Then Stripe's intent is cancelled, and still no payment was posted
    assert stripe_api.fake.intents[waiting[-1]]["status"] == "canceled"
    assert payments_of(stripe_portal).keys() == before.keys()


def test_a_bank_account_debit_is_pending(stripe_portal, page):
    sign_in(page, stripe_portal)
    to_card_details(page, stripe_portal, "5.00", bank=True)
    fields = page.locator("#fields")
    fields.get_by_label("Routing number").fill("110000000")
    fields.get_by_label("Account number").fill("000123456789")
    fields.get_by_role("button", name="Use this bank account").click()
    page.locator("#pay-button").click()
    page.locator("#confirmation-heading").wait_for()
    assert "on its way" in page.locator("#confirmation").inner_text()


def test_the_console_takes_a_card_whose_bank_asks_to_confirm(stripe_portal, page, visit):
    from tests.browser.test_console_journey import add_fee
    from tests.browser.test_console_pages import demo_customer

    record = demo_customer(stripe_portal, stripe_portal.login("agent@demo.local"))
    account = next(a["account_number"] for a in record["accounts"] if a["status"] == "active")
    page.goto(f"{stripe_portal.url}/console/index.html")
    page.get_by_label("Work email address").fill("agent@demo.local")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    ready_to_send(page)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url("**/console/search.html")
    page.goto(f"{stripe_portal.url}/console/take-payment.html?customer={record['profile']['customer_id']}")
    add_fee(page, account, "PERMIT_FEE", "Building permit", "12.00")
    fields = page.locator("#fields")
    fields.get_by_label("Card number").fill(THREE_DS)
    fields.get_by_label("Expiration (MM / YY)").fill(f"12 / {(today_in(page).year + 2) % 100:02d}")
    fields.get_by_label("Security code").fill("123")
    fields.get_by_role("button", name="Use this card").click()
    page.locator("#card-chosen").wait_for()
    visit(page, "stripe-console-take-payment")
    page.get_by_role("button", name="Take $12.00").click()
    page.get_by_role("button", name="Complete authentication").click()
    page.get_by_role("heading", name="Payment taken").wait_for()
    assert "Receipt" in page.locator("#checkout .usa-alert--success").inner_text()
