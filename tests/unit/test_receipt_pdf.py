"""The receipt PDF: a well-formed file that shows who was paid, by whom, for what, how, and its status."""

from __future__ import annotations

import re
import zlib
from datetime import timedelta

from arportal.adapters.pdf.receipt import PdfReceiptRenderer, method_label, money
from arportal.adapters.pdf.writer import PdfDocument
from arportal.domain.agency_time import AgencyTime
from arportal.domain.models import MethodDetail, PaymentMethodType, Receipt, ReceiptLine
from arportal.domain.status import PaymentStatus
from tests import builders as b


def structure(pdf: bytes) -> tuple[int, bytes]:
    """Check the cross-reference table points at every object; return the page count and the shown text."""
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\s+(\d+)", pdf).group(1))
    assert pdf[startxref : startxref + 4] == b"xref"
    count = int(re.search(rb"xref\s+0 (\d+)", pdf[startxref:]).group(1))
    offsets = re.findall(rb"(\d{10}) 00000 n ", pdf[startxref:])
    assert len(offsets) == count - 1
    for number, offset in enumerate(offsets, start=1):
        assert pdf[int(offset) :].startswith(f"{number} 0 obj".encode()), number
    pages = int(re.search(rb"/Type /Pages /Kids \[[^\]]*\] /Count (\d+)", pdf).group(1))
    streams = [
        pdf[m.end() : m.end() + int(m.group(1))] for m in re.finditer(rb"/FlateDecode /Length (\d+) >>\nstream\n", pdf)
    ]
    return pages, b"".join(zlib.decompress(data) for data in streams)


def receipt_for(payment, lines, fee=0):
    return Receipt(
        receipt_number="R-2611-7K3M9Q",
        payment_id=payment.payment_id,
        customer_id=payment.customer_id,
        issued_at=b.NOW,
        currency="USD",
        lines=lines,
        fee_amount=fee,
        total=sum(line.amount for line in lines) + fee,
    )


def test_one_page_with_every_fact_a_payer_needs():
    payment = b.payment("CUS-000500", amount=12_345, transaction_id="sbx_abc123", receipt_number="R-2611-7K3M9Q")
    payment = payment.model_copy(update={"fee_amount": 309})
    lines = [
        ReceiptLine(
            description="Utilities invoice UT-2026-00001",
            invoice_number="UT-2026-00001",
            department="utilities",
            amount=10_000,
        ),
        ReceiptLine(
            description="Property Tax invoice PT-2026-00002",
            invoice_number="PT-2026-00002",
            department="property_tax",
            amount=2_345,
        ),
    ]
    pdf = PdfReceiptRenderer().render(
        receipt_for(payment, lines, fee=309), payment, agency_name="City of Springfield", payer="Zoë O'Brien"
    )
    pages, text = structure(pdf)
    assert pages == 1
    for shown in (
        b"City of Springfield",
        b"R-2611-7K3M9Q",
        AgencyTime().moment_text(b.NOW).encode(),
        b"Zo\xeb O'Brien",
        b"UT-2026-00001",
        b"Property Tax",
        b"Convenience fee",
        b"3.09 USD",
        b"126.54 USD",
        b"Visa Card ending 4242",
        b"sbx_abc123",
        b"Posted",
        b"Page 1 of 1",
    ):
        assert shown in text, shown


def test_the_date_and_time_are_the_agency_s_with_its_zone():
    payment = b.payment("CUS-000500", amount=1_000, transaction_id="sbx_abc123", receipt_number="R-2611-7K3M9Q")
    lines = [ReceiptLine(description="Water", invoice_number="UT-2026-00001", department="utilities", amount=1_000)]
    chicago = AgencyTime("America/Chicago")
    pdf = PdfReceiptRenderer(chicago).render(receipt_for(payment, lines), payment, agency_name="A", payer="P")
    _, text = structure(pdf)
    shown = chicago.moment_text(b.NOW)
    assert shown.endswith(("CST", "CDT")) and shown.encode() in text
    assert b" UTC" not in text
    assert b"/Lang (en-US)" in pdf  # a screen reader knows the language to speak it in


def test_a_payment_over_many_invoices_flows_onto_numbered_pages():
    payment = b.payment("CUS-000500", amount=80 * 1_000)
    lines = [
        ReceiptLine(
            description=f"Parking invoice PK-2026-{k:05d}",
            invoice_number=f"PK-2026-{k:05d}",
            department="parking",
            amount=1_000,
        )
        for k in range(80)
    ]
    pages, text = structure(
        PdfReceiptRenderer().render(receipt_for(payment, lines), payment, agency_name="A", payer="B")
    )
    assert pages >= 2 and f"Page {pages} of {pages}".encode() in text
    assert text.count(b"Payment receipt") == pages  # the header on every page
    assert b"PK-2026-00079" in text and b"800.00 USD" in text


def test_pending_bank_payments_say_they_are_clearing():
    payment = b.payment("CUS-000500", status=PaymentStatus.PENDING).model_copy(
        update={"method": MethodDetail(type=PaymentMethodType.ACH, last4="6789")}
    )
    _, text = structure(
        PdfReceiptRenderer().render(
            receipt_for(payment, [ReceiptLine(description="Payment", amount=5_000)]),
            payment,
            agency_name="A",
            payer="B",
        )
    )
    assert b"Bank account \\(ACH\\) ending 6789" in text and b"3-5 business days" in text


def test_money_and_method_labels():
    assert money(123_456_789, "USD") == "1,234,567.89 USD" and money(1_500, "JPY") == "1,500 JPY"
    assert method_label(b.payment("CUS-000500", at=b.NOW - timedelta(days=1))) == "Visa Card ending 4242"


def test_every_line_of_text_stays_on_the_page():
    payment = b.payment("CUS-000500", status=PaymentStatus.PENDING).model_copy(
        update={"method": MethodDetail(type=PaymentMethodType.ACH, last4="6789")}
    )
    receipt = receipt_for(payment, [ReceiptLine(description="Payment " * 24, amount=5_000)])
    long_name = "The Consolidated Water, Sewer and Stormwater Utility District of Greater Springfield"
    _, text = structure(PdfReceiptRenderer().render(receipt, payment, agency_name=long_name, payer="Q" * 120))
    doc = PdfDocument("measure")
    shown = re.findall(rb"/F(\d) ([\d.]+) Tf ([\d.]+) [\d.]+ Td \(((?:[^()\\]|\\.)*)\) Tj", text)
    assert shown
    for font, size, x, literal in shown:
        words = re.sub(rb"\\(.)", rb"\1", literal).decode("cp1252")
        right = float(x) + doc.text_width(words, float(size), bold=font == b"2")
        assert float(x) >= 54 - 0.01 and right <= 612 - 54 + 0.01, words
