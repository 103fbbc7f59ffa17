"""Staff routes: a customer's whole record (the "360") in one call, or its first screen alone, and the lists it
links to."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE, encode_cursor
from arportal.api.schemas import InvoiceSummaryOut
from arportal.config import settings
from arportal.domain.permissions import Permission
from arportal.domain.values import CustomerIdAnyCase
from arportal.services import customer_record
from arportal.wiring import staff
from staff_api.schemas_common import PaymentOut, list_start
from staff_api.schemas_customers import CustomerRecordOut, CustomerSummaryOut, InvoicesPageOut, PaymentsPageOut

router = new_router()
CustomerId = Annotated[CustomerIdAnyCase, Path(description="e.g. CUS-7K3M9Q2X")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Parts = Annotated[
    Literal["all", "summary"],
    Query(
        description="all: the whole record; summary: profile, accounts, figures, open invoices, credit and "
        "schedules only (two reads, no lists, no connected systems), which the console shows first"
    ),
]


@router.get(
    "/v1/staff/customers/<customerId>",
    tags=["staff"],
    summary="Everything about one customer: profile, accounts, balances from every source, invoices, payments, "
    "credit, schedules, documents, interactions and pending approvals (or, with parts=summary, its first screen)",
)
def get_customer(customerId: CustomerId, parts: Parts = "all") -> CustomerRecordOut | CustomerSummaryOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    queries, today = staff.queries(), clock.today()
    if parts == "summary":
        first = customer_record.customer_summary(queries, customerId.upper(), today=today, currency=settings().currency)
        return CustomerSummaryOut.of_summary(first, today)
    record = customer_record.customer_record(
        queries, queries, staff.balance_sources(), customerId.upper(), today=today, currency=settings().currency
    )
    return CustomerRecordOut.of(record, today)


@router.get("/v1/staff/customers/<customerId>/payments", tags=["staff"], summary="A customer's payments, newest first")
def list_payments(
    customerId: CustomerId,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
) -> PaymentsPageOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    cid = customerId.upper()
    start = list_start(cursor, staff.cursors().customer_list(cid, "payments"))
    page = customer_record.payments(staff.queries(), cid, limit=limit, start=start)
    return PaymentsPageOut(payments=[PaymentOut.of(p) for p in page.items], next_cursor=encode_cursor(page.next_key))


@router.get("/v1/staff/customers/<customerId>/invoices", tags=["staff"], summary="A customer's invoices, newest first")
def list_invoices(
    customerId: CustomerId,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
) -> InvoicesPageOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    cid = customerId.upper()
    start = list_start(cursor, staff.cursors().customer_list(cid, "invoices"))
    page = customer_record.invoices(staff.queries(), cid, limit=limit, start=start)
    today = clock.today()
    return InvoicesPageOut(
        invoices=[InvoiceSummaryOut.of(i, today) for i in page.items], next_cursor=encode_cursor(page.next_key)
    )
