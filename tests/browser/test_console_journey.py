"""The staff journey of issue 6: an agent finds a customer by receipt number, takes a two-fee payment over the
phone with ONE receipt, and requests a refund over the approval threshold; a supervisor approves it in the queue;
the agent sees the payment refunded. Every console page visited is checked with axe-core and screenshot."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Portal, console_sign_in
from tests.browser.test_console_pages import demo_customer
from tests.browser.test_customer_journey import enter_sandbox_card

# A wait_for_function predicate: true once GET /v1/staff/payments/{id} says the status. It asks through the page's
# own API module (signed in as the page is) and keeps the last answer on window: a predicate cannot await.
PAYMENT_STATUS_IS = """({ id, status }) => {
  if (window.__paymentStatus === status) return true;
  if (!window.__asking) {
    window.__asking = import("/shared/js/api.js")
      .then((api) => api.get(`/v1/staff/payments/${id}`))
      .then((answer) => { window.__paymentStatus = answer.status; })
      .finally(() => { window.__asking = null; });
  }
  return false;
}"""


def add_fee(page: Any, account: str, code: str, description: str, amount: str) -> None:
    page.get_by_label("Account").select_option(account)
    page.get_by_label("Fee code").fill(code)
    page.get_by_label("Description").fill(description)
    page.locator("#fee-amount").fill(amount)
    page.get_by_role("button", name="Add the fee").click()
    page.locator("#checkout tbody tr", has_text=description).wait_for()


def test_agent_takes_a_two_fee_payment_refund_needs_approval_supervisor_approves(
    portal: Portal, browser: Any, page: Any, visit: Any
) -> None:
    record = demo_customer(portal, portal.login("agent@demo.local"))
    customer_id = record["profile"]["customer_id"]
    receipt = next(p["receipt_number"] for p in record["payments"] if p["receipt_number"])
    account = next(a["account_number"] for a in record["accounts"] if a["status"] == "active")

    # Given an agent who finds the customer by a receipt number the caller reads out
    console_sign_in(page, "agent@demo.local")
    page.get_by_label("Customer id, invoice, receipt").fill(receipt)
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#results tbody tr").first.get_by_role("link", name=record["profile"]["name"]).click()
    page.wait_for_url(f"**/console/customer.html?id={customer_id}")
    page.get_by_role("link", name="Take a payment").click()

    # When two fees go into the cart and the caller's card pays them (double click: one request)
    page.wait_for_url("**/console/take-payment.html?customer=*")
    add_fee(page, account, "PERMIT_FEE", "Building permit", "300.00")
    add_fee(page, account, "INSPECTION", "Site inspection", "250.00")
    assert page.locator("#cart-total").inner_text() == "Total $550.00"
    enter_sandbox_card(page)
    page.locator("#card-chosen").wait_for()
    visit(page, "console-journey-cart")
    page.get_by_role("button", name="Take $550.00").dblclick()

    # Then one payment with one receipt covering both fees
    page.get_by_role("heading", name="Payment taken").wait_for()
    taken = page.locator("#checkout .usa-alert--success").inner_text()
    found = re.search(r"Receipt (\S+) for \$550\.00", taken)
    assert found, taken
    new_receipt = found.group(1)
    visit(page, "console-journey-receipt")
    page.get_by_role("link", name="Open the payment").click()
    page.wait_for_url("**/console/payment.html?id=*")
    payment_id = page.url.split("id=")[1]
    page.get_by_role("heading", name=f"Payment {new_receipt}").wait_for()
    receipt_lines = page.locator("#payment table", has=page.locator("caption", has_text=f"Receipt {new_receipt}"))
    assert receipt_lines.locator("tbody tr").count() == 2
    status, payments = portal.api(
        "GET", f"/v1/staff/customers/{customer_id}/payments?limit=5", token=portal.login("agent@demo.local")
    )
    assert status == 200
    assert [p["receipt_number"] for p in payments["payments"]].count(new_receipt) == 1  # paid once

    # When the agent refunds all of it: over the threshold, so it waits for a supervisor
    page.get_by_label("Amount to refund").fill("550.00")
    page.locator("#refund-reason").select_option("customer_request")
    page.locator("#refund-note").fill("Permit application withdrawn the same day.")
    page.get_by_role("button", name="Refund").click()
    outcome = page.locator("#refund-result .usa-alert")
    outcome.wait_for()
    assert "Sent for approval" in outcome.inner_text()
    assert "pending" in outcome.inner_text()
    visit(page, "console-journey-refund-requested")

    # And a supervisor approves it in the queue
    other = browser.new_page()
    try:
        console_sign_in(other, "supervisor@demo.local")
        other.get_by_role("link", name="Approvals").click()
        row = other.locator("#approvals tbody tr", has_text=payment_id)
        row.wait_for()
        visit(other, "console-journey-approvals")
        row.get_by_role("button", name="Approve").click()
        row.locator(".usa-alert--success").wait_for()
    finally:
        other.close()

    # Then the agent sees the refund done: the workflow carries it out after the approval (the page asks the API,
    # as it would on a reload, until the payment says refunded), and the payment shows refunded
    page.wait_for_function(PAYMENT_STATUS_IS, arg={"id": payment_id, "status": "refunded"}, polling=500)
    page.reload()
    facts = page.locator("#payment dl").first  # the payment's facts (the receipt's come later)
    facts.wait_for()
    assert "refunded" in facts.inner_text().split("Amount")[0].lower()  # the status tag, shown in capitals
    assert page.locator("#payment .timeline").get_by_text("Refunded").count() >= 1
    visit(page, "console-journey-refunded")
