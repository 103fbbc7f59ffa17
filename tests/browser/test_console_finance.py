"""The console's finance pages (issue 14): payouts, deposits with the drawer close-out, GL journals, the daily
close and reconciliation items, over a money trail made for real on a runtime of this module's own
(``finance_books.py``: its clock moves days forward, which the session's runtime must not), driven by the session's
browser by absolute URL with the browser's clock at that runtime's.

A finance user sees the payout and confirms its deposit, downloads a journal's CSV, marks it imported and files a
correction that only another finance user may approve, resolves a reconciliation item with a note, closes a drawer
out (short, so a note is needed) and closes the day; a supervisor reads without acting; an agent has no "Finance".
Every page is checked with axe-core and for horizontal overflow at 390 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, Portal, ready_to_send
from tests.browser.finance_books import DRAWER, TERMINAL, Books, finance_runtime

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PHONE = 390


@pytest.fixture(scope="module")
def books(portal: Portal) -> Iterator[Books]:
    """``portal`` first: the session's runtime and browser start as usual, and its day is this runtime's first."""
    with finance_runtime(portal.today) as made:
        yield made


# --- the browser ------------------------------------------------------------------------------------------------


def sign_in(page: Any, books: Books, email: str) -> Any:
    """Sign in at this module's runtime, with the browser's clock at that runtime's."""
    page.context.clock.set_system_time(books.runtime.now())
    page.goto(f"{books.runtime.url}/console/index.html")
    page.get_by_label("Work email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    ready_to_send(page)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/console/search.html")
    return page


def loaded(page: Any) -> None:
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.querySelector('.loading')")


def no_overflow_on_a_phone(page: Any) -> None:
    """At 390 px the page itself never scrolls sideways (wide tables scroll inside their own region)."""
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.wait_for_function("(w) => window.innerWidth === w", arg=PHONE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= PHONE, f"{page.url}: {width} px wide at {PHONE} px"


def open_finance_page(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Finance pages").get_by_role("link", name=name, exact=True).click()
    page.get_by_role("heading", name=name, level=1).wait_for()
    loaded(page)


# --- the tests --------------------------------------------------------------------------------------------------


def test_payouts_and_a_deposit_confirmed(books: Books, page: Any, visit: Any) -> None:
    sign_in(page, books, "finance@demo.local")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Finance").click()
    page.get_by_role("heading", name="Payouts", level=1).wait_for()
    loaded(page)
    row = page.locator("#payouts tbody tr", has_text=books.payout_id)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Expected")  # textContent: the tag's capitals are CSS
    visit(page, "console-finance-payouts")
    no_overflow_on_a_phone(page)

    # One payout picked out by a link: its row marked, its facts shown
    page.goto(f"{books.runtime.url}/console/finance-payouts.html?payout={books.payout_id}")
    page.get_by_role("heading", name=f"Payout {books.payout_id}").wait_for()
    expect(page.locator("#payouts tr.row--selected")).to_have_count(1)

    open_finance_page(page, "Deposits")
    deposit = page.locator("#deposits tbody tr", has_text=books.payout_id)
    deposit.get_by_role("button", name=f"Confirm deposit {books.payout_id}").click()
    dialog = page.get_by_role("dialog", name="Confirm this deposit?")
    dialog.get_by_role("button", name="Cancel").click()  # nothing changes
    expect(dialog).to_have_count(0)
    expect(deposit).to_contain_text("Expected")
    deposit.get_by_role("button", name=f"Confirm deposit {books.payout_id}").click()
    page.get_by_role("dialog", name="Confirm this deposit?").get_by_role("button", name="Confirm the deposit").click()
    result = page.locator("#deposit-result .usa-alert--success")
    result.wait_for()
    assert f"Deposit {books.payout_id} confirmed" in result.inner_text()
    confirmed = page.locator("#deposits tbody tr", has_text=books.payout_id)
    expect(confirmed).to_contain_text("Deposited")
    expect(confirmed).to_contain_text("finance@demo.local")
    assert confirmed.get_by_role("button").count() == 0
    status, listed = books.runtime.api(
        "GET", "/v1/staff/finance/deposits?status=deposited", token=books.runtime.login("finance@demo.local")
    )
    assert status == 200 and books.payout_id in {d["payout_id"] for d in listed["deposits"]}, listed
    visit(page, "console-finance-deposits")
    no_overflow_on_a_phone(page)


def test_a_journal_with_its_lines_its_csv_and_a_correction_decided_by_someone_else(
    books: Books, page: Any, visit: Any
) -> None:
    sign_in(page, books, "finance@demo.local")
    page.goto(f"{books.runtime.url}/console/finance-journals.html?date={books.day.isoformat()}")
    loaded(page)
    batch_id = f"GL-city-of-springfield-{books.day:%Y%m%d}-01"
    page.get_by_role("heading", name=batch_id).wait_for()
    lines = page.get_by_role("table", name=f"Lines of batch {batch_id}")
    # The card payment's lines link to the payment
    expect(lines.get_by_role("link", name=f"payment {books.card_payment}").first).to_be_visible()
    assert lines.locator("tbody tr").count() >= 3
    visit(page, "console-finance-journals")

    with page.expect_download() as download:
        page.get_by_role("button", name=f"Download CSV of batch {batch_id}").click()
    csv_text = Path(download.value.path()).read_text(encoding="utf-8")
    assert csv_text.startswith(f"H,{batch_id},{books.day.isoformat()},"), csv_text[:200]
    assert f",{books.card_payment}," in csv_text

    # Mark imported: the first mark stands, the button goes
    page.get_by_role("button", name=f"Mark imported of batch {batch_id}").click()
    page.get_by_role("dialog", name="Mark this batch imported?").get_by_role("button", name="Mark imported").click()
    page.get_by_text("Marked imported by finance@demo.local").wait_for()
    assert page.get_by_role("button", name=f"Mark imported of batch {batch_id}").count() == 0

    # A correction: filed here, refused to its own requester, approved by another finance user (an administrator)
    page.get_by_role("button", name=f"Request a correction of batch {batch_id}").click()
    dialog = page.get_by_role("dialog", name=f"Correct batch {batch_id}?")
    dialog.get_by_role("button", name="Request the correction").click()  # no reason yet: refused in the dialog
    expect(dialog.get_by_text("Write at least 3 characters.")).to_be_visible()
    dialog.get_by_label("Why it needs correcting").fill("The parking fee code was mapped to the wrong fund.")
    dialog.get_by_role("button", name="Request the correction").click()
    filed = page.locator(".usa-alert--success", has_text="Correction requested")
    filed.wait_for()
    correction_id = filed.locator("code").inner_text()
    assert correction_id.startswith("jfx_")
    decide_link = filed.get_by_role("link", name="Link to decide it").get_attribute("href")
    page.get_by_label("Correction id").fill(correction_id)
    page.get_by_role("button", name="Approve the correction").click()
    refused = page.locator("#decide-result .usa-alert--error")
    refused.wait_for()
    assert "You cannot decide your own request" in refused.inner_text()

    checker = page.context.new_page()  # another tab: a session of its own
    try:
        sign_in(checker, books, "admin@demo.local")
        checker.goto(f"{books.runtime.url}/console/{decide_link}")
        loaded(checker)
        expect(checker.get_by_label("Correction id")).to_have_value(correction_id)
        checker.get_by_role("button", name="Approve the correction").click()
        approved = checker.locator("#decide-result .usa-alert--success")
        approved.wait_for()
        assert "Approved: reversal" in approved.inner_text()
        checker.get_by_role("heading", name=f"GL-city-of-springfield-{books.day:%Y%m%d}-03").wait_for()
    finally:
        checker.close()
    no_overflow_on_a_phone(page)


def test_a_reconciliation_item_is_resolved_with_a_note(books: Books, page: Any, visit: Any) -> None:
    sign_in(page, books, "finance@demo.local")
    page.goto(f"{books.runtime.url}/console/finance-reconciliation.html")
    loaded(page)
    item = page.locator("#items tbody tr", has_text=books.ach_payment)
    expect(item).to_have_count(1)
    assert "Missing from the processor's payouts" in item.inner_text()
    expect(item.get_by_role("link", name=f"Payment {books.ach_payment}")).to_have_attribute(
        "href", f"payment.html?id={books.ach_payment}"
    )
    visit(page, "console-finance-reconciliation")
    no_overflow_on_a_phone(page)
    item.get_by_role("button", name="Resolve").click()
    dialog = page.get_by_role("dialog", name="Resolve this item?")
    dialog.get_by_label("What was found and done").fill("The bank settled the debit late; the next payout carries it.")
    dialog.get_by_role("button", name="Resolve the item").click()
    page.locator("#item-result .usa-alert--success").wait_for()
    expect(page.locator("#items tbody tr", has_text=books.ach_payment)).to_have_count(0)  # no longer open
    page.get_by_label("Status").select_option("resolved")
    page.get_by_role("button", name="Show items").click()
    resolved = page.locator("#items tbody tr", has_text=books.ach_payment)
    expect(resolved).to_contain_text("The bank settled the debit late")
    expect(resolved).to_contain_text("finance@demo.local")


def test_a_drawer_is_closed_out_with_its_slip(books: Books, page: Any) -> None:
    sign_in(page, books, "finance@demo.local")
    page.goto(f"{books.runtime.url}/console/finance-deposits.html")
    loaded(page)
    form = page.locator("#drawer-form")
    form.get_by_label("Terminal").fill(TERMINAL)
    form.get_by_label("Drawer").fill(DRAWER)
    form.get_by_label("Cash counted").fill("12.5O")  # a letter O: refused before anything is sent
    form.get_by_label("Cheques counted (total)").fill("0")
    form.get_by_role("button", name="Close the drawer").click()
    expect(form.locator(".form-error-summary")).to_contain_text("Cash counted")
    # Short by a dollar without a note: the API's reason, on the note
    form.get_by_label("Cash counted").fill(f"{(books.cash_amount - 100) // 100}.{(books.cash_amount - 100) % 100:02d}")
    form.get_by_role("button", name="Close the drawer").click()
    expect(form.locator(".form-error-summary")).to_contain_text("say why in the note")
    form.get_by_label("Note").fill("A dollar short: given as change twice.")
    form.get_by_role("button", name="Close the drawer").click()
    result = page.locator("#drawer-result")
    result.get_by_role("heading", name=f"Drawer {DRAWER} closed").wait_for()
    counts = result.get_by_role("table", name=f"Drawer {DRAWER} of terminal {TERMINAL}: the count against what it took")
    cash_row = counts.locator("tbody tr", has_text="Cash")
    expect(cash_row).to_contain_text("$12.50")  # expected
    expect(cash_row).to_contain_text("$11.50")  # counted
    expect(cash_row).to_contain_text("Short by $1.00")
    expect(result.get_by_role("link", name=books.cash_payment)).to_have_count(1)
    with page.expect_download() as download:
        result.get_by_role("button", name="Download the deposit slip (PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    # The close made a counter deposit: listed, expected, with its slip
    deposit_id = result.locator(".facts code").first.inner_text()
    listed = page.locator("#deposits tbody tr", has_text=deposit_id)
    expect(listed).to_contain_text("$11.50")
    expect(listed.get_by_role("button", name=f"Slip (PDF) of deposit {deposit_id}")).to_have_count(1)
    no_overflow_on_a_phone(page)


def _dollars(minor: int) -> str:
    return f"${minor // 100:,}.{minor % 100:02d}"


def test_the_day_is_closed_with_its_control_totals(books: Books, page: Any, visit: Any) -> None:
    sign_in(page, books, "finance@demo.local")
    page.goto(f"{books.runtime.url}/console/finance-close.html?date={books.day.isoformat()}")
    loaded(page)
    spoken = f"{books.day:%b} {books.day.day}, {books.day.year}"  # as the page writes a date: "Dec 3, 2026"
    page.get_by_role("button", name=f"Close {spoken} for the whole agency").click()
    page.get_by_role("dialog", name=f"Close {spoken}?").get_by_role("button", name="Close the day").click()
    page.locator("#close-result .usa-alert--success").wait_for()

    # What the page shows is the close as the API froze it: its totals and its hash
    status, answer = books.runtime.api(
        "GET", f"/v1/staff/finance/close?date={books.day.isoformat()}", token=books.runtime.login("finance@demo.local")
    )
    assert status == 200, answer
    (close,) = [c for c in answer["closes"] if c["department"] is None]
    usd = next(c for c in close["currencies"] if c["currency"] == "USD")
    assert usd["collected"]["subledger"] >= 5_000  # the card payment and the ACH debit of the day at least
    totals = page.get_by_role("table", name="Subledger against GL in USD, the whole agency")
    collected = totals.locator("tbody tr").first
    expect(collected).to_contain_text("Collected (all)")
    expect(collected).to_contain_text(_dollars(usd["collected"]["subledger"]))
    expect(collected).to_contain_text(_dollars(usd["collected"]["gl"]))
    expect(page.locator("#close").get_by_text(close["sha256"])).to_have_count(1)
    variances = page.get_by_role("table", name=f"Variances of the close of {spoken}, the whole agency")
    if close["variances"]:
        expect(variances.locator("tbody tr")).to_have_count(len(close["variances"]))
    else:
        expect(page.get_by_text("No variances: every control total agrees.")).to_be_visible()
    assert "finance@demo.local" in page.locator("#close").inner_text()
    visit(page, "console-finance-close")
    no_overflow_on_a_phone(page)


def test_a_supervisor_reads_and_an_agent_has_no_finance(books: Books, page: Any) -> None:
    sign_in(page, books, "supervisor@demo.local")
    nav = page.get_by_role("navigation", name="Primary navigation")
    assert nav.get_by_role("link", name="Close a drawer").count() == 0  # reached through Finance
    nav.get_by_role("link", name="Finance").click()
    open_finance_page(page, "Reconciliation items")
    page.get_by_label("Status").select_option("resolved")
    page.get_by_role("button", name="Show items").click()
    loaded(page)
    assert page.get_by_role("button", name="Resolve").count() == 0
    open_finance_page(page, "Deposits")
    page.locator("#deposits table, #deposits .empty-state").first.wait_for()
    assert page.locator("#deposits").get_by_role("button", name="Confirm").count() == 0

    agent = page.context.new_page()
    try:
        sign_in(agent, books, "agent@demo.local")
        nav = agent.get_by_role("navigation", name="Primary navigation")
        assert nav.get_by_role("link", name="Finance").count() == 0
        nav.get_by_role("link", name="Close a drawer").click()
        agent.get_by_role("heading", name="Close out a drawer", level=1).wait_for()
        assert agent.locator("#deposits-section").is_hidden()
        agent.goto(f"{books.runtime.url}/console/finance-payouts.html")
        refused = agent.locator("#payouts .usa-alert--error")
        refused.wait_for()
        assert "Not allowed" in refused.inner_text()
    finally:
        agent.close()
