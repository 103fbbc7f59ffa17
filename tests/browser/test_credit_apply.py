"""A customer with credit on account (an earlier overpayment) applies it to what they owe from the overview.

Credit stays on its account (``domain/credit.py``): applying it pays, per account, the lesser of the credit it
holds and what it owes. The expected figures are worked out from the API at the test's start, never assumed."""

from __future__ import annotations

from typing import Any

from tests.browser import data
from tests.browser.conftest import Portal, sign_in
from tests.browser.test_customer_journey import cents


def figure(page: Any, title: str) -> int:
    box = page.locator(".figure", has_text=title)
    box.locator(".amount").wait_for()
    return cents(box.locator(".amount").inner_text())


def test_customer_applies_held_credit_to_open_invoices(portal: Portal, page: Any, visit: Any) -> None:
    # Given the demo customer, who holds credit on an account that owes more than it
    data.credit_that_applies(portal)
    board = data.dashboard(portal)
    credit, owing = board["credit"]["amount"], board["owing"]["amount"]
    applies = data.applicable_credit(portal)
    assert 0 < applies <= credit, (applies, board)
    sign_in(page)
    page.goto("/dashboard.html")
    assert figure(page, "Credit on account") == credit

    # When they apply it
    page.get_by_role("button", name="Apply my credit").click()

    # Then the page says how much went where, and the overview shows the credit spent and the total owed lower
    alert = page.locator("#page-alerts .usa-alert--success")
    alert.wait_for()
    assert cents(alert.inner_text()) == applies
    # (the overview is drawn again from the API, and nothing more applies: the button goes)
    page.get_by_role("button", name="Apply my credit").wait_for(state="detached")
    assert figure(page, "Credit on account") == credit - applies
    assert figure(page, "Total owed") == owing - applies
    assert data.applicable_credit(portal) == 0
    visit(page, "dashboard-credit-applied")
