"""Statements and documents (issue 3)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from arportal.domain import models as domain_models
from arportal.domain import statement as domain_statement
from arportal.domain.models import (
    Account,
    Customer,
)
from arportal.ports.portal import Page


class StatementHistory(Protocol):
    """The reads a statement is built from: a customer's money events, streamed page by page."""

    def history(
        self, customer_id: str, *, until: date, account_number: str | None = None, today: date
    ) -> Iterator[domain_statement.LedgerEntry | domain_statement.Receivable]:
        """Every money event up to ``until`` (in no particular order), then the receivables as of ``until``.

        Bounded in memory: items are mapped as each page arrives; only what the aging needs is kept meanwhile.
        """
        ...

    def since_checkpoint(
        self, customer_id: str, *, start: date, until: date, currency: str, today: date
    ) -> tuple[int, Iterator[domain_statement.LedgerEntry | domain_statement.Receivable]] | None:
        """The customer's balance before ``start``'s month (its balance checkpoint) and the records from that month
        on, as ``history`` gives them; None when the customer's checkpoints are not complete."""
        ...

    def account(self, customer_id: str, account_number: str) -> Account | None: ...


@dataclass(frozen=True)
class RenderedFile:
    body: bytes
    content_type: str
    extension: str  # without the dot


class StatementRenderer(Protocol):
    def render(self, statement: domain_statement.Statement, customer: Customer, fmt: str) -> RenderedFile:
        """The statement as a file: ``fmt`` is "pdf" or "csv"."""
        ...


class DocumentRepository(Protocol):
    def add(self, document: domain_models.Document) -> None:
        """Record a new document; ``ConflictError`` if its id exists."""
        ...

    def get(self, customer_id: str, document_id: str) -> domain_models.Document | None:
        """The document only if it is this customer's: the key is in the customer's own partition."""
        ...

    def list(
        self,
        customer_id: str,
        *,
        kind: domain_models.DocumentKind | None,
        limit: int,
        start: dict[str, object] | None,
    ) -> Page[domain_models.Document]:
        """Newest first, ``limit`` at most, from ``start`` (a previous page's ``next_key``)."""
        ...

    def mark_read(self, customer_id: str, document_id: str, at: datetime) -> bool:
        """Record the first time the customer opened the document (conditional: later calls change nothing);
        True only for the call that recorded it."""
        ...

    def mark_stored(self, customer_id: str, document_id: str, size: int) -> bool:
        """Record the size of a document whose file was stored after its record (a receipt rendered on first
        download); conditional on none being recorded yet, True only for the call that recorded it."""
        ...
