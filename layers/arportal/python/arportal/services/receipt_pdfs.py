"""A receipt's PDF, made when someone first opens it rather than on every payment.

A portal payer's receipt is filed at payment time as a ``Document`` record without its file (``size`` 0): it is
listed at once, and the PDF is rendered from the ledger (the receipt the posting wrote, its payment, the payer) and
stored on the first download. Most receipts are never opened; the email carries the receipt's figures and the
link. Two first downloads at once may both render, but the file is stored once: a conditional put
(``DocumentStore.put_new``), and only the writer that stored it records the size (``mark_stored``); both link the
same object.

Rendered at once, and attached to the email, where nobody could download it later: a guest (no portal account),
and a receipt sent again on request (perhaps to someone without the payer's login).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from arportal.domain.errors import NotFoundError
from arportal.domain.models import Channel, Document, DocumentKind, Payment, Receipt
from arportal.services.documents import file_unrendered

if TYPE_CHECKING:
    from arportal.services.receipts import ReceiptServices

PDF = "application/pdf"


def filename(receipt: Receipt) -> str:
    return f"receipt-{receipt.receipt_number}.pdf"


def renders_later(payment: Payment) -> bool:
    """Whether the payer can open the receipt in the portal later (their documents), so it need not be rendered
    now: any payment on a customer's account but a guest's."""
    return payment.customer_id is not None and payment.channel is not Channel.GUEST


def file_receipt(payment: Payment, receipt: Receipt, services: ReceiptServices, now: datetime) -> Document:
    """The receipt's Document record, its PDF to be rendered on first download."""
    if payment.customer_id is None:
        raise ValueError("a receipt is filed under the customer whose invoices it paid")
    return file_unrendered(
        documents=services.documents,
        customer_id=payment.customer_id,
        kind=DocumentKind.RECEIPT,
        title=f"Receipt {receipt.receipt_number}",
        filename=filename(receipt),
        now=now,
        document_date=receipt.issued_at.date(),
        reference=receipt.receipt_number,
    )


def render_on_download(document: Document, services: ReceiptServices) -> Document:
    """Render and store a receipt filed without its PDF; answers the document as stored."""
    customer_id = document.customer_id
    if document.kind is not DocumentKind.RECEIPT or not document.reference:
        raise NotFoundError("no such document")
    receipt = services.records.receipt(customer_id, document.reference)
    record = services.records.payment_record(customer_id, receipt.payment_id) if receipt else None
    if receipt is None or record is None:
        raise NotFoundError("no such document")  # the ledger no longer holds what it was made from
    payer = record.payer.name if record.payer else "Customer"
    pdf = services.renderer.render(receipt, record.payment, agency_name=services.agency_name, payer=payer)
    metadata = {"customer-id": customer_id, "document-id": document.document_id}
    if services.files.put_new(document.storage_key, pdf, content_type=PDF, metadata=metadata):
        services.documents.mark_stored(customer_id, document.document_id, len(pdf))
        return document.model_copy(update={"size": len(pdf)})
    return document  # another download stored it first: the same receipt, linked the same way
