"""A session that expires as Pay is pressed (issue 16, "Bad input"): the payer signs in again and is back at the same
step, and nothing is charged twice. If the payment never left the browser, the portal is back at review with the
same invoices, amount, fee and Idempotency-Key; if it reached the API and only the answer was lost, the page asks
again with the same key and shows the first outcome. The console's take-payment page keeps its key the same way."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import expect

from tests.browser import data
from tests.browser.conftest import DEMO_PASSWORD, Portal, console_sign_in, ready_to_send, sign_in
from tests.browser.test_console_pages import demo_customer
from tests.browser.test_customer_journey import choose_invoice_to_pay, enter_sandbox_card, new_payments

CHECKOUT = "arportal.checkout.portal"
# The session's tokens run out, and the refresh token no longer works (revoked, or past its own end).
EXPIRE = """(store) => {
  const s = JSON.parse(sessionStorage.getItem(store));
  sessionStorage.setItem(store, JSON.stringify({ ...s, expiresAt: 0, refreshToken: "revoked" }));
}"""
# Only the refresh token stops working: the next request still goes out with a token the API takes.
REVOKE_REFRESH = """(store) => {
  const s = JSON.parse(sessionStorage.getItem(store));
  sessionStorage.setItem(store, JSON.stringify({ ...s, refreshToken: "revoked" }));
}"""


def payment_keys(page: Any, path: str) -> list[str]:
    """The Idempotency-Key of every POST to ``path`` the page sends (filled as they go)."""
    keys: list[str] = []

    def seen(request: Any) -> None:
        if request.method == "POST" and request.url.endswith(path):
            keys.append(request.headers.get("idempotency-key", ""))

    page.on("request", seen)
    return keys


def fee_known(page: Any) -> None:
    """The console's fee quote is in: pressed before it, Take only shows the fee for the agent to confirm (as the
    page means it to), and a press under load could land there."""
    expect(page.locator("#cart-fee")).to_have_text(re.compile(r"^(?!Working out)\S"))


def checkout_state(page: Any) -> dict[str, Any]:
    return dict(json.loads(page.evaluate("(key) => sessionStorage.getItem(key)", CHECKOUT)))


def sign_in_again(page: Any, email: str, label: str = "Email address") -> None:
    page.get_by_label(label).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    ready_to_send(page)
    page.get_by_label("Password", exact=True).press("Enter")


def at_review(portal: Portal, page: Any, amount: str) -> tuple[str, str]:
    """Signed in, an overdue invoice chosen, the sandbox card entered: the review step's invoice number and text."""
    sign_in(page)
    number = str(data.an_overdue_invoice(portal, at_least=int(amount.replace(".", "")))["invoice_number"])
    page.goto("/dashboard.html")
    choose_invoice_to_pay(page, number, amount)
    page.get_by_role("button", name="Continue to payment details").click()
    enter_sandbox_card(page)
    page.locator("#review").get_by_text("Convenience fee").wait_for()
    return number, page.locator("#review").inner_text()


def test_expired_before_sending_back_at_review_with_the_same_key_and_one_payment(
    portal: Portal, page: Any, visit: Any
) -> None:
    # Given a payer at the review step, whose saved checkout holds the processor's token, never the card number
    keys = payment_keys(page, "/v1/portal/payments")
    number, review = at_review(portal, page, "1.75")
    saved = checkout_state(page)
    assert saved["phase"] == "review" and saved["key"]
    assert not re.search(r"\d{13,19}", json.dumps(saved)), saved  # no card number anywhere in what is kept
    assert saved["body"]["token"].startswith("tok_")  # the processor's token (brand and last 4 at most)
    payments_before = data.payment_ids(portal)

    # When the session expires and they press Pay
    page.evaluate(EXPIRE, "arportal.portal.session")
    page.locator("#pay-button").click()

    # Then they are asked to sign in, and nothing was sent
    page.wait_for_url("**/index.html?next=pay.html*")
    visit(page, "session-expired-sign-in")
    assert keys == []

    # When they sign in again, they are back at review: same invoice, amount, fee and key, told nothing was charged
    sign_in_again(page, "customer@demo.local")
    page.wait_for_url("**/pay.html?invoices=*")
    page.locator("#review h2").wait_for()
    assert page.locator("#review").inner_text() == review
    assert number in review
    assert "nothing was charged" in page.locator("#page-alerts").inner_text()
    assert checkout_state(page)["key"] == saved["key"]
    visit(page, "session-expired-review")

    # When they press Pay: one payment, under the key made before the session expired
    page.locator("#pay-button").click()
    page.locator("#confirmation-heading").wait_for()
    receipt = re.search(r"R-\d{4}-[0-9A-Z]+", page.locator("#confirmation").inner_text())
    assert receipt
    assert keys == [saved["key"]]
    assert len(new_payments(portal, payments_before)) == 1

    # And a reload shows the same receipt, and pays nothing more
    page.reload()
    page.locator("#confirmation-heading").wait_for()
    assert receipt.group() in page.locator("#confirmation").inner_text()
    assert keys == [saved["key"]]
    assert len(new_payments(portal, payments_before)) == 1


def test_expired_as_the_answer_comes_back_the_same_key_shows_the_first_outcome(portal: Portal, page: Any) -> None:
    # Given a payer at review whose payment reaches the API and is taken, but whose answer is a 401: the session
    # expired on the way back, and the refresh token no longer works
    keys: list[str] = []

    def expire_on_the_way_back(route: Any) -> None:
        keys.append(route.request.headers["idempotency-key"])
        response = route.fetch()  # the API takes the payment...
        if len(keys) == 1:
            route.fulfill(status=401, json={"message": "Unauthorized"})  # ...and the browser hears "signed out"
        else:
            route.fulfill(response=response)

    page.route("**/v1/portal/payments", expire_on_the_way_back)
    at_review(portal, page, "1.25")
    key = checkout_state(page)["key"]
    payments_before = data.payment_ids(portal)
    page.evaluate(REVOKE_REFRESH, "arportal.portal.session")
    page.locator("#pay-button").click()
    page.wait_for_url("**/index.html?next=pay.html*")
    assert len(new_payments(portal, payments_before)) == 1  # it was taken

    # When they sign in again
    sign_in_again(page, "customer@demo.local")

    # Then the page asks with the same key and shows the first outcome: still one payment
    page.locator("#confirmation-heading").wait_for()
    assert keys == [key, key]
    assert len(new_payments(portal, payments_before)) == 1


def test_a_checkout_someone_else_started_on_the_tab_is_dropped(portal: Portal, page: Any) -> None:
    # Given a checkout at review that another person started on this tab (its owner is not who is signed in now)
    at_review(portal, page, "1.10")
    page.evaluate(
        """(key) => {
          const state = JSON.parse(sessionStorage.getItem(key));
          sessionStorage.setItem(key, JSON.stringify({ ...state, owner: "someone.else@example.com" }));
        }""",
        CHECKOUT,
    )

    # When the pay page opens, it shows the choices, not that person's review, and keeps nothing of it
    page.reload()
    # The button is in the page's HTML, so it shows before the module runs: wait for the module to drop the entry
    # (a timeout here is the defect), then look at what it shows.
    page.wait_for_function("(key) => sessionStorage.getItem(key) === null", arg=CHECKOUT)
    page.get_by_role("button", name="Continue to payment details").wait_for()
    assert page.locator("#review").is_hidden()


def test_console_take_payment_expired_before_sending_keeps_its_key_and_takes_one_payment(
    portal: Portal, page: Any
) -> None:
    token = portal.login("agent@demo.local")
    record = demo_customer(portal, token)
    customer_id = record["profile"]["customer_id"]
    invoice = next(i for i in record["open_invoices"] if i["balance"]["amount"] >= 200)
    listed = f"/v1/staff/customers/{customer_id}/payments?limit=20"
    before = {p["payment_id"] for p in portal.api("GET", listed, token=token)[1]["payments"]}
    keys = payment_keys(page, "/v1/staff/payments")

    # Given an agent with an invoice line and the caller's card in the cart
    console_sign_in(page, "agent@demo.local")
    page.goto(f"/console/take-payment.html?customer={customer_id}")
    page.get_by_label("Invoice", exact=True).select_option(invoice["invoice_id"])
    page.locator("#line-invoice-amount").fill("2.00")
    page.get_by_role("button", name="Add the invoice").click()
    enter_sandbox_card(page)
    page.locator("#card-chosen").wait_for()
    fee_known(page)
    take = page.get_by_role("button", name=re.compile(r"^Take \$2\.00"))

    # When the session expires as they press Take: signed in again, back at the same cart and card
    page.evaluate(EXPIRE, "arportal.console.session")
    take.click()
    page.wait_for_url("**/console/index.html?next=take-payment.html*")
    assert keys == []
    kept = json.loads(page.evaluate("(k) => sessionStorage.getItem(k)", f"arportal.console.checkout.{customer_id}"))
    assert kept["key"] and not kept["sending"]
    sign_in_again(page, "agent@demo.local", "Work email address")
    page.wait_for_url("**/console/take-payment.html?customer=*")
    page.locator("#card-chosen").wait_for()
    fee_known(page)
    take.click()

    # Then one payment, under the key made before the session expired
    page.get_by_role("heading", name="Payment taken").wait_for()
    page.reload()
    page.get_by_role("heading", name="Payment taken").wait_for()
    assert keys == [kept["key"]]
    after = {p["payment_id"] for p in portal.api("GET", listed, token=token)[1]["payments"]}
    assert len(after - before) == 1
