"""A customer with credit on account (an earlier overpayment) applies it to what they owe from the overview."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Portal, sign_in
from tests.browser.test_customer_journey import cents


def figure(page: Any, title: str) -> int:
    box = page.locator(".figure", has_text=title)
    box.locator(".amount").wait_for()
    return cents(box.inner_text())


def test_customer_applies_held_credit_to_open_invoices(portal: Portal, page: Any, visit: Any) -> None:
    # Given the demo customer, who holds credit and owes more than it
    _, board = portal.api("GET", "/v1/portal/dashboard", token=portal.login())
    credit, owing = board["credit"]["amount"], board["owing"]["amount"]
    assert 0 < credit < owing, board
    sign_in(page)
    page.goto("/dashboard.html")
    assert figure(page, "Credit on account") == credit

    # When they apply it
    page.get_by_role("button", name="Apply my credit").click()

    # Then the page says how much went where, and the overview shows the credit spent and the total owed lower
    alert = page.locator("#page-alerts .usa-alert--success")
    alert.wait_for()
    assert cents(alert.inner_text()) == credit
    page.get_by_role("button", name="Apply my credit").wait_for(state="detached")
    assert figure(page, "Credit on account") == 0
    assert figure(page, "Total owed") == owing - credit
    visit(page, "dashboard-credit-applied")
