"""Portal routes: the signed-in customer's payments (list, CSV export, detail with allocations and receipt).

Making a payment (POST /v1/portal/payments) lives in ``pay.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from http import HTTPStatus
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from arportal.api.app import current_caller, new_router
from arportal.api.errors import ApiError
from arportal.api.identity import require_customer
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE
from arportal.api.parameters import PaymentIdPath
from arportal.config import settings
from arportal.domain import models as m
from arportal.domain.invoice_views import PaymentFilter
from arportal.domain.status import PaymentStatus
from arportal.services import portal_views
from arportal.wiring import portal
from portal_api.schemas_payments import PaymentDetailOut, PaymentListOut, PaymentOut
from portal_api.schemas_views import page_cursor, page_start

router = new_router()


def _filter(status: list[PaymentStatus] | None, start: date | None, end: date | None) -> PaymentFilter:
    try:
        return PaymentFilter(frozenset(status or ()), start, end)
    except ValueError as exc:
        raise ApiError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_failed",
            "the date range is empty",
            [{"field": "query.from", "reason": str(exc)}],
        ) from exc


@router.get(
    "/v1/portal/payments",
    tags=["portal"],
    summary="Your payments, newest first: filter, page, or export the selection as CSV (format=csv)",
    responses={
        200: {
            "description": "A page of payments (format=json), or the whole selection as a CSV file (format=csv)",
            "content": {"application/json": {"model": PaymentListOut}, "text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def list_payments(  # noqa: PLR0917 - Powertools passes the query parameters by name
    made_from: Annotated[date | None, Query(alias="from", description="Payment date, inclusive")] = None,
    made_to: Annotated[date | None, Query(alias="to", description="Payment date, inclusive")] = None,
    status: Annotated[list[PaymentStatus] | None, Query(description="Repeat: status=posted&status=settled")] = None,
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size, 1-{MAX_PAGE}")] = DEFAULT_PAGE,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response[PaymentListOut | bytes]:
    customer_id = require_customer(current_caller(router))
    where = _filter(status, made_from, made_to)
    if format == "csv":
        return _csv(portal_views.payment_export(portal.reader(), customer_id, where))
    start = page_start(cursor, portal.list_start(customer_id, "payments"))
    page = portal_views.payment_page(portal.reader(), customer_id, where, limit=limit, start=start)
    body = PaymentListOut(payments=[PaymentOut.of(p) for p in page.items], next_cursor=page_cursor(page.next_key))
    return Response(200, "application/json", body)


def _csv(payments: Iterable[m.Payment]) -> Response[Any]:
    # Imported here: only exports pay for the csv machinery.
    from arportal.api.csv_export import Column, csv_response, money_cell
    from arportal.domain.agency_time import zone_label

    local = settings().agency_time.local  # a person reads the export: the agency's day and hour, zone named
    columns = [
        Column("Payment id", lambda p: p.payment_id),
        Column("Date", lambda p: local(p.created_at).date().isoformat()),
        Column("Time", lambda p: local(p.created_at).strftime("%H:%M:%S")),
        Column("Time zone", lambda p: zone_label(local(p.created_at))),
        Column("Method", lambda p: p.method.type.value),
        Column("Brand", lambda p: p.method.brand or ""),
        Column("Last four", lambda p: p.method.last4 or ""),
        Column("Channel", lambda p: p.channel.value),
        Column("Status", lambda p: p.status.value),
        Column("Amount", lambda p: money_cell(p.amount, p.currency)),
        Column("Fee", lambda p: money_cell(p.fee_amount, p.currency)),
        Column("Total", lambda p: money_cell(p.amount + p.fee_amount, p.currency)),
        Column("Currency", lambda p: p.currency),
        Column("Receipt number", lambda p: p.receipt_number or ""),
    ]
    return csv_response(payments, columns, "payments.csv")


@router.get(
    "/v1/portal/payments/<paymentId>",
    tags=["portal"],
    summary="One payment: method, allocation, credit held, status history and receipt",
)
def get_payment(paymentId: PaymentIdPath) -> PaymentDetailOut:  # the path's own name
    customer_id = require_customer(current_caller(router))
    return PaymentDetailOut.of(portal_views.payment_detail(portal.reader(), customer_id, paymentId))
