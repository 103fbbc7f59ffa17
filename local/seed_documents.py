"""The demo agency's tax forms and notices: documents its own systems issue and load through
``POST /v1/integrations/documents:batch``, each a real PDF made with the project's PDF writer
(``arportal.adapters.pdf``), as the receipts are.

- Every property-tax account gets the **annual statement** of the last tax year whose instalments have all fallen
  due (a ``tax_form``, dated 1 October of that year, after the second instalment's due date): the instalments
  billed, what was paid or credited on them by the statement's date, and what is left. Both instalments of that
  year are always within the demo's 18 months of history.
- The demo customer also gets a **notice** on its water account (unread until opened in the portal).

Rendered where the rest of the seed is generated (``seed.prepare``'s worker), from the generated ledger, so the
same seed and day give the same bytes: loading them again is ``unchanged``. A document's id is the source
system's (``PT-2025-ANNUAL-142001``); its platform id is the one the batch service derives.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from arportal.adapters.pdf.receipt import money, wrap
from arportal.adapters.pdf.statement import day_text
from arportal.adapters.pdf.writer import Page, PdfDocument, TableColumn, TableRow, draw_table, number_all_pages
from arportal.domain.models import Account, Allocation, CreditNote, Customer, Invoice
from local.seed_source import SOURCE_VERSION

PDF = "application/pdf"
STATEMENT_DAY = (10, 1)  # month, day in the tax year: once its last instalment (15 September) is due


@dataclass(frozen=True)
class _Ledger:
    """What the documents read of the generated agency, indexed."""

    customers: dict[str, Customer]
    accounts: list[Account]
    invoices: dict[str, list[Invoice]]  # by account number
    settled: dict[str, list[tuple[date, int]]]  # invoice id -> (day, amount) paid or credited

    @classmethod
    def of(cls, records: Iterable[object]) -> _Ledger:
        customers: dict[str, Customer] = {}
        accounts: list[Account] = []
        invoices: dict[str, list[Invoice]] = defaultdict(list)
        settled: dict[str, list[tuple[date, int]]] = defaultdict(list)
        for record in records:
            match record:
                case Customer():
                    customers[record.customer_id] = record
                case Account():
                    accounts.append(record)
                case Invoice():
                    invoices[record.account_number].append(record)
                case Allocation():
                    settled[record.invoice_id].append((record.applied_at.date(), record.amount))
                case CreditNote():
                    for application in record.applications:
                        settled[application.invoice_id].append((application.applied_at.date(), application.amount))
        return cls(customers, accounts, invoices, settled)

    def settled_by(self, invoice: Invoice, day: date) -> int:
        return sum(amount for on, amount in self.settled.get(invoice.invoice_id, []) if on <= day)


def tax_year(today: date) -> int:
    """The last tax year whose annual statement has been issued by ``today``."""
    return today.year if today >= date(today.year, *STATEMENT_DAY) else today.year - 1


def documents(
    records: Sequence[object], *, today: date, agency_name: str, demo_customer_id: str
) -> list[dict[str, Any]]:
    """The tax forms and notices as ``documents:batch`` takes them (content base64 encoded)."""
    ledger = _Ledger.of(records)
    year = tax_year(today)
    found = []
    for account in ledger.accounts:
        if account.department != "property_tax":
            continue
        billed = [i for i in ledger.invoices.get(account.account_number, []) if _in_year(i, year)]
        if billed:
            tax = TaxYear(ledger.customers[account.customer_id], account, billed, year)
            found.append(_annual_statement(ledger, tax, agency_name))
    demo_water = next(
        (a for a in ledger.accounts if a.customer_id == demo_customer_id and a.department == "utilities"), None
    )
    if demo_water is not None:
        found.append(_flushing_notice(ledger.customers[demo_customer_id], demo_water, today, agency_name))
    return found


def _in_year(invoice: Invoice, year: int) -> bool:
    return invoice.period_start is not None and invoice.period_start.year == year


def _digits(account_number: str) -> str:
    return account_number.split("-", 1)[1]


def _record(**fields: Any) -> dict[str, Any]:
    content: bytes = fields.pop("pdf")
    return {
        **fields,
        "content_type": PDF,
        "content": base64.b64encode(content).decode(),
        "source_version": SOURCE_VERSION,
    }


# --- the property-tax annual statement --------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxYear:
    """One property's tax year: the instalments its account was billed."""

    customer: Customer
    account: Account
    billed: list[Invoice]
    year: int

    @property
    def issued(self) -> date:
        return date(self.year, *STATEMENT_DAY)


def _annual_statement(ledger: _Ledger, tax: TaxYear, agency_name: str) -> dict[str, Any]:
    year, account = tax.year, tax.account
    return _record(
        document_id=f"PT-{year}-ANNUAL-{_digits(account.account_number)}",
        customer_id=tax.customer.customer_id,
        account_number=account.account_number,
        kind="tax_form",
        title=f"{year} property tax annual statement",
        filename=f"{year}-property-tax-statement-{account.account_number}.pdf",
        document_date=tax.issued.isoformat(),
        period_start=date(year, 1, 1).isoformat(),
        period_end=date(year, 12, 31).isoformat(),
        reference=str(year),
        pdf=render_annual_statement(ledger, tax, agency_name=agency_name),
    )


def render_annual_statement(ledger: _Ledger, tax: TaxYear, *, agency_name: str) -> bytes:
    year, issued, billed = tax.year, tax.issued, tax.billed
    title = f"{year} property tax annual statement"
    doc = PdfDocument(f"{agency_name}: {title}", author=agency_name, created_at=_noon(issued))
    currency = billed[0].currency

    def header(page: Page) -> float:
        return _header(page, agency_name, "Property tax annual statement", f"Tax year {year}")

    page = doc.new_page()
    y = _parties(page, header(page), tax.customer, tax.account, issued)
    width = page.right - page.left
    columns = [
        TableColumn("Instalment", width * 0.22),
        TableColumn("Invoice", width * 0.18),
        TableColumn("Due", width * 0.15),
        TableColumn("Billed", width * 0.15, align="right"),
        TableColumn("Paid", width * 0.15, align="right"),
        TableColumn("Balance", width * 0.15, align="right"),
    ]
    rows: list[TableRow] = []
    totals = [0, 0]
    for invoice in sorted(billed, key=lambda i: i.due_date):
        paid = min(ledger.settled_by(invoice, issued), invoice.amount)
        totals[0] += invoice.amount
        totals[1] += paid
        cells = [
            invoice.lines[0].description.split(", ")[-1].capitalize(),  # "Instalment 1 of 2"
            invoice.invoice_number,
            day_text(invoice.due_date),
            money(invoice.amount, currency),
            money(paid, currency),
            money(invoice.amount - paid, currency),
        ]
        rows.append(TableRow(cells))
    billed_total, paid_total = totals
    total_cells = ["Total for the year", "", "", money(billed_total, currency), money(paid_total, currency)]
    rows.append(TableRow([*total_cells, money(billed_total - paid_total, currency)], bold=True, shade=0.88))
    end = draw_table(doc, columns, rows, on_new_page=header, page=page, y=y - 12, number_pages=False)
    page, y = end.page, end.y - 24
    notes = (
        f"Payments and credits received after {day_text(issued)} are not shown. Keep this statement with your "
        f"{year} tax records; you can pay any balance online in the {agency_name} portal."
    )
    for line in wrap(doc, notes, page.right - page.left, size=9):
        page.text(page.left, y, line, size=9)
        y -= 12
    number_all_pages(doc)
    return doc.to_bytes()


# --- a notice ---------------------------------------------------------------------------------------------------


def _flushing_notice(customer: Customer, account: Account, today: date, agency_name: str) -> dict[str, Any]:
    issued = today - timedelta(days=3)
    flushing = issued + timedelta(days=10)
    body = (
        f"Crews will flush the water mains serving {_street(account)} on {day_text(flushing)} between 8 am and 4 pm. "
        "Your water may look cloudy or discoloured for a few hours afterwards: run the cold tap until it runs "
        "clear before drinking or doing laundry. No action is needed and your bill is not affected."
    )
    doc = PdfDocument(f"{agency_name}: water main flushing notice", author=agency_name, created_at=_noon(issued))
    page = doc.new_page()
    y = _parties(page, _header(page, agency_name, "Service notice", day_text(issued)), customer, account, issued)
    page.text(page.left, y - 14, "Water main flushing in your area", size=12, bold=True)
    y -= 32
    for line in wrap(doc, body, page.right - page.left, size=10):
        page.text(page.left, y, line, size=10)
        y -= 14
    return _record(
        document_id=f"NOTICE-{issued:%Y%m}-FLUSH-{_digits(account.account_number)}",
        customer_id=customer.customer_id,
        account_number=account.account_number,
        kind="notice",
        title="Water main flushing in your area",
        filename=f"water-main-flushing-{issued:%Y-%m}.pdf",
        document_date=issued.isoformat(),
        reference=account.account_number,
        pdf=doc.to_bytes(),
    )


def _street(account: Account) -> str:
    return account.service_address.line1 if account.service_address else f"account {account.account_number}"


# --- shared layout ----------------------------------------------------------------------------------------------


def _noon(day: date) -> datetime:
    """The PDF's creation date: fixed by the document's date, so the same seed renders the same bytes."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def _header(page: Page, agency_name: str, title: str, subtitle: str) -> float:
    top = page.top
    page.text(page.left, top - 14, agency_name, size=16, bold=True)
    page.text(page.right, top - 14, title, size=13, bold=True, align="right")
    page.text(page.right, top - 30, subtitle, size=10, align="right")
    page.line(page.left, top - 40, page.right, top - 40, width=1)
    return top - 56


def _parties(page: Page, y: float, customer: Customer, account: Account, issued: date) -> float:
    address = account.service_address or customer.address
    rows = [
        ("Name", customer.name),
        ("Customer", customer.customer_id),
        ("Account", account.account_number),
        ("Property", f"{address.line1}, {address.city}, {address.region} {address.postal_code}" if address else "-"),
        ("Issued", day_text(issued)),
    ]
    for label, value in rows:
        page.text(page.left, y, label, size=9, bold=True, gray=0.3)
        page.text(page.left + 90, y, value, size=10)
        y -= 15
    return y
