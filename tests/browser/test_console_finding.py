"""Finding things in the console (issue 16): a customer by their surname, payments by a department chosen by its
name, and likely duplicate payments explained in words."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.browser import data
from tests.browser.conftest import Portal, console_sign_in
from tests.browser.layout import loaded

AGENT = "agent@demo.local"


def test_an_agent_finds_the_demo_customer_by_surname(portal: Portal, page: Any, visit: Any) -> None:
    console_sign_in(page, AGENT)
    page.get_by_label("Customer id, invoice, receipt").fill("Rivera")
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.locator("#results")
    results.get_by_role("link", name="Jordan Rivera").first.wait_for()
    visit(page, "search-by-surname")


def test_the_department_filter_offers_the_agencys_departments_by_name(portal: Portal, page: Any, visit: Any) -> None:
    # Given the agency's departments (the demo seed names four)
    status, answer = portal.api("GET", "/v1/staff/departments", token=portal.login(AGENT))
    assert status == 200, answer
    names = {d["name"]: d["code"] for d in answer["departments"]}
    assert "Parking Services" in names, names
    console_sign_in(page, AGENT)

    # When the agent picks "Parking Services" and asks for the payments
    select = page.get_by_label("Department", exact=True)
    page.locator("#department option", has_text="Parking Services").wait_for(state="attached")
    assert select.locator("option").all_inner_texts() == ["Any", *sorted(names, key=str.lower)]
    select.select_option(label="Parking Services")
    page.get_by_role("button", name="Show payments").click()

    # Then the list comes back (no error), filtered by that department's code
    page.wait_for_function("() => document.querySelector('#activity table, #activity .empty-state')")
    assert not page.locator("#activity .usa-alert--error").count()
    assert select.input_value() == names["Parking Services"]
    visit(page, "search-department-filter")


def _staff_payment(portal: Portal, customer_id: str, invoice: dict[str, Any], amount: int) -> dict[str, Any]:
    body = {
        "customer_id": customer_id,
        "amount": amount,
        "currency": invoice["balance"]["currency"],
        "method": "card",
        "channel": "phone",
        "token": data.card_token(portal),
        "lines": [{"invoice_id": invoice["invoice_id"], "amount": amount}],
    }
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    status, paid = portal.api("POST", "/v1/staff/payments", token=portal.login(AGENT), json_body=body, headers=headers)
    assert status == 201, paid
    return dict(paid["payment"])


def test_likely_duplicates_say_why_in_words(portal: Portal, page: Any, visit: Any) -> None:
    # Given an agent who took the same card payment on the same invoice twice, a moment apart
    invoice = data.an_invoice_owing(portal, 300)
    customer_id = data.customer_id(portal)
    first = _staff_payment(portal, customer_id, invoice, 100)
    second = _staff_payment(portal, customer_id, invoice, 100)
    console_sign_in(page, AGENT)

    # When the customer's record is open
    loaded(page, f"/console/customer.html?id={customer_id}")
    row = page.locator("#duplicate-list tbody tr", has_text=second["receipt_number"])
    row.wait_for()

    # Then the pair is named by receipt numbers and says why in words
    text = row.inner_text()
    assert first["receipt_number"] in text and "pay_" not in text, text
    assert re.search(r"Same amount, same card \(Visa ending 4242\), same invoice, within \d+ minutes?", text), text
    visit(page, "customer-duplicates")
