"""The payment page shows the trail of the payment's money (issue 14): every stage in order, as a process list
with its status, who and when, and the records it comes from; accessible and without overflow at phone (390 px)
and desktop (1280 px) width."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser import data
from tests.browser.conftest import Portal, console_sign_in

STAGES = [
    "Authorized",
    "Posted to invoices",
    "Settled by the processor",
    "Paid out",
    "Deposited at the bank",
    "In the general ledger",
    "Bank statement line",
]


def test_the_payment_page_shows_the_trail_of_a_fresh_card_payment(portal: Portal, page: Any, visit: Any) -> None:
    invoice = data.an_invoice_owing(portal, 1_500)
    paid = data.pay(portal, 1_500, account_number=invoice["account_number"])["payment"]
    console_sign_in(page, "supervisor@demo.local")

    page.goto(f"/console/payment.html?id={paid['payment_id']}")
    trail = page.locator("#trail-body .payment-trail")
    trail.wait_for()

    # Every stage, in order, each a heading of its own with its status
    items = trail.locator(":scope > li")
    headings = [t.strip() for t in trail.locator(".usa-process-list__heading").all_inner_texts()]
    assert [items.nth(i).get_attribute("data-stage") for i in range(items.count())] == [
        "authorized",
        "posted",
        "settled",
        "paid_out",
        "deposited",
        "in_gl",
        "bank_line",
    ]
    for name, heading in zip(STAGES, headings, strict=True):
        assert heading.startswith(name), headings
    statuses = {items.nth(i).get_attribute("data-stage"): items.nth(i).get_attribute("data-status") for i in range(7)}
    assert statuses == {
        "authorized": "done",
        "posted": "done",
        "settled": "pending",
        "paid_out": "pending",
        "deposited": "pending",
        "in_gl": "pending",
        "bank_line": "not_applicable",
    }
    # Each stage says when and by whom, and names the records it drills down to (audit records counted)
    token = portal.login("supervisor@demo.local")
    status, answer = portal.api("GET", f"/v1/staff/payments/{paid['payment_id']}/trail", token=token)
    assert status == 200, answer
    for stage in answer["stages"]:
        shown = trail.locator(f"[data-stage={stage['stage']}]")
        if stage["at"]:
            expect(shown.locator("time")).to_have_count(1)
        if stage["by"]:
            expect(shown).to_contain_text(f"by {stage['by']}")
        for ref in stage["references"]:
            if ref["kind"] != "audit":
                expect(shown).to_contain_text(ref["id"])
    assert any(r["kind"] == "invoice" for r in answer["stages"][1]["references"])
    expect(page.locator("#trail-body")).to_contain_text("No journal holds this payment yet.")
    # The status timeline above it is a list of its own, unchanged
    _, view = portal.api("GET", f"/v1/staff/payments/{paid['payment_id']}", token=token)
    expect(page.locator("#payment .timeline .usa-process-list__heading")).to_have_count(len(view["payment"]["history"]))

    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function("(width) => window.innerWidth === width", arg=width)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow}px wider than the viewport at {width}px"
    visit(page, "console-payment-trail")
