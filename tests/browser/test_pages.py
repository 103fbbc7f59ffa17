"""Every portal page: it loads with its data, has no serious or critical axe-core finding at phone and desktop
width, and is screenshot for review. Plus what every page promises: keyboard access, errors announced with
focus moved to them, and a route that is not deployed yet shown as "not available" instead of breaking."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Portal, sign_in

# (page, screenshot name, text that shows the page's data arrived)
SIGNED_IN_PAGES = [
    ("invoices.html", "invoices", "#results tbody tr"),
    ("credit-notes.html", "credit-notes", "#credit-notes table, #credit-notes .empty-state"),
    ("sales-orders.html", "sales-orders", "#sales-orders table, #sales-orders .empty-state"),
    ("schedules.html", "schedules", "#plan-account option"),
    ("documents.html", "documents", "#documents table, #documents .empty-state"),
    ("profile.html", "profile", "#method-list table, #method-list .empty-state"),
    ("link.html", "link", "#link"),
]
PUBLIC_PAGES = [("index.html", "sign-in"), ("signup.html", "sign-up"), ("guest.html", "guest")]


@pytest.fixture
def signed_in(page: Any) -> Any:
    sign_in(page)
    return page


@pytest.mark.parametrize(("path", "name", "ready"), SIGNED_IN_PAGES, ids=[p[1] for p in SIGNED_IN_PAGES])
def test_signed_in_page(signed_in: Any, visit: Any, path: str, name: str, ready: str) -> None:
    signed_in.goto(f"/{path}")
    signed_in.locator(ready).first.wait_for(state="attached")
    assert signed_in.locator("h1").count() == 1
    assert signed_in.locator("#page-alerts .usa-alert--error").count() == 0
    visit(signed_in, name)


def test_invoice_detail(portal: Portal, signed_in: Any, visit: Any) -> None:
    _, page = portal.api("GET", "/v1/portal/invoices?status=partially_paid&status=paid&limit=1", token=portal.login())
    invoice = page["invoices"][0]
    signed_in.goto(f"/invoice.html?id={invoice['invoice_id']}")
    signed_in.get_by_role("heading", name=f"Invoice {invoice['invoice_number']}").wait_for()
    assert signed_in.locator("#invoice table").count() >= 2  # its charges and its payments
    visit(signed_in, "invoice")


@pytest.mark.parametrize(("path", "name"), PUBLIC_PAGES, ids=[p[1] for p in PUBLIC_PAGES])
def test_public_page(page: Any, visit: Any, path: str, name: str) -> None:
    page.goto(f"/{path}")
    page.locator("#site-header .usa-nav").wait_for(state="attached")
    visit(page, name)


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(page: Any) -> None:
    page.goto("/invoices.html")
    page.wait_for_url("**/index.html?next=invoices.html")
    page.get_by_label("Email address").fill("customer@demo.local")
    page.get_by_label("Password").fill("Demo-pass-1234")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/invoices.html")


def test_sign_in_errors_are_summarised_with_focus_on_the_summary(page: Any, visit: Any) -> None:
    # Given the sign-in form sent empty, then with a wrong password
    page.goto("/index.html")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".form-error-summary")
    summary.wait_for()
    # Then every problem is listed, linked to its field, the fields are marked invalid, and focus is on the list
    assert summary.get_by_role("link").count() == 2
    assert page.get_by_label("Email address").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.classList.contains('form-error-summary')")
    visit(page, "sign-in-errors")
    page.get_by_label("Email address").fill("customer@demo.local")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("The email or password is not right.").wait_for()
    assert page.evaluate("document.activeElement.classList.contains('form-error-summary')")


def test_keyboard_skip_link_and_visible_focus(signed_in: Any) -> None:
    signed_in.goto("/dashboard.html")
    signed_in.locator("#totals .figure").first.wait_for()
    # The first Tab reaches the skip link, which is shown when focused and moves focus into <main>
    signed_in.keyboard.press("Tab")
    assert signed_in.evaluate("document.activeElement.classList.contains('usa-skipnav')")
    assert signed_in.evaluate("document.activeElement.getBoundingClientRect().height > 0")
    signed_in.keyboard.press("Enter")
    assert signed_in.evaluate("document.activeElement.id") == "main-content"
    # Tabbing on reaches the first action in the page ("Make a payment"), drawn with a visible outline
    signed_in.keyboard.press("Tab")
    assert signed_in.evaluate("document.activeElement.textContent") == "Make a payment"
    outline = signed_in.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


def test_the_phone_menu_opens_and_reaches_every_page(signed_in: Any) -> None:
    signed_in.set_viewport_size({"width": 360, "height": 740})
    signed_in.goto("/dashboard.html")
    signed_in.locator("html[data-uswds='ready']").wait_for(state="attached")  # the button is drawn before USWDS runs
    menu = signed_in.get_by_role("button", name="Menu")
    menu.click()
    nav = signed_in.get_by_role("navigation", name="Primary navigation")
    nav.get_by_role("link", name="Invoices").wait_for()
    nav.get_by_role("button", name="More").click()
    nav.get_by_role("link", name="Profile and notifications").click()
    signed_in.wait_for_url("**/profile.html")


def test_a_route_that_is_not_deployed_yet_says_not_available(signed_in: Any, visit: Any) -> None:
    # Given the API answers as it does for a route that does not exist (yet)
    signed_in.route(
        "**/v1/portal/sales-orders*",
        lambda route: route.fulfill(
            status=404,
            content_type="application/json",
            body='{"error": {"code": "not_found", "message": "no route GET /v1/portal/sales-orders", "details": null}}',
        ),
    )
    signed_in.goto("/sales-orders.html")
    # Then the page says so, in words, and the rest of the page still works
    signed_in.get_by_role("heading", name="Not available yet").wait_for()
    assert signed_in.locator("#site-header .usa-nav").count() == 1
    visit(signed_in, "not-available")


def test_money_is_formatted_and_parsed_without_floats(page: Any) -> None:
    page.goto("/index.html")
    results = page.evaluate(
        """async () => {
             const m = await import("/shared/js/money.js");
             const roundTrips = [];
             for (let i = 0; i < 2000; i++) {
               const cents = Math.floor(Math.random() * 1e12);
               roundTrips.push(m.parseAmount(m.toDecimal(cents, "USD"), "USD") === cents);
             }
             return {
               allRoundTrip: roundTrips.every(Boolean),
               format: [m.formatMoney({amount: 123456, currency: "USD"}), m.formatMoney({amount: 5, currency: "USD"}),
                        m.formatMoney({amount: -1999, currency: "USD"}), m.formatMoney({amount: 1500, currency: "JPY"}),
                        m.formatMoney({amount: 900719925474099, currency: "USD"})],
               parse: ["12.34", "1,234.5", "$20", "0.1", "12.345", "abc", "", "-5", "10."]
                 .map((t) => m.parseAmount(t, "USD")),
               yen: m.parseAmount("1500", "JPY"),
             };
           }"""
    )
    assert results["allRoundTrip"]
    assert results["format"] == ["$1,234.56", "$0.05", "-$19.99", "¥1,500", "$9,007,199,254,740.99"]
    assert results["parse"] == [1234, 123450, 2000, 10, None, None, None, None, None]
    assert results["yen"] == 1500


def test_times_read_in_the_agency_zone_whatever_the_reader_s(portal: Portal, page: Any) -> None:
    # The browser here runs in UTC; the demo agency is in America/Chicago (cdk.json timeZone): config.json says so
    page.goto("/index.html")
    shown = page.evaluate(
        """async () => {
             const { config } = await import("/shared/js/config.js");
             const m = await import("/shared/js/money.js");
             const settings = await config();
             return [settings.timeZone, m.formatDateTime("2026-12-03T14:32:00Z"),
                     m.formatDateTime("2026-07-03T14:32:00Z"), m.formatDate("2026-12-03")];
           }"""
    )
    assert shown == ["America/Chicago", "Dec 3, 2026, 8:32 AM CST", "Jul 3, 2026, 9:32 AM CDT", "Dec 3, 2026"]
