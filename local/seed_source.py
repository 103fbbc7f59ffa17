"""The demo agency as its own systems hold it: the records they load through the integration API.

The generator (``seed_data``) makes the agency as the ledger will hold it once loaded and once its history has
happened. This module splits that into what the agency's systems own, sent as ``POST /v1/integrations/*:batch``
records (customers, accounts, invoices, credit notes, sales orders; documents come from ``seed_documents``), and
what the platform owns: departments, payments with their allocations and receipts, autopay and plans, and the
money those applied to the loaded invoices and credit notes (``paid``, ``credited``, applications).

Loaded records get the platform ids the batch service derives from the source's numbers
(``domain/source_identity.entity_id_for``), so the generator names them before anything is loaded: an allocation
of a seeded payment points at the invoice the door will create.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from arportal.domain.models import Account, CreditNote, Customer, Invoice, InvoiceLine, PostalAddress, SalesOrder
from arportal.domain.source_identity import entity_id_for
from arportal.domain.source_records import SourceCreditNote, SourceInvoice, SourceKind, SourceSalesOrder

SEED_ACTOR = "system:demo-seed"  # who the audit trail says loaded the demo agency (channel: integration)
SOURCE_VERSION = 1  # the demo's systems hold each record at its first version
# The order a system loads in: what a record names is loaded before it.
LOAD_ORDER = (
    SourceKind.CUSTOMER,
    SourceKind.ACCOUNT,
    SourceKind.INVOICE,
    SourceKind.CREDIT_NOTE,
    SourceKind.SALES_ORDER,
    SourceKind.DOCUMENT,
)
LOADED_TYPES = (Customer, Account, Invoice, CreditNote, SalesOrder)
SourceBatch = list[tuple[SourceKind, dict[str, Any]]]


def invoice_id(number: str) -> str:
    """The id the batch service gives the invoice the source numbers ``number``."""
    return entity_id_for(SourceInvoice.model_construct(invoice_number=number))


def credit_note_id(number: str) -> str:
    return entity_id_for(SourceCreditNote.model_construct(number=number))


def order_id(number: str) -> str:
    return entity_id_for(SourceSalesOrder.model_construct(number=number))


def is_loaded(record: object) -> bool:
    """Whether the agency's systems own ``record`` (it is loaded through the door) rather than the platform."""
    return isinstance(record, LOADED_TYPES)


def source_records(records: Iterable[object]) -> SourceBatch:
    """Every loaded record as its system sends it, in load order (a stable sort: the generator's order within a
    kind is kept)."""
    found = [(kind, body) for kind, body in (_source(r) for r in records if is_loaded(r))]
    return sorted(found, key=lambda pair: LOAD_ORDER.index(pair[0]))


def _source(record: object) -> tuple[SourceKind, dict[str, Any]]:
    match record:
        case Customer():
            return SourceKind.CUSTOMER, _customer(record)
        case Account():
            return SourceKind.ACCOUNT, _account(record)
        case Invoice():
            return SourceKind.INVOICE, _invoice(record)
        case CreditNote():
            return SourceKind.CREDIT_NOTE, _credit_note(record)
        case SalesOrder():
            return SourceKind.SALES_ORDER, _sales_order(record)
    raise TypeError(f"{type(record).__name__} is the platform's, not the source's")


def _customer(customer: Customer) -> dict[str, Any]:
    body: dict[str, Any] = {"customer_id": customer.customer_id, "kind": customer.kind.value, "name": customer.name}
    if customer.email:
        body["email"] = customer.email
    if customer.phone:
        body["phone"] = customer.phone
    if customer.address:
        body["address"] = _address(customer.address)
    return _versioned(body)


def _account(account: Account) -> dict[str, Any]:
    body: dict[str, Any] = {
        "account_number": account.account_number,
        "customer_id": account.customer_id,
        "department": account.department,
        "description": account.description,
        "status": account.status.value,
        "opened_on": account.opened_on.isoformat(),
    }
    if account.service_address:
        body["service_address"] = _address(account.service_address)
    return _versioned(body)


def _invoice(invoice: Invoice) -> dict[str, Any]:
    # Only what the source billed: paid, credited and the balance are the platform's (applied after loading).
    body: dict[str, Any] = {
        "invoice_number": invoice.invoice_number,
        "customer_id": invoice.customer_id,
        "account_number": invoice.account_number,
        "department": invoice.department,
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "currency": invoice.currency,
        "lines": list(_lines(invoice.lines)),
        "amount": invoice.amount,
        "status": "void" if invoice.voided else "open",
    }
    body |= _period(invoice.period_start, invoice.period_end)
    return _versioned(body)


def _credit_note(note: CreditNote) -> dict[str, Any]:
    return _versioned(
        {
            "number": note.number,
            "customer_id": note.customer_id,
            "account_number": note.account_number,
            "department": note.department,
            "currency": note.currency,
            "amount": note.amount,
            "reason": note.reason,
            "issued_on": note.issued_on.isoformat(),
        }
    )


def _sales_order(order: SalesOrder) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": order.number,
        "customer_id": order.customer_id,
        "account_number": order.account_number,
        "department": order.department,
        "order_date": order.order_date.isoformat(),
        "currency": order.currency,
        "lines": list(_lines(order.lines)),
        "total": order.total,
    }
    body |= _period(order.period_start, order.period_end)
    return _versioned(body)


def _lines(lines: Iterable[InvoiceLine]) -> Iterator[dict[str, Any]]:
    for line in lines:
        yield {
            "description": line.description,
            "fee_code": line.fee_code,
            "kind": line.kind.value,
            "quantity": line.quantity,
            "unit_amount": line.unit_amount,
            "amount": line.amount,
        }


def _address(address: PostalAddress) -> dict[str, Any]:
    return address.model_dump(mode="json", exclude_none=True)


def _period(start: date | None, end: date | None) -> dict[str, str]:
    if start is None or end is None:
        return {}
    return {"period_start": start.isoformat(), "period_end": end.isoformat()}


def _versioned(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "source_version": SOURCE_VERSION}
