"""Portal routes: the customer's documents (receipts, statements, tax forms, notices) and their download links."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_customer
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE, encode_cursor
from arportal.api.record_schemas import DocumentOut
from arportal.domain.errors import NotFoundError
from arportal.domain.models import Document, DocumentKind
from arportal.wiring import portal, stores
from portal_api.schemas_statements import DocumentListOut, DownloadOut
from portal_api.schemas_views import page_start

router = new_router()
_DOCUMENT_ID = r"^doc_[0-9A-Z]{26}$"


@router.get("/v1/portal/documents", tags=["portal"], summary="The customer's documents, newest first")
def list_documents(
    type: Annotated[DocumentKind | None, Query(description="Only documents of this type")] = None,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> DocumentListOut:
    from arportal.services import documents

    customer_id = require_customer(current_caller(router))
    start = page_start(cursor, portal.list_start(customer_id, "documents"))
    page = documents.list_documents(stores.documents(), customer_id, kind=type, limit=limit, start=start)
    return DocumentListOut(
        documents=[DocumentOut.of(d) for d in page.items],
        next_cursor=encode_cursor(page.next_key),  # type: ignore[arg-type]
    )


@router.get(
    "/v1/portal/documents/<documentId>",
    tags=["portal"],
    summary="A short-lived download link for one of the customer's documents",
)
def get_document(documentId: str) -> DownloadOut:  # the path parameter's name in the contract
    import re

    from arportal.services import documents

    customer_id = require_customer(current_caller(router))
    if not re.match(_DOCUMENT_ID, documentId):
        raise NotFoundError("no such document")  # the same answer as another customer's id: nothing to learn
    from arportal.services.receipt_pdfs import render_on_download

    files, now = stores.document_files(), clock.now()

    def render(document: Document) -> Document:  # a receipt filed at payment time, opened for the first time
        return render_on_download(document, stores.receipt_services())

    link = documents.download_link(stores.documents(), files, customer_id, documentId, now=now, render=render)
    return DownloadOut.of(link)
