"""A statement of 10,000 lines: time and peak memory (tracemalloc) to build it and answer it as JSON, and to
build it, render the PDF and store it as a document.

The reads go through the real DynamoDB adapter's mapping (``DynamoStatementHistory``) with the network replaced
by pre-built items, so the figures are this code's cost; DynamoDB adds ~1 MB pages of reads (10,000 lines of
~600-byte items: ~6 pages per prefix, tens of milliseconds each in AWS). Peak memory counts only what the
statement allocates (the pre-built items exist before measuring starts).
"""

from __future__ import annotations

import os
import random
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from arportal.adapters.dynamodb import entity_items, payment_items
from arportal.adapters.dynamodb.history import DynamoStatementHistory
from arportal.domain.models import (
    Channel,
    CreditNote,
    Customer,
    Document,
    Invoice,
    InvoiceLine,
    MethodDetail,
    Payment,
    PaymentMethodType,
    StatusChange,
)
from arportal.domain.status import PaymentStatus
from arportal.ports import Page
from arportal.services import statements

LINES = 10_000
CUSTOMER_ID = "CUS-BENCH0001"
START, END = date(2025, 1, 1), date(2025, 12, 31)
NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)


def _ledger(lines: int, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Items by sort-key prefix: 40 % invoices, 50 % payments, 10 % credit notes in the year, plus history."""
    rng = random.Random(seed)
    by_prefix: dict[str, list[dict[str, Any]]] = {p: [] for p in ("INV#", "PAY#", "CN#", "ALLOC#")}
    for i in range(lines + lines // 10):
        day = START + timedelta(days=rng.randint(-365, -1) if i >= lines else rng.randint(0, 364))
        amount = rng.randint(1_000, 90_000)
        kind = rng.random()
        if kind < 0.4:
            line = InvoiceLine(description="Water usage", fee_code="WATER", unit_amount=amount, amount=amount)
            record: Any = Invoice(
                invoice_id=f"inv_{i:026d}",
                invoice_number=f"UT-2025-{i:06d}",
                customer_id=CUSTOMER_ID,
                account_number="UT-200001",
                department="utilities",
                issue_date=day,
                due_date=day + timedelta(days=30),
                currency="USD",
                lines=[line],
                amount=amount,
                balance=amount,
            )
            by_prefix["INV#"].append(entity_items.to_item(record))
        elif kind < 0.9:
            at = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
            record = Payment(
                payment_id=f"pay_{i:026d}",
                customer_id=CUSTOMER_ID,
                amount=amount,
                currency="USD",
                method=MethodDetail(type=PaymentMethodType.CARD, brand="visa", last4="4242"),
                channel=Channel.PORTAL,
                status=PaymentStatus.SETTLED,
                history=[StatusChange(status=PaymentStatus.SETTLED, at=at, by="processor")],
                processor="sandbox",
                receipt_number=f"R-2501-{i:06d}",
                created_at=at,
            )
            by_prefix["PAY#"].append(entity_items.to_item(record))
        else:
            record = CreditNote(
                credit_note_id=f"cn_{i:026d}",
                number=f"CN-{i:06d}",
                customer_id=CUSTOMER_ID,
                account_number="UT-200001",
                department="utilities",
                currency="USD",
                amount=amount,
                remaining=amount,
                reason="Leak adjustment credit",
                issued_on=day,
            )
            by_prefix["CN#"].append(entity_items.to_item(record))
    return by_prefix


class _PrebuiltHistory(DynamoStatementHistory):
    """The adapter with its Query pages served from memory."""

    def __init__(self, by_prefix: dict[str, list[dict[str, Any]]]) -> None:
        super().__init__("bench")
        self.by_prefix = by_prefix

    def _query(self, customer_id: str, prefix: str, *_: Any, **__: Any) -> Iterator[dict[str, Any]]:
        yield from self.by_prefix.get(prefix, [])  # no adjustments (ADJ#) in this ledger

    def _allocations(self, customer_id: str) -> Iterator[dict[str, Any]]:
        yield from self.by_prefix[payment_items.ALLOCATION_PREFIX]

    def account(self, customer_id: str, account_number: str) -> None:
        return None

    def since_checkpoint(self, *_: Any, **__: Any) -> None:
        return None  # the whole history, from memory: this bench measures building 10,000 lines


class _Customers:
    customer = Customer(customer_id=CUSTOMER_ID, name="Bench Example")

    def get(self, customer_id: str) -> Customer:
        return self.customer

    def snapshot(self, customer_id: str, *, recent_payments: int = 5) -> None:
        return None


class _Store:
    def __init__(self) -> None:
        self.sizes: dict[str, int] = {}

    def put(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> None:
        self.sizes[key] = len(body)

    def url(self, key: str, *, filename: str, expires_in: int = 300) -> str:
        return f"https://example.invalid/{key}"


class _Documents:
    def add(self, document: Document) -> None:
        self.last = document

    def get(self, customer_id: str, document_id: str) -> Document | None:
        return None

    def list(self, customer_id: str, **_: Any) -> Page[Document]:
        return Page([], None)


def _json(history: _PrebuiltHistory) -> int:
    from portal_api.schemas_statements import statement_json

    query = statements.StatementQuery(CUSTOMER_ID, START, END)
    built = statements.statement(query, history=history, customers=_Customers(), currency="USD", today=NOW.date())
    assert built.line_count == LINES, built.line_count
    return len(statement_json(built).encode())


def _pdf(history: _PrebuiltHistory) -> int:
    from arportal.adapters.pdf.statement import render_statement_pdf
    from portal_api.routes.statements import StatementFiles

    store = _Store()
    statements.statement_file(
        statements.StatementQuery(CUSTOMER_ID, START, END),
        "pdf",
        history=history,
        customers=_Customers(),
        renderer=StatementFiles(lambda s, c: render_statement_pdf(s, agency_name="City of Springfield", customer=c)),
        store=store,
        documents=_Documents(),
        currency="USD",
        now=NOW,
    )
    return next(iter(store.sizes.values()))


def _measure(task: Callable[[_PrebuiltHistory], int], history: _PrebuiltHistory) -> dict[str, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    size = task(history)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    tracemalloc.start()
    try:
        task(history)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),  # what this process used: steadier than wall time on a busy machine
        "peak_mib": round(peak / 2**20, 1),
        "output_bytes": size,
    }


def run() -> dict[str, object]:
    history = _PrebuiltHistory(_ledger(LINES))
    return {
        "lines": LINES,
        "items_read": sum(len(v) for v in history.by_prefix.values()),
        "json": _measure(_json, history),
        "pdf": _measure(_pdf, history),
        "load_average_1m": round(os.getloadavg()[0], 2),  # the machine is shared: read the seconds with this
        "note": "time without tracemalloc; peak memory from a second run under tracemalloc; network excluded",
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
