"""Documents attached to a customer: receipts, statements, tax forms, notices.

The bytes go to S3 under the customer (``customers/<customer_id>/<folder>/<document_id>.<ext>``) and a
``Document`` record goes to the customer's partition. A customer reaches a document only through its record in
their own partition, and downloads it only through a short-lived presigned URL issued after that lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from arportal.domain.errors import BusinessRuleError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import Document, DocumentKind
from arportal.ports import CustomerRepository, DocumentRepository, DocumentStore, Page

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
URL_LIFETIME_SECONDS = 300
# What may be attached; anything a browser would render as a page (HTML, SVG) is refused.
CONTENT_TYPES = {
    "application/pdf": "pdf",
    "text/csv": "csv",
    "text/plain": "txt",
    "image/jpeg": "jpg",
    "image/png": "png",
}
_FOLDERS = {
    DocumentKind.RECEIPT: "receipts",
    DocumentKind.STATEMENT: "statements",
    DocumentKind.TAX_FORM: "tax-forms",
    DocumentKind.NOTICE: "notices",
}


@dataclass(frozen=True)
class DocumentLink:
    document: Document
    url: str
    expires_at: datetime


def storage_key(customer_id: str, kind: DocumentKind, document_id: str, extension: str) -> str:
    return f"customers/{customer_id}/{_FOLDERS[kind]}/{document_id}.{extension}"


def attach_document(
    *,
    store: DocumentStore,
    documents: DocumentRepository,
    customers: CustomerRepository | None,
    customer_id: str,
    kind: DocumentKind,
    title: str,
    filename: str,
    content_type: str,
    body: bytes,
    created_by: str,
    now: datetime,
    document_date: date | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    reference: str | None = None,
    document_id: str | None = None,
    account_number: str | None = None,
) -> Document:
    """Store ``body`` in S3 under the customer and record it; returns the record.

    ``customers`` checks that the customer exists (pass None when the caller has just read it). The S3 object is
    written first: a failure there leaves no record pointing at nothing, and a failure of the record leaves
    only an unreachable object (the bucket's lifecycle rules may sweep it).
    """
    content_type = content_type.split(";", maxsplit=1)[0].strip().lower()
    extension = CONTENT_TYPES.get(content_type)
    if extension is None:
        raise BusinessRuleError(
            f"documents of type {content_type} are not accepted",
            details=[{"field": "content_type", "reason": f"one of {', '.join(sorted(CONTENT_TYPES))}"}],
        )
    if not body or len(body) > MAX_DOCUMENT_BYTES:
        raise BusinessRuleError(
            "a document must have content and be at most 20 MiB",
            details=[{"field": "body", "reason": f"{len(body)} bytes"}],
        )
    if customers is not None and customers.get(customer_id) is None:
        raise NotFoundError(f"no customer {customer_id}")
    doc_id = document_id or new_id("doc", now_ms=int(now.timestamp() * 1000))
    key = storage_key(customer_id, kind, doc_id, extension)
    document = Document(
        document_id=doc_id,
        customer_id=customer_id,
        kind=kind,
        title=title,
        filename=filename,
        content_type=content_type,
        size=len(body),
        storage_key=key,
        created_at=now,
        document_date=document_date or now.date(),
        period_start=period_start,
        period_end=period_end,
        reference=reference,
        created_by=created_by,
        account_number=account_number,
    )
    store.put(key, body, content_type=content_type, metadata={"customer-id": customer_id, "document-id": doc_id})
    documents.add(document)
    return document


def file_unrendered(
    *,
    documents: DocumentRepository,
    customer_id: str,
    kind: DocumentKind,
    title: str,
    filename: str,
    now: datetime,
    document_date: date,
    reference: str,
) -> Document:
    """Record a PDF document whose file is made on first download (``size`` 0 until then): listed at once, and
    never rendered or stored if nobody opens it."""
    doc_id = new_id("doc", now_ms=int(now.timestamp() * 1000))
    document = Document(
        document_id=doc_id,
        customer_id=customer_id,
        kind=kind,
        title=title,
        filename=filename,
        content_type="application/pdf",
        size=0,
        storage_key=storage_key(customer_id, kind, doc_id, "pdf"),
        created_at=now,
        document_date=document_date,
        reference=reference,
        created_by="system",
    )
    documents.add(document)
    return document


def unrendered(document: Document) -> bool:
    """A document recorded before its file (``file_unrendered``): nothing is stored under its key yet."""
    return document.size == 0


def list_documents(
    documents: DocumentRepository,
    customer_id: str,
    *,
    kind: DocumentKind | None,
    limit: int,
    start: dict[str, object] | None,
) -> Page[Document]:
    return documents.list(customer_id, kind=kind, limit=limit, start=start)


def download_link(
    documents: DocumentRepository,
    store: DocumentStore,
    customer_id: str,
    document_id: str,
    *,
    now: datetime,
    expires_in: int = URL_LIFETIME_SECONDS,
    render: Callable[[Document], Document] | None = None,
) -> DocumentLink:
    """A presigned URL for the customer's own document; anyone else's id is simply not found. Issuing the link
    marks an unread notice read (once: ``read_at`` keeps the first time). A document recorded before its file
    (a receipt) is rendered and stored first, by ``render``."""
    document = documents.get(customer_id, document_id)
    if document is None:
        raise NotFoundError("no such document")
    if unrendered(document):
        if render is None:
            raise NotFoundError("no such document")  # nothing here can make its file
        document = render(document)
    if document.unread_notice and documents.mark_read(customer_id, document_id, now):
        # Read when the link is issued: whether the browser then fetches it is not ours to see.
        document = document.model_copy(update={"read_at": now})
    return link_for(document, store, now=now, expires_in=expires_in)


def link_for(document: Document, store: DocumentStore, *, now: datetime, expires_in: int) -> DocumentLink:
    url = store.url(document.storage_key, filename=document.filename, expires_in=expires_in)
    return DocumentLink(document, url, now + timedelta(seconds=expires_in))
