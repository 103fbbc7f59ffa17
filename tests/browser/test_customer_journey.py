"""A customer signs in, sees what is owed, pays part of it with the sandbox card, sees the balance fall, downloads
the receipt and a statement. The payment is never made twice: not by a double click, a reload or a lost answer."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.browser import data
from tests.browser.conftest import Portal, sign_in


def cents(text: str) -> int:
    """ "$1,234.56" -> 123456 (exactly, through Decimal)."""
    found = re.search(r"-?\$[\d,]+\.\d{2}", text)
    assert found, f"no amount in {text!r}"
    return int(Decimal(found.group().replace("$", "").replace(",", "")) * 100)


def owed(page: Any) -> int:
    page.goto("/dashboard.html")
    figure = page.locator(".figure", has_text="Total owed")
    figure.locator(".amount").wait_for()
    return cents(figure.inner_text())


def new_payments(portal: Portal, before: set[str]) -> set[str]:
    """The demo customer's payments made since ``before`` (``data.payment_ids``) was read."""
    return data.payment_ids(portal) - before


def enter_sandbox_card(page: Any, number: str = "4242 4242 4242 4242") -> None:
    card = page.frame_locator("#fields iframe")
    card.get_by_label("Card number").fill(number)
    card.get_by_label("Expiry (MM/YY)").fill(data.card_expiry_text(today_in(page)))
    card.get_by_label("Security code").fill("123")
    card.get_by_role("button", name="Use this card").click()


def today_in(page: Any) -> date:
    """The browser's day (its clock is the test session's, see conftest)."""
    return date.fromisoformat(page.evaluate("() => new Date().toISOString().slice(0, 10)"))


def choose_invoice_to_pay(page: Any, number: str, amount: str) -> None:
    """From the overview, 'Pay' invoice ``number``, paying ``amount`` of it."""
    page.locator("#open-invoices").get_by_role("link", name=f"Pay invoice {number}").click()
    page.wait_for_url("**/pay.html?invoices=*")
    box = page.get_by_label(f"Pay invoice {number}")
    assert box.is_checked()  # preselected from the link
    page.get_by_label(f"Amount to pay for invoice {number}").fill(amount)


def pay_part_of_an_overdue_invoice(portal: Portal, page: Any, amount: str) -> str:
    """On the overview, 'Pay' an overdue invoice with at least ``amount`` left, paying ``amount`` of it; its
    number. The invoice is found (or made) through the API first (``data.an_overdue_invoice``)."""
    number = str(data.an_overdue_invoice(portal, at_least=cents(f"${amount}"))["invoice_number"])
    page.goto("/dashboard.html")
    row = page.locator("#open-invoices tbody tr", has=page.get_by_role("link", name=f"Pay invoice {number}"))
    assert "overdue" in row.inner_text().lower()  # as the overview shows it (its tag is in capitals)
    choose_invoice_to_pay(page, number, amount)
    return number


def test_customer_pays_part_of_an_invoice_and_gets_receipt_and_statement(portal: Portal, page: Any, visit: Any) -> None:
    # Given the demo customer signed in, on the overview
    sign_in(page)
    visit(page, "dashboard")
    # and the overview says how many notices are unread, as the API counts them
    board = data.dashboard(portal)
    unread = board["unread_notices"]["count"]
    shown = page.locator("#notices-count").inner_text()
    assert shown == "You have no unread notices." if unread == 0 else f"You have {unread} unread" in shown

    # When they pay 12.34 of an overdue invoice with the sandbox card
    invoice = data.an_overdue_invoice(portal, at_least=1234)
    before = owed(page)
    payments_before = data.payment_ids(portal)
    assert before > 0
    number = invoice["invoice_number"]
    choose_invoice_to_pay(page, number, "12.34")
    visit(page, "pay-choose")
    page.get_by_role("button", name="Continue to payment details").click()
    page.frame_locator("#fields iframe").get_by_label("Card number").wait_for()
    visit(page, "pay-details")
    enter_sandbox_card(page)

    # Then the fee is shown before they confirm
    review = page.locator("#review")
    review.get_by_text("Convenience fee").wait_for()
    assert "$12.34" in review.inner_text()
    visit(page, "pay-review")
    total = cents(page.locator("#pay-button").inner_text())
    assert total >= 1234

    # When they press Pay twice in a row
    page.locator("#pay-button").dblclick()
    page.locator("#confirmation-heading").wait_for()
    confirmation = page.locator("#confirmation").inner_text()
    receipt = re.search(r"R-\d{4}-[0-9A-Z]+", confirmation)
    assert receipt, confirmation
    assert number in confirmation
    visit(page, "pay-confirmation")

    # Then one payment was made, and a reload shows the same confirmation without paying again
    page.reload()
    page.locator("#confirmation-heading").wait_for()
    assert receipt.group() in page.locator("#confirmation").inner_text()
    assert len(new_payments(portal, payments_before)) == 1

    # And the receipt downloads as a PDF
    with page.expect_download() as download:
        page.get_by_role("button", name="Download receipt (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # And the balance fell by exactly what was paid (the fee is not a payment towards the bill)
    assert owed(page) == before - 1234

    # And the payment is in the history, with its status timeline
    page.goto("/payments.html")
    page.locator("#results tbody tr").first.wait_for()
    visit(page, "payments")
    page.locator("#results tbody tr").first.get_by_role("link").click()
    page.locator(".timeline").wait_for()
    assert receipt.group() in page.locator("#payment").inner_text()
    visit(page, "payment")

    # And a statement for the last three months downloads as a PDF
    page.goto("/statements.html")
    page.locator("#statement table").first.wait_for()
    visit(page, "statements")
    with page.expect_download() as statement:
        page.get_by_role("button", name="Download PDF").click()
    assert Path(statement.value.path()).read_bytes().startswith(b"%PDF")


def test_a_lost_answer_is_checked_with_the_same_key_and_never_charged_twice(portal: Portal, page: Any) -> None:
    # Given a checkout whose payment request reaches the API but whose answer is lost on the way back
    sign_in(page)
    invoice = data.an_overdue_invoice(portal, at_least=100)
    before = owed(page)
    payments_before = data.payment_ids(portal)
    keys: list[str] = []

    def lose_first_answer(route: Any) -> None:
        keys.append(route.request.headers["idempotency-key"])
        response = route.fetch()  # the API takes the payment...
        if len(keys) == 1:
            route.abort("connectionreset")  # ...and the browser never hears of it
        else:
            route.fulfill(response=response)

    page.route("**/v1/portal/payments", lose_first_answer)
    choose_invoice_to_pay(page, invoice["invoice_number"], "1.00")
    page.get_by_role("button", name="Continue to payment details").click()
    enter_sandbox_card(page)
    page.locator("#pay-button").click()

    # When the customer is told it could not be confirmed, and asks again
    warning = page.get_by_role("button", name="Check my payment")
    warning.wait_for()
    assert page.evaluate("document.activeElement.closest('.usa-alert') !== null")  # focus moved to the message
    warning.click()

    # Then the second request carried the same key, the confirmation shows, and one payment was made
    page.locator("#confirmation-heading").wait_for()
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert len(new_payments(portal, payments_before)) == 1
    assert owed(page) == before - 100


def test_a_declined_card_is_announced_and_a_new_attempt_gets_a_new_key(portal: Portal, page: Any, visit: Any) -> None:
    # Given a checkout paid with the sandbox's always-declined card
    sign_in(page)
    keys: list[str] = []
    page.on(
        "request",
        lambda r: (
            keys.append(r.headers.get("idempotency-key", ""))
            if r.method == "POST" and r.url.endswith("/v1/portal/payments")
            else None
        ),
    )
    pay_part_of_an_overdue_invoice(portal, page, "2.00")
    page.get_by_role("button", name="Continue to payment details").click()
    enter_sandbox_card(page, "4000 0000 0000 0002")
    page.locator("#pay-button").click()

    # Then the decline is announced, with focus on it, and the secure fields are back for another card
    alert = page.locator("#page-alerts .usa-alert--error")
    alert.wait_for()
    assert "declined" in alert.inner_text().lower()
    assert page.evaluate("document.activeElement.classList.contains('usa-alert')")
    visit(page, "pay-declined")

    # When they pay with another card
    enter_sandbox_card(page)
    page.locator("#pay-button").click()
    page.locator("#confirmation-heading").wait_for()

    # Then the second attempt was sent under a different key
    assert len(keys) == 2
    assert keys[0] != keys[1]


def test_a_reload_while_paying_resumes_with_the_same_key(portal: Portal, page: Any) -> None:
    # Given a payment request that is still on its way when the customer reloads the page
    sign_in(page)
    invoice = data.an_overdue_invoice(portal, at_least=150)
    before = owed(page)
    payments_before = data.payment_ids(portal)
    keys: list[str] = []

    def hold_the_first(route: Any) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) > 1:
            route.continue_()
        # the first is left hanging: the reload cancels it before it reaches the API

    page.route("**/v1/portal/payments", hold_the_first)
    choose_invoice_to_pay(page, invoice["invoice_number"], "1.50")
    page.get_by_role("button", name="Continue to payment details").click()
    enter_sandbox_card(page)
    page.locator("#pay-button").click()
    page.wait_for_function("() => document.querySelector('#pay-button').disabled")
    assert len(keys) == 1

    # When the page is reloaded
    page.reload()

    # Then it asks again with the same key and shows the one payment that was made
    page.locator("#confirmation-heading").wait_for()
    assert keys == [keys[0], keys[0]]
    assert len(new_payments(portal, payments_before)) == 1
    assert owed(page) == before - 150
