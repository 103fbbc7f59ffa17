"""Staff routes: a customer's whole record (the "360") in one call, and the lists it links to."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from arportal import clock
from arportal.adapters.dynamodb import keys
from arportal.adapters.dynamodb.staff_queries import DynamoStaffQueries
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE, encode_cursor
from arportal.api.schemas import InvoiceSummaryOut
from arportal.config import settings
from arportal.domain.permissions import Permission
from arportal.services import customer_record
from staff_api.schemas_common import CUSTOMER_ID_PATTERN, PaymentOut, customer_cursor
from staff_api.schemas_customers import CustomerRecordOut, InvoicesPageOut, PaymentsPageOut

router = new_router()
CustomerId = Annotated[str, Path(pattern=CUSTOMER_ID_PATTERN, description="e.g. CUS-7K3M9Q2X")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


def _queries() -> DynamoStaffQueries:
    s = settings()
    return DynamoStaffQueries(s.ledger_table, s.audit_table)


@router.get(
    "/v1/staff/customers/<customerId>",
    tags=["staff"],
    summary="Everything about one customer: profile, accounts, balances from every source, invoices, payments, "
    "credit, schedules, documents, interactions and pending approvals",
)
def get_customer(customerId: CustomerId) -> CustomerRecordOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    from arportal.adapters.balances import sources_for

    s, queries = settings(), _queries()
    today = clock.today()
    record = customer_record.customer_record(
        queries, queries, sources_for(s), customerId.upper(), today=today, currency=s.currency
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
    start = customer_cursor(cursor, pk=keys.customer_pk(cid), sk_prefix=keys.PAYMENT_PREFIX)
    page = customer_record.payments(_queries(), cid, limit=limit, start=start)
    return PaymentsPageOut(payments=[PaymentOut.of(p) for p in page.items], next_cursor=encode_cursor(page.next_key))


@router.get("/v1/staff/customers/<customerId>/invoices", tags=["staff"], summary="A customer's invoices, newest first")
def list_invoices(
    customerId: CustomerId,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
) -> InvoicesPageOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    cid = customerId.upper()
    start = customer_cursor(cursor, pk=keys.customer_pk(cid), sk_prefix=keys.INVOICE_PREFIX)
    page = customer_record.invoices(_queries(), cid, limit=limit, start=start)
    today = clock.today()
    return InvoicesPageOut(
        invoices=[InvoiceSummaryOut.of(i, today) for i in page.items], next_cursor=encode_cursor(page.next_key)
    )
