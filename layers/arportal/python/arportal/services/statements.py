"""Account statements: the JSON statement inline, or a PDF/CSV stored as the customer's document.

A statement is built in one streaming pass over the customer's history (``StatementHistory``) by the pure
builder in ``domain/statement.py``; only the lines inside the range are held, once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from arportal.domain.errors import BusinessRuleError, NotFoundError
from arportal.domain.models import Customer, DocumentKind
from arportal.domain.statement import Statement, StatementTooLargeError, build_statement
from arportal.ports import (
    CustomerRepository,
    DocumentRepository,
    DocumentStore,
    StatementHistory,
    StatementRenderer,
)
from arportal.services.documents import URL_LIFETIME_SECONDS, DocumentLink, attach_document, link_for

MAX_INLINE_LINES = 15_000  # ~4 MB of JSON: inside Lambda's 6 MB response limit
# ~1.5 CPU-seconds per 10,000 PDF lines (bench/statement.py): 20,000 stays inside the function's 15 s
# timeout at 512 MB (about a third of a vCPU); beyond that, ask for a shorter range.
MAX_FILE_LINES = 20_000
MAX_RANGE_DAYS = 366 * 10


@dataclass(frozen=True)
class StatementQuery:
    customer_id: str
    start: date
    end: date
    account_number: str | None = None


def statement(
    query: StatementQuery,
    *,
    history: StatementHistory,
    customers: CustomerRepository,
    currency: str,
    today: date,
) -> Statement:
    """The statement for the customer's own records (JSON)."""
    _, built = _build(
        query, history=history, customers=customers, currency=currency, today=today, limit=MAX_INLINE_LINES
    )
    return built


def statement_file(
    query: StatementQuery,
    fmt: str,
    *,
    history: StatementHistory,
    customers: CustomerRepository,
    renderer: StatementRenderer,
    store: DocumentStore,
    documents: DocumentRepository,
    currency: str,
    now: datetime,
) -> DocumentLink:
    """The statement rendered as ``fmt`` ("pdf" or "csv"), stored as the customer's document, and a link to it."""
    customer, built = _build(
        query, history=history, customers=customers, currency=currency, today=now.date(), limit=MAX_FILE_LINES
    )
    rendered = renderer.render(built, customer, fmt)
    query = replace(query, end=built.end)  # clamped to today
    scope = f"-{query.account_number}" if query.account_number else ""
    document = attach_document(
        store=store,
        documents=documents,
        customers=None,  # read just now
        customer_id=query.customer_id,
        kind=DocumentKind.STATEMENT,
        title=f"Statement {query.start.isoformat()} to {query.end.isoformat()}"
        + (f", account {query.account_number}" if query.account_number else ""),
        filename=f"statement{scope}-{query.start.isoformat()}-{query.end.isoformat()}.{rendered.extension}",
        content_type=rendered.content_type,
        body=rendered.body,
        created_by="system",
        now=now,
        document_date=query.end,
        period_start=query.start,
        period_end=query.end,
        reference=query.account_number,
    )
    return link_for(document, store, now=now, expires_in=URL_LIFETIME_SECONDS)


def _build(
    query: StatementQuery,
    *,
    history: StatementHistory,
    customers: CustomerRepository,
    currency: str,
    today: date,
    limit: int,
) -> tuple[Customer, Statement]:
    _validate(query, today)
    if query.end > today:  # nothing has happened after today; the aging is as of the statement's real end
        query = replace(query, end=today)
    customer = customers.get(query.customer_id)
    if customer is None:
        raise NotFoundError("no customer record is linked to this sign-in")
    if query.account_number and history.account(query.customer_id, query.account_number) is None:
        raise NotFoundError(f"account {query.account_number} is not one of yours")
    records = history.history(query.customer_id, until=query.end, account_number=query.account_number, today=today)
    try:
        built = build_statement(
            records,
            customer_id=query.customer_id,
            currency=currency,
            start=query.start,
            end=query.end,
            account_number=query.account_number,
            max_lines=limit,
        )
    except StatementTooLargeError as exc:
        raise BusinessRuleError(
            f"this range has more than {limit:,} lines; choose a shorter range"
            + (" or ask for format=csv or pdf" if limit == MAX_INLINE_LINES else ""),
            details=[{"field": "to", "reason": "range too large"}],
        ) from exc
    return customer, built


def _validate(query: StatementQuery, today: date) -> None:
    problems = []
    if query.start > query.end:
        problems.append({"field": "from", "reason": "must be on or before 'to'"})
    if query.start > today:
        problems.append({"field": "from", "reason": "must not be in the future"})
    if (query.end - query.start).days > MAX_RANGE_DAYS:
        problems.append({"field": "to", "reason": "a statement covers at most ten years"})
    if problems:
        raise BusinessRuleError("the statement's dates are not valid", details=problems)
