"""Batch upserts: ``POST /v1/integrations/<kind>:batch`` (customers, accounts, invoices, credit notes, sales
orders, documents), idempotent by the source's own ids, ``?dry_run=true`` to see the answers without writing.

200 whenever the request is readable, with one answer per record (created, updated, unchanged or rejected with
its errors): a bad record never fails its neighbours. Refused as a whole: more than 500 records (422
``too_many_records``), a body over 1 MiB (413), a token without the route's scope (403 ``insufficient_scope``).

Scopes: ``customers.write`` for customers and accounts; ``invoices.write`` for invoices, credit notes and sales
orders; ``documents.write`` for documents.
"""

from __future__ import annotations

from typing import Annotated, cast

from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal.api.app import new_router
from arportal.domain.source_records import SourceKind
from arportal.wiring import integrations
from integration_api.caller import current_system
from integration_api.schemas_batches import (
    AccountBatchIn,
    BatchResultOut,
    CreditNoteBatchIn,
    CustomerBatchIn,
    DocumentBatchIn,
    InvoiceBatchIn,
    SalesOrderBatchIn,
)

router = new_router()

DryRun = Annotated[bool, Query(description="true: validate and answer per record, write nothing")]
_ANSWERS: dict[int, OpenAPIResponse] = {
    200: {
        "description": "One answer per record, in the order sent: created, updated, unchanged or rejected",
        "content": {"application/json": {"model": BatchResultOut}},
    },
    422: {
        "description": "`too_many_records`: more than 500 records; or `validation_failed`: the envelope is not readable"
    },
}


def _load(kind: SourceKind, scope: str, records: list[object], dry_run: bool) -> BatchResultOut:
    caller = current_system(router, scope)
    event = cast(APIGatewayProxyEvent, router.current_event)
    batch = integrations.load_batch(
        kind, records, actor=caller.actor, dry_run=dry_run, request_id=event.request_context.request_id
    )
    return BatchResultOut.of(batch)


@router.post(
    "/v1/integrations/customers:batch",
    tags=["integrations"],
    summary="Create or update customers by their id (scope customers.write)",
    responses=_ANSWERS,
)
def customers(body: Annotated[CustomerBatchIn, Body()], dry_run: DryRun = False) -> BatchResultOut:
    return _load(SourceKind.CUSTOMER, "customers.write", body.records, dry_run)


@router.post(
    "/v1/integrations/accounts:batch",
    tags=["integrations"],
    summary="Create or update accounts by their number; the customer must exist (scope customers.write)",
    responses=_ANSWERS,
)
def accounts(body: Annotated[AccountBatchIn, Body()], dry_run: DryRun = False) -> BatchResultOut:
    return _load(SourceKind.ACCOUNT, "customers.write", body.records, dry_run)


@router.post(
    "/v1/integrations/invoices:batch",
    tags=["integrations"],
    summary="Create, update or void invoices by their number (scope invoices.write)",
    responses=_ANSWERS,
)
def invoices(body: Annotated[InvoiceBatchIn, Body()], dry_run: DryRun = False) -> BatchResultOut:
    return _load(SourceKind.INVOICE, "invoices.write", body.records, dry_run)


@router.post(
    "/v1/integrations/credit-notes:batch",
    tags=["integrations"],
    summary="Create or update credit notes by their number (scope invoices.write)",
    responses=_ANSWERS,
)
def credit_notes(body: Annotated[CreditNoteBatchIn, Body()], dry_run: DryRun = False) -> BatchResultOut:
    return _load(SourceKind.CREDIT_NOTE, "invoices.write", body.records, dry_run)


@router.post(
    "/v1/integrations/sales-orders:batch",
    tags=["integrations"],
    summary="Create or update sales orders by their number (scope invoices.write)",
    responses=_ANSWERS,
)
def sales_orders(body: Annotated[SalesOrderBatchIn, Body()], dry_run: DryRun = False) -> BatchResultOut:
    return _load(SourceKind.SALES_ORDER, "invoices.write", body.records, dry_run)


@router.post(
    "/v1/integrations/documents:batch",
    tags=["integrations"],
    summary="Attach tax forms and notices to customers, with their files (scope documents.write)",
    responses=_ANSWERS,
)
def documents(body: Annotated[DocumentBatchIn, Body()], dry_run: DryRun = False) -> BatchResultOut:
    return _load(SourceKind.DOCUMENT, "documents.write", body.records, dry_run)
