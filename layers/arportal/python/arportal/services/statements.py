"""Account statements: the JSON statement inline, or a PDF/CSV stored as the customer's document.

A statement is built in one streaming pass (``StatementHistory``) by the pure builder in ``domain/statement.py``:
over the range from its balance checkpoint when the customer has one, else over the whole history; only the
lines inside the range are held, once. Dates are the agency's days.
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
# The longest statement: five years, whatever the leap years (the reports' maximum too). Its cost grows with the
# range; a longer one is refused up front with this maximum named, never left to run into the timeout.
MAX_RANGE_DAYS = 5 * 366 + 1
MAX_RANGE_WORDS = "five years"


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
    today: date | None = None,
) -> DocumentLink:
    """The statement rendered as ``fmt`` ("pdf" or "csv"), stored as the customer's document, and a link to it.
    ``today`` is the agency's day of ``now`` (its UTC day when not given)."""
    customer, built = _build(
        query,
        history=history,
        customers=customers,
        currency=currency,
        today=today or now.date(),
        limit=MAX_FILE_LINES,
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
    # A customer's statement reads its range from the balance checkpoint before it; an account statement (no
    # checkpoint per account) or a customer without complete checkpoints replays the history.
    ranged = None
    if query.account_number is None:
        ranged = history.since_checkpoint(
            query.customer_id, start=query.start, until=query.end, currency=currency, today=today
        )
    opening, records = ranged or (
        0,
        history.history(query.customer_id, until=query.end, account_number=query.account_number, today=today),
    )
    try:
        built = build_statement(
            records,
            customer_id=query.customer_id,
            currency=currency,
            start=query.start,
            end=query.end,
            account_number=query.account_number,
            max_lines=limit,
            opening=opening,
        )
    except StatementTooLargeError as exc:
        raise BusinessRuleError(
            f"this range has more than {limit:,} lines; choose a shorter range"
            + (" or ask for format=csv or pdf" if limit == MAX_INLINE_LINES else ""),
            details=[{"field": "to", "reason": "range too large"}],
        ) from exc
    return customer, built


def _validate(query: StatementQuery, today: date) -> None:
    span = (query.end - query.start).days + 1
    if span > MAX_RANGE_DAYS:
        raise BusinessRuleError(
            f"a statement covers at most {MAX_RANGE_WORDS} ({MAX_RANGE_DAYS:,} days); this range is {span:,} days",
            details=[{"field": "to", "reason": f"at most {MAX_RANGE_DAYS:,} days ({MAX_RANGE_WORDS}) after 'from'"}],
        )
    problems = []
    if query.start > query.end:
        problems.append({"field": "from", "reason": "must be on or before 'to'"})
    if query.start > today:
        problems.append({"field": "from", "reason": "must not be in the future"})
    if problems:
        raise BusinessRuleError("the statement's dates are not valid", details=problems)
