"""The payment page of a returned ACH debit (issue 15): it says why it came back and how often it was presented,
and finance presents it again with one button; the page then links the new pending debit, and a second look
says it was presented already. Accessible, and without overflow, at phone and desktop width."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser import data
from tests.browser.conftest import Portal, console_sign_in


def _returned_ach_debit(portal: Portal) -> dict[str, Any]:
    """The demo customer pays an invoice by bank debit; the bank settles it, then returns it for insufficient funds."""
    invoice = data.an_invoice_owing(portal, 1_000)
    body = {"amount": 1_000, "currency": "USD", "method": "ach", "token": "tok_ach_nsf",
            "account_number": invoice["account_number"]}  # fmt: skip
    status, paid = portal.api(
        "POST", "/v1/portal/payments", token=portal.login(), json_body=body,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip
    assert status == 201, paid
    payment = paid["payment"]
    for action in ("settle", "return"):
        status, moved = portal.api("POST", f"/sandbox/v1/ach/{payment['transaction_id']}/{action}")
        assert status == 200, moved
    return dict(payment)


def test_finance_presents_a_returned_debit_again_from_the_payment_page(portal: Portal, page: Any, visit: Any) -> None:
    returned = _returned_ach_debit(portal)
    console_sign_in(page, "finance@demo.local")
    page.goto(f"/console/payment.html?id={returned['payment_id']}")

    section = page.locator("#representment-body")
    expect(section).to_contain_text("Returned R01 (Insufficient funds); presented 1 of at most 3 times.")
    visit(page, "console-representment")

    page.get_by_role("button", name="Present the debit again").click()
    done = page.locator("#represent-result .usa-alert--success")
    expect(done).to_contain_text("Presented again (presentment 2)")
    new_href = done.get_by_role("link", name="the new debit").get_attribute("href")
    assert new_href and new_href.startswith("payment.html?id=pay_")

    page.reload()
    expect(page.locator("#representment-body")).to_contain_text("It was presented again as this payment.")
    page.locator("#representment-body").get_by_role("link", name="this payment").click()
    page.wait_for_url(f"**/console/{new_href}")
    expect(page.locator("#payment")).to_contain_text("Pending")
