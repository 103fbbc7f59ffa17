"""The payment receipt as a PDF: who was paid, by whom, for what, how, and whether the money has cleared.

One page for any ordinary payment; a payment spread over many invoices flows onto more pages with the table's
header repeated. Amounts are shown exactly (integer minor units formatted with the currency's exponent).
"""

from __future__ import annotations

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
from arportal.domain.models import Payment, Receipt
from arportal.domain.money import Money, exponent
from arportal.domain.status import PaymentStatus

_STATUS_NOTES = {
    PaymentStatus.POSTED: "Paid. The amounts above have been applied to your account.",
    PaymentStatus.SETTLED: "Paid and settled.",
    PaymentStatus.PENDING: "Processing. Bank payments take 3-5 business days to clear; the invoices show as paid "
    "meanwhile and reopen if the bank returns the payment.",
}


def money(minor: int, currency: str) -> str:
    """``1,234.50 USD``: exact, grouped, and unambiguous in any locale."""
    return f"{Money(minor, currency).to_decimal():,.{exponent(currency)}f} {currency}"


_METHOD_LABELS = {
    "ach": "Bank account (ACH)",
    "debit": "Debit card",
    "card": "Card",
    "wallet": "Digital wallet",
    "wire": "Wire transfer",
    "ach_credit": "Bank transfer (ACH credit)",
}


def method_label(payment: Payment) -> str:
    method = payment.method
    kind = _METHOD_LABELS.get(method.type.value, method.type.value.title())
    brand = f"{method.brand.title()} " if method.brand else ""
    ending = f" ending {method.last4}" if method.last4 else ""
    return f"{brand}{kind}{ending}".strip()


def wrap(doc: PdfDocument, text: str, width: float, *, size: float) -> list[str]:
    """``text`` broken between words into lines no wider than ``width`` points."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and doc.text_width(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def _department(code: str | None) -> str:
    return code.replace("_", " ").title() if code else ""


class PdfReceiptRenderer:
    """``ports.ReceiptRenderer`` with the PDF writer; the date and time in the agency's zone."""

    def __init__(self, time: AgencyTime | None = None) -> None:
        self._time = time or AgencyTime()

    def render(self, receipt: Receipt, payment: Payment, *, agency_name: str, payer: str) -> bytes:
        doc = PdfDocument(f"Receipt {receipt.receipt_number}", author=agency_name, created_at=receipt.issued_at)
        page = doc.new_page()
        y = _header(page, agency_name, receipt)
        y = _details(page, y, receipt, payment, payer, time=self._time)
        width = page.right - page.left
        columns = [
            TableColumn("Description", width * 0.44),
            TableColumn("Invoice", width * 0.20),
            TableColumn("Department", width * 0.18),
            TableColumn("Amount", width * 0.18, align="right"),
        ]
        cur = receipt.currency
        rows: list[TableRow] = [
            TableRow(
                [line.description, line.invoice_number or "", _department(line.department), money(line.amount, cur)]
            )
            for line in receipt.lines
        ]
        if receipt.fee_amount:
            rows.append(TableRow(["Convenience fee", "", "", money(receipt.fee_amount, cur)]))
        rows.append(TableRow(["Total paid", "", "", money(receipt.total, cur)], bold=True, shade=0.88))
        end = draw_table(
            doc,
            columns,
            rows,
            on_new_page=lambda p: _header(p, agency_name, receipt),
            page=page,
            y=y - 12,
            number_pages=False,
        )
        page, y = end.page, end.y - 24
        if y - 40 < page.bottom + 12:  # no room under the table for the closing notes: they go overleaf
            page = doc.new_page()
            y = _header(page, agency_name, receipt)
        note = _STATUS_NOTES.get(payment.status, f"Status: {payment.status.value.replace('_', ' ')}.")
        for line in wrap(doc, note, page.right - page.left, size=9):
            page.text(page.left, y, line, size=9)
            y -= 12
        page.text(page.left, y - 2, "Keep this receipt for your records.", size=9, gray=0.35)
        number_all_pages(doc)
        return doc.to_bytes()


def _header(page: Page, agency_name: str, receipt: Receipt) -> float:
    top = page.top
    title_room = page.right - page.left - page.doc.text_width("Payment receipt", 14, bold=True) - 24
    page.text(page.left, top - 14, fit_text(page.doc, agency_name, title_room, 16, bold=True), size=16, bold=True)
    page.text(page.right, top - 14, "Payment receipt", size=14, bold=True, align="right")
    page.text(page.right, top - 30, receipt.receipt_number, size=10, align="right")
    page.line(page.left, top - 40, page.right, top - 40, width=1)
    return top - 56


def _details(page: Page, y: float, receipt: Receipt, payment: Payment, payer: str, *, time: AgencyTime) -> float:
    rows = [
        ("Receipt number", receipt.receipt_number),
        ("Date", time.moment_text(receipt.issued_at)),
        ("Paid by", payer),
        ("Payment method", method_label(payment)),
        ("Transaction id", payment.transaction_id or "-"),
        ("Payment id", payment.payment_id),
        ("Status", payment.status.value.replace("_", " ").title()),
    ]
    for label, value in rows:
        page.text(page.left, y, label, size=9, bold=True, gray=0.3)
        page.text(page.left + 110, y, fit_text(page.doc, value, page.right - page.left - 110, 10), size=10)
        y -= 15
    return y
