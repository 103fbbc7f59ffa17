"""The customer 360 shows its first screen (``?parts=summary``: profile, accounts, figures, open items) from a light
call while the whole record (the lists, the connected systems' balances) is still on its way; and if that second
call fails, the first screen stays and only the lists say so. No timing: the test holds and releases answers."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Portal, axe_violations
from tests.browser.test_console_pages import demo_customer
from tests.browser.test_console_streaming import hold, release, supervisor

__all__ = ["supervisor"]  # the fixture, shared with the streaming tests

FIRST_SCREEN = ("#figures", "#profile-body", "#accounts-body", "#departments-body", "#open-invoices-body")
LISTS = ("#balance-list", "#invoice-list", "#payment-list", "#documents-body", "#approvals-body")


def test_the_first_screen_shows_while_the_whole_record_is_held(portal: Portal, supervisor: Any) -> None:
    record = demo_customer(portal, portal.login("supervisor@demo.local"))
    customer_id = record["profile"]["customer_id"]
    asked: list[str] = []
    supervisor.on("request", lambda r: asked.append(r.url) if f"/v1/staff/customers/{customer_id}" in r.url else None)
    held_whole = hold(supervisor, f"**/v1/staff/customers/{customer_id}")  # the exact path: not ?parts=summary
    supervisor.goto(f"/console/customer.html?id={customer_id}")
    supervisor.get_by_role("heading", name=f"{record['profile']['name']} ({customer_id})").wait_for()
    assert any(url.endswith("?parts=summary") for url in asked), asked
    for selector in FIRST_SCREEN:
        expect(supervisor.locator(selector)).not_to_have_attribute("aria-busy", "true")
        assert supervisor.locator(f"{selector} .loading").count() == 0, selector
    for selector in LISTS:
        expect(supervisor.locator(selector)).to_have_attribute("aria-busy", "true")
    assert not axe_violations(supervisor)
    release(supervisor, held_whole)
    payments = supervisor.locator("#payment-list")
    expect(payments.locator("tbody tr")).to_have_count(len(record["payments"]))
    for selector in LISTS:
        expect(supervisor.locator(selector)).not_to_have_attribute("aria-busy", "true")


def test_a_failed_second_call_leaves_the_first_screen_and_says_so_in_the_lists(portal: Portal, supervisor: Any) -> None:
    record = demo_customer(portal, portal.login("supervisor@demo.local"))
    customer_id = record["profile"]["customer_id"]
    supervisor.route(
        f"**/v1/staff/customers/{customer_id}",
        lambda route: route.fulfill(status=503, content_type="application/json",
                                    body='{"error": {"code": "unavailable", "message": "Try again shortly."}}'),
    )  # fmt: skip
    supervisor.goto(f"/console/customer.html?id={customer_id}")
    supervisor.get_by_role("heading", name=f"{record['profile']['name']} ({customer_id})").wait_for()
    payments = supervisor.locator("#payment-list")
    payments.locator(".usa-alert").wait_for()
    expect(payments).not_to_have_attribute("aria-busy", "true")
    expect(supervisor.locator("#profile-body")).not_to_have_attribute("aria-busy", "true")
    assert supervisor.locator("#figures .loading").count() == 0
