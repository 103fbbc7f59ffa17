"""The finance dashboard and the customer 360 draw every section at once and fill each as its answer comes in:
while one answer is held back, its section shows a placeholder marked busy for assistive technology (axe clean),
and the sections whose answers are in already show their data. No timing: the held answer is released by the test.
How fast they are is measured by ``bench/first_content.py``."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Portal, axe_violations, console_sign_in
from tests.browser.test_console_pages import demo_customer


@pytest.fixture
def supervisor(page: Any) -> Any:
    console_sign_in(page, "supervisor@demo.local")
    return page


def hold(page: Any, pattern: str) -> list[Any]:
    """Requests matching ``pattern`` wait, unanswered, until the test lets them go (``route.continue_()``)."""
    held: list[Any] = []

    def keep(route: Any) -> None:
        held.append(route)

    page.route(pattern, keep)
    return held


def release(page: Any, held: list[Any]) -> None:
    for _ in range(1200):  # the handler runs as Playwright's events are processed: while the page is waited on
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the held request was never made"
    for route in held:
        route.continue_()


def test_the_dashboard_shows_collections_while_the_exceptions_are_still_loading(supervisor: Any) -> None:
    held = hold(supervisor, "**/v1/staff/reports/exceptions*")
    supervisor.goto("/console/dashboard.html")
    exceptions = supervisor.locator("#exceptions")
    # Collections and metrics are in; the exceptions' placeholder says what it waits for, and is busy
    supervisor.locator("#collections .figures").wait_for()
    supervisor.locator("#metrics h2").first.wait_for()
    expect(exceptions).to_have_attribute("aria-busy", "true")
    expect(exceptions.locator(".loading")).to_have_text("Loading exceptions…")
    assert supervisor.locator("#collections[aria-busy], #metrics[aria-busy]").count() == 0
    assert not axe_violations(supervisor)
    release(supervisor, held)
    exceptions.locator(".figures").wait_for()
    expect(exceptions).not_to_have_attribute("aria-busy", "true")
    assert exceptions.locator(".loading").count() == 0


def test_the_customer_360_draws_its_sections_first_and_fills_each_as_its_answer_comes(
    portal: Portal, supervisor: Any
) -> None:
    record = demo_customer(portal, portal.login("supervisor@demo.local"))
    customer_id = record["profile"]["customer_id"]
    held_record = hold(supervisor, f"**/v1/staff/customers/{customer_id}")
    held_duplicates = hold(supervisor, f"**/v1/staff/customers/{customer_id}/duplicates")
    supervisor.goto(f"/console/customer.html?id={customer_id}")
    # Every section's heading is there at once, each with a busy placeholder where the record's data goes
    for heading in ("Profile", "Accounts", "Payments", "Interactions", "Likely duplicate payments"):
        supervisor.get_by_role("heading", name=heading, exact=True).wait_for()
    payments = supervisor.locator("#payment-list")
    expect(payments).to_have_attribute("aria-busy", "true")
    expect(payments.locator(".loading")).to_have_text("Loading payments…")
    assert not axe_violations(supervisor)
    # The record fills its sections while the likely duplicates (checked after it) are still loading
    release(supervisor, held_record)
    supervisor.get_by_role("heading", name=f"{record['profile']['name']} ({customer_id})").wait_for()
    expect(payments.locator("tbody tr")).to_have_count(len(record["payments"]))
    expect(payments).not_to_have_attribute("aria-busy", "true")
    duplicates = supervisor.locator("#duplicate-list")
    expect(duplicates).to_have_attribute("aria-busy", "true")
    expect(duplicates.locator(".loading")).to_have_text("Loading likely duplicate payments…")
    release(supervisor, held_duplicates)
    duplicates.locator("table, .empty-state, .usa-alert").first.wait_for()
    expect(supervisor.locator("main [aria-busy='true'], main .loading")).to_have_count(0)
