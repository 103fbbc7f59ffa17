"""The statement's PDF layout: a long statement flows over numbered pages, every line and balance in it."""

from __future__ import annotations

from datetime import date, timedelta

from arportal.adapters.pdf.statement import amount_text, day_text, render_statement_pdf
from arportal.domain.statement import EntryKind, LedgerEntry, Receivable, build_statement
from tests import builders as b
from tests.unit.test_pdf_writer import TINY_JPEG, parse_pdf

START = date(2026, 1, 1)


def _statement(lines: int):
    entries = []
    for i in range(lines):
        kind = EntryKind.INVOICE if i % 2 == 0 else EntryKind.PAYMENT
        entries.append(LedgerEntry(START + timedelta(days=i % 90), kind, 1_000 + i, f"REF-{i:05d}", "Line", f"s{i}"))
    entries.append(LedgerEntry(START - timedelta(days=1), EntryKind.INVOICE, 5_000, "OLD-1", "Before", "old"))
    entries.append(Receivable(7_000, START + timedelta(days=10)))
    return build_statement(entries, customer_id="CUS-0001", currency="USD", start=START, end=START + timedelta(89))


def test_a_long_statement_is_numbered_and_complete():
    statement = _statement(300)
    customer = b.customer("CUS-0001", name="Zoë O'Brien-Łukasz")
    parsed = parse_pdf(render_statement_pdf(statement, agency_name="Town of Riverside", customer=customer))
    pages = parsed.page_count
    lines = parsed.text.splitlines()
    assert pages > 3
    assert f"Page 1 of {pages}" in lines and f"Page {pages} of {pages}" in lines
    assert lines.count("Town of Riverside") == pages and lines.count("Balance") == pages
    assert "Zoë O'Brien-Lukasz" in lines  # outside WinAnsi, replaced rather than dropped
    assert sum(line.startswith("REF-") for line in lines) == 300
    assert amount_text(statement.opening, "USD") == "50.00" and "50.00" in lines
    assert amount_text(statement.closing, "USD") in lines and "Closing balance" in lines
    assert f"Aging as of {day_text(statement.end)}" in lines and "70.00" in lines


def test_the_logo_is_drawn_once_per_page_from_one_image():
    statement = _statement(120)
    pdf = render_statement_pdf(statement, agency_name="Town", customer=b.customer("CUS-0001"), logo=TINY_JPEG)
    parsed = parse_pdf(pdf)
    assert sum(b"/Subtype /Image" in body for body in parsed.objects.values()) == 1
    assert pdf.count(b"/XObject << /Im1") == parsed.page_count > 1


def test_amounts_and_days_read_the_same_everywhere():
    assert amount_text(-123456, "USD") == "-1,234.56"
    assert amount_text(5, "JPY") == "5" and amount_text(1234, "KWD") == "1.234"
    assert day_text(date(2026, 3, 4)) == "4 Mar 2026"
