"""Every staff console page: it loads with its data, has no serious or critical axe-core finding at phone and
desktop width, and is screenshot for review. Plus what the console promises beyond the portal's pages: who is
signed in and in which role, actions hidden from a role that may not take them, a 403 said plainly, a customer
login refused, and the modules shared with the portal served from ``/shared/``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import data
from tests.browser.conftest import Portal, console_sign_in


def demo_customer(portal: Portal, token: str) -> dict[str, Any]:
    """The demo customer's staff record (found by name, as an agent would)."""
    status, found = portal.api("GET", "/v1/staff/search?q=Jordan%20Rivera&type=name", token=token)
    assert status == 200, found
    customer_id = found["matches"][0]["customer"]["customer_id"]
    status, record = portal.api("GET", f"/v1/staff/customers/{customer_id}", token=token)
    assert status == 200, record
    return dict(record)


@pytest.fixture
def agent(page: Any) -> Any:
    console_sign_in(page, "agent@demo.local")
    return page


@pytest.fixture
def supervisor(page: Any) -> Any:
    console_sign_in(page, "supervisor@demo.local")
    return page


def test_sign_in_page(page: Any, visit: Any) -> None:
    page.goto("/console/")
    page.get_by_role("heading", name="Staff sign-in").wait_for()
    # The local runtime lists its demo logins: shown once the settings (config.json) say "local", so waited for
    expect(page.locator("#demo-hint")).to_be_visible()
    visit(page, "console-sign-in")


def test_a_customer_login_is_refused_at_the_console(page: Any) -> None:
    page.goto("/console/index.html")
    page.get_by_label("Work email address").fill("customer@demo.local")
    page.get_by_label("Password").fill("Demo-pass-1234")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".form-error-summary")
    summary.wait_for()
    assert "staff console" in summary.inner_text()
    assert page.evaluate("() => document.activeElement === document.querySelector('.form-error-summary')")


def test_the_signed_in_agent_sees_name_role_and_only_what_the_role_allows(agent: Any) -> None:
    identity = agent.locator("#staff-identity")
    assert "Agent" in identity.inner_text()
    nav = agent.get_by_role("navigation", name="Primary navigation")
    assert nav.get_by_role("link", name="Search").count() == 1
    assert nav.get_by_role("link", name="Dashboard").count() == 0  # reports.read is not an agent's


def test_a_403_is_said_plainly(agent: Any) -> None:
    agent.goto("/console/dashboard.html")  # an agent may not read the reports: the API answers 403
    alert = agent.locator("#collections .usa-alert--error")
    alert.wait_for()
    assert "Not allowed" in alert.inner_text()


def test_search_by_receipt_number(portal: Portal, agent: Any, visit: Any) -> None:
    record = demo_customer(portal, portal.login("agent@demo.local"))
    receipt = next(p["receipt_number"] for p in record["payments"] if p["receipt_number"])
    agent.get_by_label("Customer id, invoice, receipt").fill(receipt)
    agent.get_by_role("button", name="Search", exact=True).click()
    row = agent.locator("#results tbody tr").first
    row.wait_for()
    assert record["profile"]["name"] in row.inner_text()
    assert row.get_by_role("link", name=f"Payment {receipt}").count() == 1
    agent.get_by_role("button", name="Show payments").click()  # the activity of the last 30 days
    agent.locator("#activity table, #activity .empty-state").first.wait_for()
    visit(agent, "console-search")


def test_customer_360(portal: Portal, agent: Any, visit: Any) -> None:
    record = demo_customer(portal, portal.login("agent@demo.local"))
    agent.goto(f"/console/customer.html?id={record['profile']['customer_id']}")
    agent.get_by_role("heading", name=f"{record['profile']['name']} ({record['profile']['customer_id']})").wait_for()
    expect(agent.locator("#payment-list")).not_to_have_attribute("aria-busy", "true")  # the lists come second
    for heading in (
        "Accounts",
        "Open balance per department",
        "Balances in connected systems",
        "Payments",
        "Interactions",
    ):
        assert agent.get_by_role("heading", name=heading, exact=True).count() == 1, heading
    assert agent.locator("#balances tbody tr").count() == len(record["balances"]["balances"])
    assert agent.locator("#payments tbody tr").count() == len(record["payments"])
    assert agent.get_by_role("link", name="Take a payment").count() == 1
    # An agent may ask for an adjustment (exceptions.request); a supervisor or finance approves it
    assert agent.get_by_role("link", name="Adjust", exact=False).count() > 0
    # Log a call: it is listed at once, newest first.
    agent.get_by_label("Kind").select_option("call")
    agent.get_by_label("What happened").fill("Asked about the parking citation; explained the due date.")
    agent.get_by_role("button", name="Save").click()
    agent.locator("#interaction-list tbody tr", has_text="Asked about the parking citation").first.wait_for()
    agent.get_by_role("button", name="Check the systems again").click()
    agent.locator("#balance-list tbody tr").first.wait_for()
    visit(agent, "console-customer")


def test_payment_detail_with_audit_verification(portal: Portal, supervisor: Any, visit: Any) -> None:
    record = demo_customer(portal, portal.login("supervisor@demo.local"))
    payment = record["payments"][0]
    supervisor.goto(f"/console/payment.html?id={payment['payment_id']}")
    supervisor.locator("#payment .timeline").wait_for()
    steps = supervisor.locator("#payment .timeline .usa-process-list__heading").all_inner_texts()
    assert [s.lower() for s in steps] == [h["status"].replace("_", " ") for h in payment["history"]]
    supervisor.locator("#audit-verification .usa-alert").wait_for()
    assert "verifies" in supervisor.locator("#audit-verification").inner_text()
    visit(supervisor, "console-payment")


def test_dashboard_charts_have_names_and_tables(supervisor: Any, visit: Any) -> None:
    supervisor.get_by_role("link", name="Dashboard").click()
    supervisor.locator("#exceptions .figures").wait_for()
    for name in ("Collections by day", "Collections by department", "Collections by channel"):
        chart = supervisor.get_by_role("img", name=name)
        assert chart.count() == 1, name
        assert supervisor.get_by_text(f"{name}: the figures as a table").count() == 1
    visit(supervisor, "console-dashboard")


def test_dashboard_metrics_show_their_formulas_and_drill_down_to_payments(supervisor: Any) -> None:
    supervisor.get_by_role("link", name="Dashboard").click()
    # Two years: longer than the exceptions' 92 days (they show the last 92), within the metrics' five years
    supervisor.locator("#collections .figures").wait_for()
    to = date.fromisoformat(supervisor.locator("#to").input_value())
    supervisor.locator("#from").fill((to - timedelta(days=730)).isoformat())
    supervisor.get_by_role("button", name="Show", exact=True).click()
    metrics = supervisor.locator("#metrics")
    metrics.get_by_role("heading", name="Success rate by channel and method").wait_for()
    assert "Formula: succeeded ÷ attempted" in metrics.inner_text()
    rates = metrics.get_by_role("table", name="Success rate by channel and method")
    assert rates.locator("tbody tr").count() >= 1
    supervisor.locator("#exceptions .figures").wait_for()  # not refused for the long range
    # Success with retries and the subledger-to-GL variance are figures, never "not available" by design
    metrics.get_by_role("heading", name="Subledger and GL compared").wait_for()
    text = metrics.inner_text()
    assert "Success rate with retries" in text and "Formula: with retries: series succeeded ÷ series" in text
    assert metrics.get_by_role("table", name=re.compile(r"^Subledger to GL, ")).count() == 1
    assert "Paid out to deposited" in metrics.get_by_role("table", name=re.compile("Processing time")).inner_text()
    metrics.get_by_role("button", name="Show the payments: Corrected").click()
    metrics.locator(".drill-down table, .drill-down .empty-state").first.wait_for()
    metrics.get_by_role("button", name="Show the payments: Series succeeded").click()
    expect(metrics.locator(".drill-down table, .drill-down .empty-state")).to_have_count(2)


def test_take_payment_page(portal: Portal, agent: Any, visit: Any) -> None:
    record = demo_customer(portal, portal.login("agent@demo.local"))
    agent.goto(f"/console/take-payment.html?customer={record['profile']['customer_id']}")
    agent.locator("#fields iframe").wait_for()
    agent.get_by_role("button", name="Take $0.00").click()  # nothing in the cart yet
    summary = agent.locator(".form-error-summary")
    summary.wait_for()
    assert "Add at least one invoice or fee" in summary.inner_text()
    visit(agent, "console-take-payment")


def test_approvals_and_adjust_pages(portal: Portal, supervisor: Any, visit: Any) -> None:
    supervisor.get_by_role("link", name="Approvals").click()
    supervisor.locator("#approvals table, #approvals .empty-state, #approvals .usa-alert").first.wait_for()
    visit(supervisor, "console-approvals")
    invoice = data.an_invoice_owing(portal, at_least=100)
    record = demo_customer(portal, portal.login("supervisor@demo.local"))
    supervisor.goto(f"/console/customer.html?id={record['profile']['customer_id']}")
    supervisor.get_by_role("link", name=f"Adjust {invoice['invoice_number']}").first.click()
    supervisor.get_by_role("heading", name=f"Adjust invoice {invoice['invoice_number']}").wait_for()
    supervisor.get_by_role("button", name="Write off").click()  # nothing filled in: every problem is listed
    summary = supervisor.locator("#write-off-form .form-error-summary")
    summary.wait_for()
    assert summary.locator("li").count() == 3
    visit(supervisor, "console-adjust")


def test_the_portal_and_the_console_share_one_copy_of_the_modules(portal: Portal, page: Any) -> None:
    for path in ("/shared/js/api.js", "/shared/js/auth.js", "/shared/css/app.css"):
        status, _ = portal.api("GET", path)
        assert status == 200, path
    for gone in ("/js/api.js", "/js/auth.js", "/console/js/api.js"):
        status, _ = portal.api("GET", gone)
        assert status == 404, gone


def test_a_connected_system_that_does_not_answer_shows_its_last_known_balance(portal: Portal, agent: Any) -> None:
    # Given the parking system down (the runtime's own system is not reachable from here, so the answer is replaced
    # in the browser with what the API says then: unavailable, with the balance it last knew)
    record = demo_customer(portal, portal.login("agent@demo.local"))
    customer_id = record["profile"]["customer_id"]
    last_known = datetime.combine(portal.today - timedelta(days=1), time(12), tzinfo=UTC)
    down = {
        "customer_id": customer_id,
        "total": {"amount": 9500, "currency": "USD"},
        "complete": False,
        "balances": [
            {
                "department": "parking",
                "source": "Parking enforcement system",
                "amount": {"amount": 9500, "currency": "USD"},
                "as_of": last_known.isoformat().replace("+00:00", "Z"),
                "fresh": False,
                "available": False,
                "message": "The system did not answer in time.",
                "accounts": [],
            }
        ],
    }
    agent.route(f"**/v1/staff/customers/{customer_id}/balances", lambda route: route.fulfill(json=down))
    agent.goto(f"/console/customer.html?id={customer_id}")
    # When the agent checks the systems again
    agent.get_by_role("button", name="Check the systems again").click()
    # Then the row says the source is unavailable and when its balance was last known
    row = agent.locator("#balance-list tbody tr", has_text="Parking enforcement system")
    row.get_by_text("Source unavailable, last known at").wait_for()
    assert f"{last_known:%b} {last_known.day}, {last_known.year}" in row.inner_text()  # as "Nov 20, 2026"
    assert "did not answer in time" in row.inner_text()
    assert "Some systems did not answer" in agent.locator("#balance-list").inner_text()  # the total is partial
