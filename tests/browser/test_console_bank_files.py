"""The finance console's bank pages: a finance user uploads a BAI2 file made here (one wire quoting the demo
customer's remittance reference, one wire nobody can be told from), sees what matching made of it, opens the
unmatched queue and decides the line there (ignored, with a note, after the note is refused empty); a file seen
before is said to be so. A supervisor reads without acting. Every page is checked with axe-core and for horizontal
overflow at 390 px."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import data
from tests.browser.conftest import Portal, console_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PHONE = 390


def bai2(account: str, day: date, lines: list[tuple[str, int, str, str]]) -> bytes:
    """A BAI2 file for one account: ``lines`` are (type code, minor units, bank reference, text); the trailers'
    control totals and record counts are what the specification asks (the 03's balances count in the 49)."""
    when = day.strftime("%y%m%d")
    opening = 1_000_000
    closing = opening + sum(amount for _, amount, _, _ in lines)
    account_records = [f"03,{account},USD,010,{opening},,,015,{closing},,/"]
    account_records += [f"16,{code},{amount},Z,{ref},,{text}/" for code, amount, ref, text in lines]
    account_total = opening + closing + sum(amount for _, amount, _, _ in lines)
    account_records.append(f"49,{account_total},{len(account_records) + 1}/")
    group = [f"02,CITY,011000015,1,{when},0800,USD,2/", *account_records]
    group.append(f"98,{account_total},1,{len(group) + 1}/")
    records = [f"01,011000015,CITY,{when},0800,{uuid.uuid4().hex[:8].upper()},,,2/", *group]
    records.append(f"99,{account_total},1,{len(records) + 1}/")
    return ("\n".join(records) + "\n").encode()


def no_overflow_on_a_phone(page: Any) -> None:
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.wait_for_function("(w) => window.innerWidth === w", arg=PHONE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= PHONE, f"{page.url}: {width} px wide at {PHONE} px"


def choose(page: Any, content: bytes) -> None:
    # By id: USWDS's file input wraps the input in its own drop zone
    page.locator("#bank-file").set_input_files(
        files=[{"name": "statement.bai", "mimeType": "text/plain", "buffer": content}]
    )


def loaded(page: Any) -> None:
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.querySelector('.loading')")


def operating_account(portal: Portal) -> str:
    accounts = data.get(portal, "/v1/staff/finance/bank-accounts", "finance@demo.local")["accounts"]
    found = [a for a in accounts if "wires" in a["receives"]]
    assert found, accounts
    return str(found[0]["account_number"])


def test_a_bank_file_is_imported_and_its_unmatched_line_decided(portal: Portal, page: Any, visit: Any) -> None:
    reference = data.get(portal, "/v1/portal/me")["remittance_reference"]
    owing = data.an_invoice_owing(portal, at_least=1_500)
    stranger = f"PAYMENT {uuid.uuid4().hex[:10].upper()} NO REF"
    odd_amount = 7_31 + uuid.uuid4().int % 1_000  # nothing owes this
    content = bai2(
        operating_account(portal),
        portal.today,
        [
            (
                "195",
                1_500,
                f"W{uuid.uuid4().hex[:10].upper()}",
                f"FROM DEMO PAYER REF {reference} INV {owing['invoice_number']}",
            ),
            ("195", odd_amount, f"W{uuid.uuid4().hex[:10].upper()}", stranger),
        ],
    )

    console_sign_in(page, "finance@demo.local")
    page.goto("/console/finance-bank-files.html")
    loaded(page)
    choose(page, content)
    page.get_by_role("button", name="Import the file").click()
    result = page.locator("#upload-result .usa-alert--success")
    result.wait_for()
    expect(result).to_contain_text("File imported")
    text = result.inner_text()
    assert "Lines\n2" in text or "Lines 2" in text.replace("\n", " "), text
    assert page.get_by_role("link", name="See its lines").count() == 1
    visit(page, "console-finance-bank-files")
    no_overflow_on_a_phone(page)

    # The same bytes again: nothing new is applied
    choose(page, content)
    page.get_by_role("button", name="Import the file").click()
    expect(page.locator("#upload-result .usa-alert")).to_contain_text("imported before")

    # The file's lines with their match
    page.goto("/console/finance-bank-files.html")
    loaded(page)
    page.locator("#files tbody tr").first.get_by_role("link").click()
    page.wait_for_url("**/finance-bank-files.html?file=*")
    loaded(page)
    expect(page.locator("#file tbody tr")).to_have_count(2)
    expect(page.locator("#file")).to_contain_text(stranger)

    # The unmatched queue: the stranger's line, ignored with a note
    page.get_by_role("navigation", name="Finance pages").get_by_role("link", name="Unmatched bank lines").click()
    page.get_by_role("heading", name="Unmatched bank lines", level=1).wait_for()
    loaded(page)
    card = page.locator("article.bank-line", has_text=stranger)
    # Unmatched, unless its amount happens to be an open invoice's balance (then it waits with that suggestion)
    for status in ("unmatched", "suggested"):
        page.get_by_label("Which lines").select_option(status)
        page.get_by_role("button", name="Show lines").click()
        loaded(page)
        if card.count():
            break
    expect(card).to_have_count(1)
    visit(page, "console-finance-bank-lines")
    no_overflow_on_a_phone(page)
    card.get_by_role("button", name="Ignore").click()
    dialog = page.get_by_role("dialog", name="Ignore this line?")
    dialog.get_by_role("button", name="Ignore the line").click()
    expect(dialog.get_by_text("Write at least 3 characters.")).to_be_visible()
    dialog.get_by_label("Why it is not a receivable").fill("A transfer between the agency's own accounts.")
    with page.expect_response("**/decision") as answered:
        dialog.get_by_role("button", name="Ignore the line").click()
    assert answered.value.status == 200, (answered.value.url, answered.value.text())
    outcome = page.locator("#line-result .usa-alert")
    outcome.wait_for()
    assert "usa-alert--success" in (outcome.get_attribute("class") or ""), outcome.inner_text()
    expect(page.locator("article.bank-line", has_text=stranger)).to_have_count(0)


def test_a_supervisor_reads_the_bank_pages_without_acting(page: Any) -> None:
    console_sign_in(page, "supervisor@demo.local")
    page.goto("/console/finance-bank-files.html")
    loaded(page)
    expect(page.locator("#upload-section")).to_be_hidden()
    page.goto("/console/finance-bank-lines.html?status=suggested")
    loaded(page)
    expect(page.get_by_role("button", name="Ignore")).to_have_count(0)
    expect(page.get_by_role("button", name="Hold as credit")).to_have_count(0)


def test_a_line_nobody_can_be_told_from_is_held_as_a_customers_credit(portal: Portal, page: Any) -> None:
    customer = data.customer_id(portal)
    stranger = f"GIFT {uuid.uuid4().hex[:10].upper()}"
    amount = 1_01 + uuid.uuid4().int % 500
    content = bai2(
        operating_account(portal), portal.today, [("195", amount, f"W{uuid.uuid4().hex[:10].upper()}", stranger)]
    )
    console_sign_in(page, "finance@demo.local")
    page.goto("/console/finance-bank-files.html")
    loaded(page)
    choose(page, content)
    page.get_by_role("button", name="Import the file").click()
    page.locator("#upload-result .usa-alert--success").wait_for()
    page.goto("/console/finance-bank-lines.html")
    loaded(page)
    card = page.locator("article.bank-line", has_text=stranger)
    for status in ("unmatched", "suggested"):
        page.get_by_label("Which lines").select_option(status)
        page.get_by_role("button", name="Show lines").click()
        loaded(page)
        if card.count():
            break
    card.get_by_role("button", name="Hold as credit").click()
    dialog = page.get_by_role("dialog", name="Hold this line as credit")
    dialog.get_by_label("Customer id").fill("not an id")
    dialog.get_by_role("button", name="Hold as credit").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Enter the customer id")
    dialog.get_by_label("Customer id").fill(customer.lower())  # typed in lower case: sent as the id
    with page.expect_response("**/decision") as answered:
        dialog.get_by_role("button", name="Hold as credit").click()
    assert answered.value.status == 200, answered.value.text()
    decided = answered.value.json()
    assert decided["line"]["decision"]["action"] == "credit", decided
    assert decided["line"]["decision"]["customer_id"] == customer, decided
    page.locator("#line-result .usa-alert--success").wait_for()
    expect(page.locator("article.bank-line", has_text=stranger)).to_have_count(0)
