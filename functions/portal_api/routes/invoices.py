"""Portal routes: the signed-in customer's invoices (list, CSV export, detail), credit notes and sales orders."""

from __future__ import annotations

from datetime import date
from http import HTTPStatus
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.errors import ApiError
from arportal.api.identity import require_customer
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE
from arportal.api.parameters import AccountNumberQuery, DepartmentQuery, InvoiceIdPath
from arportal.api.record_schemas import CreditNoteOut
from arportal.domain.invoice_views import (
    DEFAULT_INVOICE_SORT,
    DisplayStatus,
    InvoiceFilter,
    InvoiceSort,
    display_status,
)
from arportal.domain.models import Invoice
from arportal.services import portal_views
from arportal.wiring import portal
from portal_api.schemas_views import (
    CreditNoteListOut,
    InvoiceDetailOut,
    InvoiceListOut,
    InvoiceOut,
    SalesOrderListOut,
    SalesOrderOut,
    page_cursor,
    page_start,
)

router = new_router()

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size, 1-{MAX_PAGE}")]
Cursor = Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")]


def _filter(
    status: list[DisplayStatus] | None,
    account: str | None,
    department: str | None,
    start: date | None,
    end: date | None,
) -> InvoiceFilter:
    try:
        return InvoiceFilter(frozenset(status or ()), account, department, start, end)
    except ValueError as exc:
        raise ApiError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_failed",
            "the date range is empty",
            [{"field": "query.from", "reason": str(exc)}],
        ) from exc


@router.get(
    "/v1/portal/invoices",
    tags=["portal"],
    summary="Your invoices: filter, sort, page, or export the selection as CSV (format=csv)",
    responses={
        200: {
            "description": "A page of invoices (format=json), or the whole selection as a CSV file (format=csv)",
            "content": {"application/json": {"model": InvoiceListOut}, "text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def list_invoices(  # noqa: PLR0917 - Powertools passes the query parameters by name
    status: Annotated[list[DisplayStatus] | None, Query(description="Repeat: status=open&status=overdue")] = None,
    account: AccountNumberQuery = None,
    department: DepartmentQuery = None,
    issued_from: Annotated[date | None, Query(alias="from", description="Issue date, inclusive")] = None,
    issued_to: Annotated[date | None, Query(alias="to", description="Issue date, inclusive")] = None,
    sort: Annotated[InvoiceSort, Query()] = DEFAULT_INVOICE_SORT,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response[InvoiceListOut | bytes]:
    customer_id = require_customer(current_caller(router))
    where = _filter(status, account, department, issued_from, issued_to)
    today = clock.today()
    if format == "csv":
        rows = portal_views.invoice_export(portal.reader(), customer_id, where, sort, today=today)
        return _csv(rows, today)
    key = page_start(cursor, portal.invoice_list_start(customer_id, sort, where))
    after = portal.invoice_position(key) if key else None
    page = portal_views.invoice_page(portal.reader(), customer_id, where, sort, today=today, limit=limit, after=after)
    next_key = portal.invoice_key(customer_id, sort, where, page.after) if page.after else None
    body = InvoiceListOut(
        invoices=[InvoiceOut.of(inv, today) for inv in page.invoices],
        total=page.total,
        next_cursor=page_cursor(next_key),
    )
    return Response(200, "application/json", body)


def _csv(invoices: list[Invoice], today: date) -> Response[Any]:
    # Imported here: only exports pay for the csv machinery.
    from arportal.api.csv_export import Column, csv_response, money_cell

    def money(field: str) -> Column:
        return Column(field.replace("_", " ").capitalize(), lambda i: money_cell(getattr(i, field), i.currency))

    columns = [
        Column("Invoice number", lambda i: i.invoice_number),
        Column("Account", lambda i: i.account_number),
        Column("Department", lambda i: i.department),
        Column("Issue date", lambda i: i.issue_date.isoformat()),
        Column("Due date", lambda i: i.due_date.isoformat()),
        Column("Status", lambda i: display_status(i, today).value),
        money("amount"),
        money("paid"),
        money("credited"),
        money("balance"),
        Column("Currency", lambda i: i.currency),
        Column("Lines", lambda i: "; ".join(line.description for line in i.lines)),
    ]
    return csv_response(invoices, columns, f"invoices-{today.isoformat()}.csv")


@router.get("/v1/portal/invoices/<invoiceId>", tags=["portal"], summary="One invoice: lines, payments and credit")
def get_invoice(invoiceId: InvoiceIdPath) -> InvoiceDetailOut:  # the path's own name
    customer_id = require_customer(current_caller(router))
    detail = portal_views.invoice_detail(portal.reader(), customer_id, invoiceId)
    return InvoiceDetailOut.of(detail, clock.today())


@router.get("/v1/portal/credit-notes", tags=["portal"], summary="Your credit notes: applied to what, what is left")
def list_credit_notes(cursor: Cursor = None, limit: Limit = DEFAULT_PAGE) -> CreditNoteListOut:
    customer_id = require_customer(current_caller(router))
    start = page_start(cursor, portal.list_start(customer_id, "credit_notes"))
    page = portal_views.credit_notes(portal.reader(), customer_id, limit=limit, start=start)
    return CreditNoteListOut(
        credit_notes=[CreditNoteOut.of(cn) for cn in page.items], next_cursor=page_cursor(page.next_key)
    )


@router.get("/v1/portal/sales-orders", tags=["portal"], summary="Your sales orders (view only)")
def list_sales_orders(cursor: Cursor = None, limit: Limit = DEFAULT_PAGE) -> SalesOrderListOut:
    customer_id = require_customer(current_caller(router))
    start = page_start(cursor, portal.list_start(customer_id, "sales_orders"))
    page = portal_views.sales_orders(portal.reader(), customer_id, limit=limit, start=start)
    return SalesOrderListOut(
        sales_orders=[SalesOrderOut.of(so) for so in page.items], next_cursor=page_cursor(page.next_key)
    )
