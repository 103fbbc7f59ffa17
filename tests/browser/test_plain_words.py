"""What a citizen reads carries no internal id and no staff login (issue 16): the demo customer's pages, with a
payment a supervisor partly refunded and credit to apply, and the API's error messages a page shows them. Also:
a status is never told by colour alone, and applying credit is not dressed as a destructive action."""

from __future__ import annotations

import uuid
from typing import Any

from tests.browser import data, layout_data
from tests.browser.conftest import Portal, sign_in
from tests.browser.layout import internal_ids, loaded

CUSTOMER = "customer@demo.local"
UNKNOWN = "0000000000ZZZZZZZZZZZZZZZZ"  # shaped like an id, of nothing


def _seen(page: Any) -> str:
    """What the person reads on the page: the title, the header and the main content, as rendered text."""
    return str(page.evaluate("() => [document.title, document.body.innerText].join('\\n')"))


def test_no_internal_id_or_staff_login_on_the_customers_pages(portal: Portal, page: Any, visit: Any) -> None:
    # Given a payment a supervisor partly refunded today, and credit the customer can apply
    refunded = layout_data.partly_refunded_payment(portal)
    data.credit_that_applies(portal)
    invoice = data.invoices(portal)[0]
    sign_in(page)

    # When they go through their pages
    urls = [
        "/dashboard.html", "/invoices.html", f"/invoice.html?id={invoice['invoice_id']}", "/pay.html",
        "/payments.html", f"/payment.html?id={refunded['payment_id']}", "/credit-notes.html",
        "/sales-orders.html", "/schedules.html", "/statements.html", "/documents.html", "/profile.html",
    ]  # fmt: skip
    found = {}
    for url in urls:
        loaded(page, url)
        leaks = internal_ids(_seen(page), CUSTOMER)
        if leaks:
            found[url] = leaks
        # a status is said in words, not by its colour alone
        assert all(text.strip() for text in page.locator(".usa-tag").all_inner_texts()), url

    # Then none shows an internal id or a staff member's login
    assert not found, found
    # and the refunded payment's timeline names the agency, not who did it
    loaded(page, f"/payment.html?id={refunded['payment_id']}")
    timeline = page.locator(".timeline").inner_text()
    assert "By the agency." in timeline and "Staff" not in timeline and "staff" not in timeline
    visit(page, "payment-refunded-by-the-agency")


def test_applying_credit_is_not_styled_as_destructive(portal: Portal, page: Any) -> None:
    data.credit_that_applies(portal)
    sign_in(page)
    loaded(page, "/dashboard.html")
    button = page.get_by_role("button", name="Apply my credit")
    classes = str(button.get_attribute("class"))
    # USWDS's secondary button is red: the colour of "cancel" and "delete"
    assert "usa-button--secondary" not in classes and "usa-button--danger" not in classes, classes
    colour = button.evaluate("(b) => getComputedStyle(b).backgroundColor + ' ' + getComputedStyle(b).color")
    assert "181, 9, 9" not in colour and "216, 57, 51" not in colour, colour


def _error(portal: Portal, method: str, path: str, body: Any = None) -> dict[str, Any]:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    status, answer = portal.api(method, path, token=portal.login(), json_body=body, headers=headers)
    assert status >= 400 and isinstance(answer, dict), (path, status, answer)
    return dict(answer["error"])


def _what_a_page_shows(error: dict[str, Any]) -> str:
    """The message, and the reason of each field error (what ``showApiError`` and the form errors say)."""
    details = error.get("details")
    reasons = [d.get("reason", "") for d in details if isinstance(d, dict)] if isinstance(details, list) else []
    return " ".join([str(error["message"]), *map(str, reasons)])


def test_the_apis_error_messages_to_the_customer_name_no_internal_id(portal: Portal) -> None:
    paid = data.invoices(portal, "paid")[0]
    token = data.card_token(portal)
    currency = data.dashboard(portal)["owing"]["currency"]
    pay_paid = {
        "amount": 100, "currency": currency, "method": "card", "token": token,
        "invoices": [{"invoice_id": paid["invoice_id"], "amount": 100}],
    }  # fmt: skip
    errors = {
        "a paid invoice paid again": _error(portal, "POST", "/v1/portal/payments", pay_paid),
        "an unknown invoice": _error(portal, "GET", f"/v1/portal/invoices/inv_{UNKNOWN}"),
        "an unknown payment": _error(portal, "GET", f"/v1/portal/payments/pay_{UNKNOWN}"),
        "an unknown document": _error(portal, "GET", f"/v1/portal/documents/doc_{UNKNOWN}"),
        "a quote of nothing": _error(portal, "GET", "/v1/portal/payments:quote?amount=0&method=card"),
    }
    shown = {what: _what_a_page_shows(error) for what, error in errors.items()}
    leaks = {what: internal_ids(text, CUSTOMER) for what, text in shown.items() if internal_ids(text, CUSTOMER)}
    assert not leaks, (leaks, shown)
    # the paid invoice is named by its number, as the customer knows it
    assert paid["invoice_number"] in shown["a paid invoice paid again"], shown
