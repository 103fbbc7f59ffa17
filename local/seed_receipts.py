"""The demo agency's receipts as documents: every seeded payment with a receipt number gets the ``Document`` record
the portal opens it by, as a payment taken through the product does (``services/receipts.deliver_receipt``: a
``DOC#`` record with ``kind=receipt``, ``reference=<receipt number>`` and the key its PDF will have,
``customers/<id>/receipts/<document id>.pdf``). As in the product, the PDF is not rendered here: the first
download renders and stores it (``services/receipt_pdfs``), so the seed neither draws ~0.2 ms a receipt nor keeps
every receipt's bytes in the local S3 (~3 KB each: ~280 MB for 10,000 customers).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from arportal.domain.models import Document, DocumentKind, Payment, Receipt
from arportal.services.documents import storage_key
from local.seed_data import Ids

PDF = "application/pdf"


def receipt_documents(records: Sequence[object], *, seed: int) -> list[Document]:
    """A Document record, its PDF rendered on first download, for every receipt among ``records``."""
    payments = {r.payment_id for r in records if isinstance(r, Payment)}
    made = Ids(random.Random(f"{seed}-receipts"))  # its own stream: the ledger's figures do not move
    documents: list[Document] = []
    for receipt in (r for r in records if isinstance(r, Receipt)):
        if receipt.payment_id not in payments or receipt.customer_id is None:
            continue
        document_id = made.new("doc", receipt.issued_at)
        documents.append(
            Document(
                document_id=document_id,
                customer_id=receipt.customer_id,
                kind=DocumentKind.RECEIPT,
                title=f"Receipt {receipt.receipt_number}",
                filename=f"receipt-{receipt.receipt_number}.pdf",
                content_type=PDF,
                size=0,  # no file yet: rendered on first download
                storage_key=storage_key(receipt.customer_id, DocumentKind.RECEIPT, document_id, "pdf"),
                created_at=receipt.issued_at,
                document_date=receipt.issued_at.date(),
                reference=receipt.receipt_number,
                created_by="system",
            )
        )
    return documents
