"""Paying by wire or bank transfer in the portal: the pay page, an unpaid invoice and the statements show the
agency's accounts that take wires or ACH credits (the local runtime's demo config: the operating account, never
the lockbox) and the demo customer's remittance reference, with a copy button; nothing overflows at 390 px; and an
agency with no such account shows nothing."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from local.demo_bank_accounts import DEMO_BANK_ACCOUNTS
from tests.browser import data
from tests.browser.conftest import Portal, sign_in

PHONE = 390


def no_overflow_on_a_phone(page: Any) -> None:
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.wait_for_function("(w) => window.innerWidth === w", arg=PHONE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= PHONE, f"{page.url}: {width} px wide at {PHONE} px"


def instructions(portal: Portal) -> dict[str, Any]:
    return dict(data.get(portal, "/v1/portal/payment-instructions"))


def test_the_pay_page_shows_where_to_wire_and_the_reference_to_quote(portal: Portal, page: Any, visit: Any) -> None:
    expected = instructions(portal)
    reference = data.get(portal, "/v1/portal/me")["remittance_reference"]
    assert expected["accounts"], "the demo agency takes wires and ACH credits"
    assert reference == expected["remittance_reference_display"]
    sign_in(page)
    page.goto("/pay.html")
    box = page.locator("#bank-transfer")
    box.get_by_role("heading", name="Pay by wire or bank transfer").wait_for()
    expect(box.locator("#remittance-reference")).to_have_text(reference)
    expect(box).to_contain_text(expected["beneficiary_name"])
    expect(box).not_to_contain_text("null")
    for account in expected["accounts"]:
        expect(box).to_contain_text(account["bank_name"])
        expect(box).to_contain_text(account["routing_number"])
        expect(box).to_contain_text(account["account_number"])
        expect(box).to_contain_text(account["account_name"])
    assert all(set(a["receives"]) <= {"wires", "ach_credits"} for a in expected["accounts"])
    lockbox = str(DEMO_BANK_ACCOUNTS["lockbox"]["accountNumber"])
    assert lockbox not in box.inner_text()  # the lockbox takes mailed cheques, not payers' transfers

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=portal.url)
    box.get_by_role("button", name="Copy the reference").click()
    expect(box.get_by_role("status")).to_have_text("Reference copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == expected["remittance_reference"]
    visit(page, "pay-by-wire")
    no_overflow_on_a_phone(page)


def test_an_unpaid_invoice_and_the_statements_show_them_too(portal: Portal, page: Any) -> None:
    reference = instructions(portal)["remittance_reference_display"]
    invoice = data.an_invoice_owing(portal, at_least=100)
    sign_in(page)
    page.goto(f"/invoice.html?id={invoice['invoice_id']}")
    expect(page.locator("#bank-transfer #remittance-reference")).to_have_text(reference)
    no_overflow_on_a_phone(page)
    page.goto("/statements.html")
    expect(page.locator("#bank-transfer #remittance-reference")).to_have_text(reference)
    no_overflow_on_a_phone(page)


def test_no_account_taking_wires_shows_nothing(portal: Portal, page: Any) -> None:
    reply = instructions(portal)
    page.route(
        "**/v1/portal/payment-instructions",
        lambda route: route.fulfill(status=200, content_type="application/json", json={**reply, "accounts": []}),
    )
    sign_in(page)
    with page.expect_response("**/v1/portal/payment-instructions"):
        page.goto("/pay.html")
    page.wait_for_timeout(500)  # the answer read and acted on
    expect(page.locator("#bank-transfer")).to_be_hidden()
    expect(page.get_by_text("Pay by wire or bank transfer")).to_have_count(0)
