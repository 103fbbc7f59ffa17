"""The console's "Imports" page: an administrator downloads a kind's CSV template, chooses the kind and a file, and
the page creates the import, PUTs the file from the browser to the presigned upload URL (moto's S3, across origins:
the bucket's CORS rule), starts it and follows it to the end, with the counts and a link to the error report. A
file with a wrong column fails with the reason and loads nothing. An agent is offered no link, and the API refuses
them the page's data.
"""

from __future__ import annotations

import csv
import io
import secrets
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Portal, console_sign_in

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def customer_id() -> str:
    return "CUS-" + "".join(secrets.choice(_CROCKFORD) for _ in range(10))


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def open_imports(page: Any) -> None:
    console_sign_in(page, "admin@demo.local")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Imports").click()
    page.get_by_role("heading", name="Imports", level=1).wait_for()


def choose(page: Any, kind: str, name: str, body: bytes, mime: str = "text/csv") -> None:
    page.get_by_label("What the file holds").select_option(label=kind)
    page.locator("#import-file").set_input_files(files=[{"name": name, "mimeType": mime, "buffer": body}])


def test_an_admin_imports_customers_and_reads_the_error_report(
    portal: Portal, page: Any, visit: Any, tmp_path: Path
) -> None:
    open_imports(page)
    visit(page, "console-imports")

    # The template of the chosen kind downloads as a CSV with its header and an example row
    page.get_by_label("What the file holds").select_option(label="Customers")
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download the CSV template").click()
    saved = tmp_path / "template.csv"
    downloading.value.save_as(saved)
    header, example = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert header[:2] == ["customer_id", "name"] and "source_version" in header and len(example) == len(header)

    good = [customer_id(), customer_id()]
    rows = [
        ["customer_id", "name", "email", "source_version"],
        [good[0], "Ada Lovelace", "ada@example.org", "1"],
        [customer_id(), "No Email", "not-an-email", "1"],  # line 3: refused, listed in the report
        [good[1], "Grace Hopper", "", "1"],
    ]
    choose(page, "Customers", "customers.csv", csv_bytes(rows))
    page.get_by_role("button", name="Upload and start").click()

    progress = page.get_by_role("region", name="Progress")
    outcome = progress.locator(".usa-alert")
    expect(outcome).to_contain_text("Import completed", timeout=60_000)
    expect(outcome).to_contain_text("1 record was rejected")
    expect(outcome).to_be_focused()
    facts = progress.locator(".facts").last
    for label, value in (("Records in the file", "3"), ("Created", "2"), ("Rejected", "1")):
        expect(facts.locator("dt", has_text=label).locator("+ dd")).to_have_text(value)
    expect(progress.get_by_label("Chunks loaded: 1 of 1")).to_be_visible()
    assert "?id=imp_" in page.url  # a reload shows this import again
    visit(page, "console-imports-completed")

    report = progress.get_by_role("link", name="Download the error report (CSV)")
    with urllib.request.urlopen(report.get_attribute("href"), timeout=30) as answer:  # noqa: S310 - moto, loopback
        lines = list(csv.DictReader(io.StringIO(answer.read().decode("utf-8-sig"))))
    assert [(r["line"], r["field"]) for r in lines] == [("3", "email")]

    page.reload()
    expect(page.get_by_role("region", name="Progress").locator(".usa-alert")).to_contain_text("Import completed")
    for cid in good:
        token = portal.login("admin@demo.local")
        status, found = portal.api("GET", f"/v1/staff/customers/{cid}", token=token)
        assert status == 200, found


def test_a_file_with_a_wrong_column_fails_with_the_reason_and_loads_nothing(portal: Portal, page: Any) -> None:
    open_imports(page)
    cid = customer_id()
    choose(page, "Customers", "customers.csv", csv_bytes([["customer_id", "nmae", "source_version"], [cid, "X", "1"]]))
    page.get_by_role("button", name="Upload and start").click()
    failed = page.get_by_role("region", name="Progress").locator(".usa-alert--error")
    expect(failed).to_contain_text("The file could not be imported", timeout=60_000)
    expect(failed).to_contain_text("did you mean 'name'?")
    status, _ = portal.api("GET", f"/v1/staff/customers/{cid}", token=portal.login("admin@demo.local"))
    assert status == 404


def test_the_page_asks_for_a_file_it_can_read(page: Any) -> None:
    open_imports(page)
    page.get_by_role("button", name="Upload and start").click()
    summary = page.locator(".form-error-summary")
    expect(summary).to_contain_text("Choose the file to import.")
    expect(summary).to_be_focused()
    # a CSV by its type that is not named .csv (USWDS's file input itself refuses types outside its accept list)
    choose(page, "Invoices", "bills.txt", b"invoice_number\n", mime="text/csv")
    page.get_by_role("button", name="Upload and start").click()
    expect(page.locator(".form-error-summary")).to_contain_text("Choose a .csv or .ndjson file.")


def test_an_agent_is_offered_no_imports_and_the_api_refuses_them(page: Any) -> None:
    console_sign_in(page, "agent@demo.local")
    nav = page.get_by_role("navigation", name="Primary navigation")
    expect(nav.get_by_role("link", name="Search")).to_be_visible()
    assert nav.get_by_role("link", name="Imports").count() == 0
    page.goto("/console/imports.html")
    expect(page.locator("#page-alerts .usa-alert--error")).to_contain_text("Imports are for administrators")
    expect(page.locator("#import-form")).to_be_hidden()
