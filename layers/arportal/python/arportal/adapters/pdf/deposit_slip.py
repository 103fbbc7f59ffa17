"""The deposit slip of a drawer close: what the cashier takes to the bank with the money.

The agency and its account, the date, the terminal and drawer, each cheque on a line of its own (number and
amount), the cash, the total, the batch id and who prepared it. Amounts are exact (minor units formatted with
the currency's exponent, as on the receipt).
"""

from __future__ import annotations

from arportal.adapters.pdf.receipt import money
from arportal.adapters.pdf.writer import (
    Page,
    PdfDocument,
    TableColumn,
    TableRow,
    draw_table,
    fit_text,
    number_all_pages,
)
from arportal.domain.agency_time import AgencyTime
from arportal.domain.drawer_close import CASH, CHEQUE, DrawerClose

TITLE = "Deposit slip"


class PdfDepositSlipRenderer:
    """``ports.DepositSlipRenderer`` with the PDF writer; times in the agency's zone."""

    def __init__(self, time: AgencyTime | None = None) -> None:
        self._time = time or AgencyTime()

    def render(self, close: DrawerClose, *, agency_name: str, bank_account: str | None) -> bytes:
        doc = PdfDocument(f"{TITLE} {close.deposit_id}", author=agency_name, created_at=close.closed_at)
        page = doc.new_page()
        y = _header(page, agency_name, close)
        y = _details(page, y, close, agency_name, bank_account, time=self._time)
        width = page.right - page.left
        columns = [
            TableColumn("Item", width * 0.34),
            TableColumn("Cheque number", width * 0.40),
            TableColumn("Amount", width * 0.26, align="right"),
        ]
        cur = close.currency
        rows: list[TableRow] = [
            TableRow([f"Cheque {n}", cheque.number or "(no number)", money(cheque.amount, cur)])
            for n, cheque in enumerate(close.cheques, start=1)
        ]
        rows.append(TableRow([f"Cheques ({len(close.cheques)})", "", money(close.counted[CHEQUE], cur)], bold=True))
        rows.append(TableRow(["Cash", "", money(close.counted[CASH], cur)], bold=True))
        rows.append(TableRow(["Total deposit", "", money(close.total, cur)], bold=True, shade=0.88))
        end = draw_table(
            doc,
            columns,
            rows,
            on_new_page=lambda p: _header(p, agency_name, close),
            page=page,
            y=y - 12,
            number_pages=False,
        )
        page, y = end.page, end.y - 36
        if y - 60 < page.bottom + 12:
            page = doc.new_page()
            y = _header(page, agency_name, close)
        page.text(page.left, y, f"Prepared by {close.closed_by}", size=9)
        page.line(page.left + 260, y - 2, page.right, y - 2)
        page.text(page.left + 260, y - 12, "Received by the bank (teller, date, stamp)", size=8, gray=0.35)
        number_all_pages(doc)
        return doc.to_bytes()


def _header(page: Page, agency_name: str, close: DrawerClose) -> float:
    top = page.top
    title_room = page.right - page.left - page.doc.text_width(TITLE, 14, bold=True) - 24
    page.text(page.left, top - 14, fit_text(page.doc, agency_name, title_room, 16, bold=True), size=16, bold=True)
    page.text(page.right, top - 14, TITLE, size=14, bold=True, align="right")
    page.text(page.right, top - 30, close.deposit_id, size=10, align="right")
    page.line(page.left, top - 40, page.right, top - 40, width=1)
    return top - 56


def _details(
    page: Page, y: float, close: DrawerClose, agency_name: str, bank_account: str | None, *, time: AgencyTime
) -> float:
    rows = [
        ("Account holder", agency_name),
        ("Account", bank_account or "-"),
        ("Date", time.date_text(close.business_date)),
        ("Terminal / drawer", f"{close.terminal_id} / {close.drawer_id}"),
        ("Closed at", time.moment_text(close.closed_at)),
        ("Deposit batch", close.deposit_id),
        ("Payments", str(len(close.payments))),
    ]
    for label, value in rows:
        page.text(page.left, y, label, size=9, bold=True, gray=0.3)
        page.text(page.left + 120, y, fit_text(page.doc, value, page.right - page.left - 120, 10), size=10)
        y -= 15
    return y
