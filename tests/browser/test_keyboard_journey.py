"""Keyboard only (WCAG 2.1.1): a resident signs in and pays part of an invoice with the sandbox card, and a
supervisor approves a refund in the console's queue, with Tab, typing and Enter alone: no click, no mouse.

Each step moves focus with Tab until the control it means has it (``tab_to``), so the test also proves every
control on the way is reachable in the order a keyboard user meets it, including the card fields' frame."""

from __future__ import annotations

import uuid
from typing import Any

from tests.browser import data
from tests.browser.conftest import DEMO_PASSWORD, Portal, ready_to_send
from tests.browser.test_customer_journey import today_in

MAX_TABS = 80  # a page's whole tab order; a control further than this is as good as unreachable


def tab_to(page: Any, target: Any) -> None:
    """Press Tab (only) until ``target`` (a locator, possibly inside a frame) has the keyboard focus."""
    target.wait_for()
    for _ in range(MAX_TABS):
        if target.evaluate("(el) => el === el.ownerDocument.activeElement && el.ownerDocument.hasFocus()"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} never took the focus in {MAX_TABS} presses of Tab")


def type_into(page: Any, target: Any, text: str) -> None:
    tab_to(page, target)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_a_resident_pays_and_a_supervisor_approves_a_refund_by_keyboard(portal: Portal, browser: Any) -> None:
    invoice = data.an_invoice_owing(portal, at_least=1_234)
    number = invoice["invoice_number"]
    payments_before = data.payment_ids(portal)
    resident = browser.new_page()
    try:
        # Sign in: email, password, Enter
        resident.goto("/index.html")
        type_into(resident, resident.get_by_label("Email address"), "customer@demo.local")
        type_into(resident, resident.get_by_label("Password"), DEMO_PASSWORD)
        ready_to_send(resident)
        resident.keyboard.press("Enter")
        resident.wait_for_url("**/dashboard.html")

        # From the overview to the invoice's pay page, 12.34 of it, on to the card
        tab_to(resident, resident.locator("#open-invoices").get_by_role("link", name=f"Pay invoice {number}"))
        resident.keyboard.press("Enter")
        resident.wait_for_url("**/pay.html?invoices=*")
        type_into(resident, resident.get_by_label(f"Amount to pay for invoice {number}"), "12.34")
        tab_to(resident, resident.get_by_role("button", name="Continue to payment details"))
        resident.keyboard.press("Enter")
        card = resident.frame_locator("#fields iframe")
        type_into(resident, card.get_by_label("Card number"), "4242 4242 4242 4242")
        type_into(resident, card.get_by_label("Expiry (MM/YY)"), data.card_expiry_text(today_in(resident)))
        type_into(resident, card.get_by_label("Security code"), "123")
        tab_to(resident, card.get_by_role("button", name="Use this card"))
        resident.keyboard.press("Enter")

        # Review (the fee shown), then Pay
        resident.locator("#review").get_by_text("Convenience fee").wait_for()
        tab_to(resident, resident.locator("#pay-button"))
        resident.keyboard.press("Enter")
        resident.locator("#confirmation-heading").wait_for()
        assert number in resident.locator("#confirmation").inner_text()
    finally:
        resident.close()
    assert len(data.payment_ids(portal) - payments_before) == 1

    # A refund over the approval threshold, requested by an agent (through the API: not this test's subject)
    agent = portal.login("agent@demo.local")
    customer = data.customer_id(portal)
    account = invoice["account_number"]
    taken = portal.api(
        "POST", "/v1/staff/payments", token=agent,
        json_body={"customer_id": customer, "amount": 60_000, "currency": "USD", "method": "cash",
                   "channel": "counter", "terminal_id": "KB-1", "drawer_id": "D1",
                   "lines": [{"department": invoice["department"], "account_number": account,
                              "fee_code": "PERMIT_FEE", "description": "Keyboard permit", "amount": 60_000}]},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip
    assert taken[0] == 201, taken
    payment_id = taken[1]["payment"]["payment_id"]
    refund = {"amount": 60_000, "reason_code": "customer_request", "note": "Permit withdrawn."}
    status, requested = portal.api(
        "POST", f"/v1/staff/payments/{payment_id}/refunds", token=agent, json_body=refund,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip
    assert status == 202, requested

    supervisor = browser.new_page()
    try:
        supervisor.goto("/console/index.html")
        type_into(supervisor, supervisor.get_by_label("Work email address"), "supervisor@demo.local")
        type_into(supervisor, supervisor.get_by_label("Password"), DEMO_PASSWORD)
        ready_to_send(supervisor)
        supervisor.keyboard.press("Enter")
        tab_to(supervisor, supervisor.get_by_role("link", name="Approvals"))
        supervisor.keyboard.press("Enter")
        row = supervisor.locator("#approvals tbody tr", has_text=payment_id)
        tab_to(supervisor, row.get_by_role("button", name="Approve"))
        supervisor.keyboard.press("Enter")
        row.locator(".usa-alert--success").wait_for()
    finally:
        supervisor.close()
