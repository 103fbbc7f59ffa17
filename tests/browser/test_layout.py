"""Layout guards: every page of both front-ends fits 360, 390, 768 and 1280 px without widening the document, and
its primary actions are in view at 1280 px; plus one test per defect found by hand (issue 16): the approvals table
wider than its page, a statement's amounts pushed out by a refund line, the pay page's error state and the adjust
page's heading at 390 px. The states these tests make are checked with axe-core too (``visit``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.browser import data, layout_data
from tests.browser.conftest import Portal, console_sign_in, sign_in
from tests.browser.layout import layout_problems, loaded, problems_at, right_edge

WEB = Path(__file__).resolve().parents[2] / "web"


def test_the_approvals_queue_fits_its_page_with_approve_and_reject_in_view(
    portal: Portal, page: Any, visit: Any
) -> None:
    # Given a request waiting for a supervisor, with a long note
    approval = layout_data.pending_approval(portal)
    console_sign_in(page, "supervisor@demo.local")

    # When the supervisor opens the queue on a desktop
    loaded(page, "/console/approvals.html")
    row = page.locator("tr", has=page.locator(f"#approval-{approval['approval_id']}"))
    row.get_by_role("button", name="Approve").wait_for()

    # Then the table is no wider than its container, and Approve and Reject (primary actions) are on screen
    table = page.locator(".usa-table-container--scrollable", has=row)
    scroll, client = table.evaluate("(e) => [e.scrollWidth, e.clientWidth]")
    assert scroll <= client, f"the approvals table is {scroll} px wide in {client} px"
    assert problems_at(page, 1280) == []
    for name in ("Approve", "Reject"):
        assert row.get_by_role("button", name=name).evaluate("(b) => b.getBoundingClientRect().right") <= 1280
    visit(page, "approvals-pending")


def test_a_statement_with_a_refund_keeps_amount_and_balance_in_view(portal: Portal, page: Any, visit: Any) -> None:
    # Given a payment of the demo customer partly refunded today
    payment = layout_data.partly_refunded_payment(portal)
    sign_in(page)

    # When they open their statement (the last three months, today included)
    loaded(page, "/statements.html")
    # Then the refund line names the payment by its receipt number
    refund = page.locator("#statement tbody tr", has_text=f"Refund of payment {payment['receipt_number']}")
    refund.first.wait_for()

    # and on a desktop and a phone its amount and the balance are in view
    for width in (1280, 390):
        assert problems_at(page, width) == []
        table = page.locator("#statement .usa-table-container--scrollable").first  # the activity, then the ages
        scroll, client = table.evaluate("(e) => [e.scrollWidth, e.clientWidth]")
        assert scroll <= client, f"{width} px: the statement is {scroll} px wide in {client} px"
        for label in ("Amount", "Balance"):
            cell = refund.first.locator(f'td[data-label="{label}"]')
            assert cell.evaluate("(c) => c.getBoundingClientRect().right") <= width, (width, label)
    page.set_viewport_size({"width": 1280, "height": 900})
    visit(page, "statement-with-refund")


def test_the_pay_pages_error_state_fits_a_phone(portal: Portal, page: Any, visit: Any) -> None:
    # Given an invoice with a balance, chosen on the pay page at 390 px
    invoice = data.an_invoice_owing(portal, 100)
    sign_in(page)
    page.set_viewport_size({"width": 390, "height": 844})
    loaded(page, f"/pay.html?invoices={invoice['invoice_id']}")
    number = invoice["invoice_number"]

    # When more than its balance is asked for
    page.get_by_label(f"Amount to pay for invoice {number}").fill(f"{invoice['balance']['amount'] / 100 + 5:.2f}")
    page.get_by_role("button", name="Continue to payment details").click()

    # Then the error names the invoice by its number, and the page still fits 360 and 390 px
    summary = page.locator(".form-error-summary")
    summary.wait_for()
    assert f"invoice {number}" in summary.inner_text() and "inv_" not in summary.inner_text()
    assert layout_problems(page, (360, 390)) == []
    visit(page, "pay-error")


def test_the_adjust_pages_heading_fits_a_phone(portal: Portal, page: Any, visit: Any) -> None:
    # Given the adjust page opened without the invoice's number: its heading names the 30-character id
    invoice = data.invoices(portal)[0]
    console_sign_in(page, "supervisor@demo.local")
    loaded(page, f"/console/adjust.html?invoice={invoice['invoice_id']}&customer={data.customer_id(portal)}")
    page.get_by_role("heading", level=1, name=invoice["invoice_id"]).wait_for()

    # Then at 390 px the heading wraps inside the page
    assert layout_problems(page, (360, 390)) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert right_edge(page, "h1") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})
    visit(page, "adjust-long-id")


def _pages(portal: Portal) -> dict[str | None, list[str]]:
    """Every page of both front-ends by who opens it (None: nobody signed in), with real records of the demo seed."""
    invoice, payment = data.invoices(portal)[0], sorted(data.payment_ids(portal))[0]
    customer = data.customer_id(portal)
    return {
        None: ["/index.html", "/signup.html", "/forgot-password.html", "/guest.html", "/console/index.html"],
        "customer@demo.local": [
            "/dashboard.html", "/invoices.html", f"/invoice.html?id={invoice['invoice_id']}", "/pay.html",
            "/payments.html", f"/payment.html?id={payment}", "/credit-notes.html", "/sales-orders.html",
            "/schedules.html", "/statements.html", "/documents.html", "/profile.html", "/link.html",
        ],
        "agent@demo.local": [
            "/console/search.html?q=rivera", f"/console/customer.html?id={customer}",
            f"/console/payment.html?id={payment}", f"/console/take-payment.html?customer={customer}",
        ],
        "supervisor@demo.local": [
            "/console/approvals.html", "/console/dashboard.html",
            f"/console/adjust.html?invoice={invoice['invoice_id']}&customer={customer}",
        ],
        "finance@demo.local": [
            f"/console/{name}.html" for name in (
                "finance-payouts", "finance-deposits", "finance-reconciliation", "finance-journals",
                "finance-close", "finance-bank-files", "finance-bank-lines",
            )
        ],
        "admin@demo.local": [
            "/console/connected-systems.html", "/console/imports.html", "/console/webhooks.html",
            "/console/staff-members.html",
        ],
    }  # fmt: skip


def test_every_page_fits_every_width_with_its_primary_actions_in_view(portal: Portal, browser: Any) -> None:
    pages = _pages(portal)
    # Every page there is, each opened by someone: a new page without a place here fails this test
    files = {f"/{p.relative_to(WEB / 'portal')}" for p in (WEB / "portal").glob("*.html")}
    files |= {f"/console/{p.name}" for p in (WEB / "console").glob("*.html")}
    assert {url.split("?")[0] for urls in pages.values() for url in urls} == files

    problems: list[str] = []
    started = time.monotonic()
    for who, urls in pages.items():
        tab = browser.new_page()  # one tab per role: its sessionStorage holds that sign-in for all its pages
        tab.on("pageerror", lambda error, who=who: problems.append(f"{who or 'signed out'}: page error: {error}"))
        try:
            if who == "customer@demo.local":
                sign_in(tab, who)
            elif who is not None:
                console_sign_in(tab, who)
            for url in urls:
                loaded(tab, url)
                problems.extend(f"{url} ({who or 'signed out'}): {p}" for p in layout_problems(tab))
        finally:
            tab.close()
    seconds = time.monotonic() - started
    print(f"\n{sum(map(len, pages.values()))} pages x 4 widths in {seconds:.1f} s")
    assert not problems, "\n".join(problems)
