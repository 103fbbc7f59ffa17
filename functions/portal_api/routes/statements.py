"""Portal routes: account statements (JSON inline; PDF or CSV stored as a document, answered with a link)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_customer
from arportal.config import settings
from arportal.domain.models import Customer
from arportal.domain.statement import Statement
from arportal.domain.values import AccountNumber
from arportal.ports import RenderedFile
from arportal.wiring import portal, stores
from portal_api.schemas_statements import StatementFileOut, StatementOut, csv_columns, csv_rows, statement_json

router = new_router()

AccountFilter = Annotated[AccountNumber | None, Query(description="Only this account's activity")]


class StatementFiles:
    """PDF and CSV renderings of a statement (the ``StatementRenderer`` port): the CSV has this API's columns, the
    PDF is drawn by ``pdf`` (the composition root's writer, ``arportal.wiring.portal.statement_pdf``)."""

    def __init__(self, pdf: Callable[[Statement, Customer], bytes]) -> None:
        self.pdf = pdf

    def render(self, statement: Statement, customer: Customer, fmt: str) -> RenderedFile:
        if fmt == "csv":
            from arportal.api.csv_export import render_csv

            body = render_csv(csv_rows(statement), csv_columns(statement.currency))
            return RenderedFile(body, "text/csv; charset=utf-8", "csv")
        return RenderedFile(self.pdf(statement, customer), "application/pdf", "pdf")


@router.get(
    "/v1/portal/statements",
    tags=["portal"],
    summary="Account statement for a date range: opening and closing balance, every line, aging",
    description="format=json (default) answers the statement; pdf and csv store it as a document and answer "
    "{url, expires_at, document_id} with a short-lived download link.",
    responses={
        200: {
            "description": "The statement (json) or a link to the stored file (pdf, csv)",
            "content": {"application/json": {"model": StatementOut | StatementFileOut}},
        }
    },
)
def get_statement(
    from_date: Annotated[date, Query(alias="from", description="First day (YYYY-MM-DD)")],
    to_date: Annotated[date, Query(alias="to", description="Last day (YYYY-MM-DD); at most today")],
    account: AccountFilter = None,
    format: Annotated[Literal["json", "pdf", "csv"], Query()] = "json",  # the contract's name
) -> Response[str]:
    from arportal.services import statements

    customer_id = require_customer(current_caller(router))
    currency = settings().currency
    query = statements.StatementQuery(customer_id, from_date, to_date, account)
    history, customers = portal.statement_history(), stores.customer_records()
    now = clock.now()
    today = settings().agency_time.day(now)  # statements are dated by the agency's calendar
    if format == "json":
        built = statements.statement(query, history=history, customers=customers, currency=currency, today=today)
        return Response(200, content_types.APPLICATION_JSON, statement_json(built))

    link = statements.statement_file(
        query,
        format,
        history=history,
        customers=customers,
        renderer=StatementFiles(portal.statement_pdf()),
        store=stores.document_files(),
        documents=stores.documents(),
        currency=currency,
        now=now,
        today=today,
    )
    return Response(200, content_types.APPLICATION_JSON, json.dumps(StatementFileOut.of(link).model_dump(mode="json")))
