"""The demo agency's receipts as documents: every seeded payment with a receipt number gets its receipt PDF and the
``Document`` record the portal opens it by, as a payment taken through the product does
(``services/receipts.deliver_receipt``: the PDF under ``customers/<id>/receipts/<document id>.pdf``, a ``DOC#``
record with ``kind=receipt`` and ``reference=<receipt number>``).

Rendered where the rest of the seed is generated (``seed.prepare`` runs it on the second core): about 0.2 ms a
receipt, half a second for the default agency's ~2,700. The PDFs are then put straight into the local S3 bucket
(``seed.load``), as the ledger items are imported into the table, instead of one HTTP request each (~5 ms).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from arportal.adapters.pdf.receipt import PdfReceiptRenderer
from arportal.domain.models import Customer, Document, DocumentKind, Payment, Receipt
from arportal.services.documents import storage_key
from local.seed_data import Ids

PDF = "application/pdf"


@dataclass(frozen=True)
class StoredFile:
    key: str
    body: bytes
    content_type: str = PDF


def receipt_documents(
    records: Sequence[object], *, seed: int, agency_name: str
) -> tuple[list[Document], list[StoredFile]]:
    """A rendered PDF and its Document record for every receipt among ``records``."""
    payers = {r.customer_id: r.name for r in records if isinstance(r, Customer)}
    payments = {r.payment_id: r for r in records if isinstance(r, Payment)}
    renderer = PdfReceiptRenderer()
    made = Ids(random.Random(f"{seed}-receipts"))  # its own stream: the ledger's figures do not move
    documents: list[Document] = []
    files: list[StoredFile] = []
    for receipt in (r for r in records if isinstance(r, Receipt)):
        payment = payments.get(receipt.payment_id)
        if payment is None or receipt.customer_id is None:
            continue
        pdf = renderer.render(
            receipt, payment, agency_name=agency_name, payer=payers.get(receipt.customer_id, "Customer")
        )
        document_id = made.new("doc", receipt.issued_at)
        key = storage_key(receipt.customer_id, DocumentKind.RECEIPT, document_id, "pdf")
        documents.append(
            Document(
                document_id=document_id,
                customer_id=receipt.customer_id,
                kind=DocumentKind.RECEIPT,
                title=f"Receipt {receipt.receipt_number}",
                filename=f"receipt-{receipt.receipt_number}.pdf",
                content_type=PDF,
                size=len(pdf),
                storage_key=key,
                created_at=receipt.issued_at,
                document_date=receipt.issued_at.date(),
                reference=receipt.receipt_number,
                created_by="system",
            )
        )
        files.append(StoredFile(key, pdf))
    return documents, files
