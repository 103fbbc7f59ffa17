"""A guest pays an invoice without an account: look it up by number and ZIP code, pay part of it with the sandbox
card (the fee shown first), get the receipt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser import data
from tests.browser.conftest import Portal
from tests.browser.test_customer_journey import cents, enter_sandbox_card


def an_unpaid_invoice(portal: Portal) -> tuple[str, str, str, int]:
    """An invoice of the demo customer with at least 5.00 left to pay: id, number, the ZIP code on file, balance
    in cents (found, or made, through the API: ``data.an_invoice_owing``)."""
    invoice = data.an_invoice_owing(portal, at_least=500)
    postal_code = data.get(portal, "/v1/portal/me")["address"]["postal_code"]
    return invoice["invoice_id"], invoice["invoice_number"], postal_code, invoice["balance"]["amount"]


def balance_of(portal: Portal, invoice_id: str) -> int:
    status, body = portal.api("GET", f"/v1/portal/invoices/{invoice_id}", token=portal.login())
    assert status == 200, body
    return int(body["invoice"]["balance"]["amount"])


def test_guest_looks_up_an_invoice_and_pays_part_of_it(portal: Portal, page: Any, visit: Any) -> None:
    # Given an unpaid invoice and what is printed on it
    invoice_id, number, postal_code, balance = an_unpaid_invoice(portal)

    # When a guest looks it up by its number and ZIP code
    page.goto("/guest.html")
    visit(page, "guest-lookup")
    page.get_by_label("Bill (invoice) number").fill(number)
    page.get_by_label("ZIP code", exact=True).fill(postal_code)
    page.get_by_role("button", name="Find my bill").click()

    # Then the bill is shown with its balance, the payee only by initials
    found = page.locator("#found")
    found.get_by_text(number).wait_for()
    assert cents(found.inner_text()) == balance
    visit(page, "guest-found")

    # When they pay 5.00 of it with the sandbox card, leaving an email for the receipt
    page.get_by_label("Amount to pay").fill("5.00")
    page.get_by_label("Email for your receipt (optional)").fill("guest@example.com")
    page.get_by_role("button", name="Continue to payment details").click()
    enter_sandbox_card(page)
    page.locator("#review").get_by_text("Convenience fee").wait_for()
    visit(page, "guest-review")
    page.locator("#pay-button").click()

    # Then the payment is confirmed with a receipt they can download
    page.locator("#confirmation-heading").wait_for()
    assert "guest@example.com" in page.locator("#confirmation").inner_text()
    visit(page, "guest-confirmation")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download receipt (PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # And the invoice's balance fell by exactly 5.00
    assert balance_of(portal, invoice_id) == balance - 500


def test_a_wrong_zip_code_is_explained_next_to_the_form(page: Any, visit: Any) -> None:
    page.goto("/guest.html")
    page.get_by_label("Bill (invoice) number").fill("UT0000-00000")
    page.get_by_label("ZIP code", exact=True).fill("00000")
    page.get_by_role("button", name="Find my bill").click()
    alert = page.locator("#page-alerts .usa-alert--error, #lookup .usa-alert--error").first
    alert.wait_for()
    assert page.evaluate("document.activeElement.closest('.usa-alert') !== null")
    visit(page, "guest-not-found")
