"""Mapping between the ledger's entities (the ``Record`` union) and DynamoDB items, with every index attribute.

An item is the entity's JSON fields plus ``PK``/``SK``, ``type`` and the index attributes that make it findable
(see ``table_layout``); ``from_item`` is the exact inverse. Keys come from each aggregate's ``*_items`` module;
this module only dispatches on the record's type. Sparse index attributes (``OPK`` for live items, ``DUEPK``
for open invoices) are present only while the item is live; ``live_index_attributes`` tells an update what to
SET or REMOVE.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from arportal.adapters.dynamodb import (
    customer_items,
    document_items,
    interaction_items,
    invoice_items,
    movement_items,
    payment_items,
    schedule_items,
    search_items,
    table_layout,
)
from arportal.domain.models import (
    Account,
    AccountStatus,
    Allocation,
    CreditNote,
    Customer,
    Department,
    Document,
    DocumentKind,
    Interaction,
    Invoice,
    Payment,
    Receipt,
    SalesOrder,
    Schedule,
)
from arportal.domain.search import SearchKind

Record = (
    Customer
    | Account
    | Invoice
    | Payment
    | Allocation
    | Receipt
    | CreditNote
    | SalesOrder
    | Schedule
    | Interaction
    | Department
    | Document
)
E = TypeVar("E", bound=BaseModel)

ENTITY_TYPES: dict[str, type[BaseModel]] = {
    "customer": Customer,
    "account": Account,
    "invoice": Invoice,
    "payment": Payment,
    "allocation": Allocation,
    "receipt": Receipt,
    "credit_note": CreditNote,
    "sales_order": SalesOrder,
    "schedule": Schedule,
    "interaction": Interaction,
    "department": Department,
    "document": Document,
}
TYPE_OF: dict[type[BaseModel], str] = {cls: name for name, cls in ENTITY_TYPES.items()}


def primary_key(record: Record) -> dict[str, str]:
    match record:
        case Customer():
            return customer_items.profile_key(record.customer_id)
        case Account():
            return {
                "PK": customer_items.customer_pk(record.customer_id),
                "SK": customer_items.account_sk(record.account_number),
            }
        case Invoice():
            return {
                "PK": customer_items.customer_pk(record.customer_id),
                "SK": invoice_items.invoice_sk(record.invoice_id),
            }
        case Payment():
            pk = customer_items.customer_pk(record.customer_id) if record.customer_id else "GUEST"
            return {"PK": pk, "SK": payment_items.payment_sk(record.payment_id)}
        case Allocation():
            pk = customer_items.customer_pk(record.customer_id) if record.customer_id else "GUEST"
            return {"PK": pk, "SK": payment_items.allocation_sk(record.payment_id, record.invoice_id)}
        case Receipt():
            pk = customer_items.customer_pk(record.customer_id) if record.customer_id else "GUEST"
            return {"PK": pk, "SK": payment_items.receipt_sk(record.receipt_number)}
        case CreditNote():
            return {
                "PK": customer_items.customer_pk(record.customer_id),
                "SK": invoice_items.credit_note_sk(record.credit_note_id),
            }
        case SalesOrder():
            return {
                "PK": customer_items.customer_pk(record.customer_id),
                "SK": invoice_items.sales_order_sk(record.order_id),
            }
        case Schedule():
            return {
                "PK": customer_items.customer_pk(record.customer_id),
                "SK": schedule_items.schedule_sk(record.schedule_id),
            }
        case Interaction():
            return {
                "PK": customer_items.customer_pk(record.customer_id),
                "SK": interaction_items.interaction_sk(record.interaction_id),
            }
        case Department():
            return table_layout.department_key(record.code)
        case Document():
            return document_items.document_key(record.customer_id, record.document_id)
    raise TypeError(f"no key for {type(record).__name__}")


def live_index_attributes(record: Record) -> dict[str, str]:
    """The sparse-index attributes a record has while it is live (empty when it is not)."""
    match record:
        case Customer():
            return {"OPK": customer_items.customer_pk(record.customer_id), "OSK": customer_items.PROFILE}
        case Account() if record.status is AccountStatus.ACTIVE:
            return {
                "OPK": customer_items.customer_pk(record.customer_id),
                "OSK": customer_items.account_sk(record.account_number),
            }
        case Invoice() if record.balance > 0 and not record.voided:
            pk = customer_items.customer_pk(record.customer_id)
            return {
                "OPK": pk,
                "OSK": f"INV#{record.due_date.isoformat()}#{record.invoice_id}",
                "DUEPK": table_layout.due_pk(record.due_date),
                "DUESK": f"{pk}#{record.invoice_id}",
            }
        case CreditNote() if record.remaining > 0:
            return {
                "OPK": customer_items.customer_pk(record.customer_id),
                "OSK": invoice_items.credit_note_sk(record.credit_note_id),
            }
        case Schedule() if record.active:
            return {
                "OPK": customer_items.customer_pk(record.customer_id),
                "OSK": schedule_items.schedule_sk(record.schedule_id),
            }
        # An unread notice is a live item, so the dashboard's one OpenItems query counts it; opening it removes it.
        case Document() if record.unread_notice:
            return {
                "OPK": customer_items.customer_pk(record.customer_id),
                "OSK": document_items.unread_notice_osk(record.document_id),
            }
    return {}


def index_attributes(record: Record) -> dict[str, Any]:
    attrs: dict[str, Any] = dict(live_index_attributes(record))
    attrs |= movement_items.moved_attributes(record)  # what a statement reads since its range began
    match record:
        case Customer():
            attrs |= {"XK": table_layout.external_key(record.customer_id), "XSK": SearchKind.CUSTOMER_ID.value}
            attrs |= {
                "NPK": search_items.name_partition(record.name),
                "NSK": f"{search_items.normalise_name(record.name)}#{record.customer_id}",
            }
        case Account():
            attrs |= {"XK": table_layout.external_key(record.account_number), "XSK": SearchKind.ACCOUNT_NUMBER.value}
        case Invoice():
            attrs |= {"XK": table_layout.external_key(record.invoice_number), "XSK": SearchKind.INVOICE_NUMBER.value}
            attrs |= invoice_items.list_attributes(
                record.customer_id, record.invoice_id, record.due_date, record.issue_date
            )
        case Payment():
            attrs |= {"XK": table_layout.external_key(record.payment_id), "XSK": SearchKind.PAYMENT_ID.value}
            attrs |= {
                "DAYPK": table_layout.activity_day_pk(record.created_at.date()),
                "DAYSK": payment_items.activity_day_sk(record.created_at, record.payment_id),
            }
            attrs |= payment_items.exception_list_attributes(record)  # while pending or failed
            # A counter payment taken into a drawer is also listed under its drawer, in time order, so the
            # drawer's close reads only that drawer's payments since its last close (drawer_items).
            if record.terminal_id and record.drawer_id:
                attrs |= {
                    "OPK": payment_items.drawer_pk(record.terminal_id, record.drawer_id),
                    "OSK": payment_items.activity_day_sk(record.created_at, record.payment_id),
                }
        case Receipt():
            attrs |= {"XK": table_layout.external_key(record.receipt_number), "XSK": SearchKind.RECEIPT_NUMBER.value}
        # A day's allocations and interactions sit beside its payments in ByActivityDay: the daily totals' rebuild
        # folds a day's payments with their allocations and recounts its interactions with one Query per day.
        case Allocation():
            attrs |= {
                "DAYPK": table_layout.activity_day_pk(record.applied_at.date()),
                "DAYSK": payment_items.allocation_day_sk(record.applied_at, record.payment_id, record.invoice_id),
            }
            if record.customer_id:  # among the invoice's items: its detail reads them with one Query
                attrs |= {
                    "PPK": invoice_items.invoice_activity_pk(record.customer_id, record.invoice_id),
                    "PSK": payment_items.allocation_sk(record.payment_id, record.invoice_id),
                }
        # A receipt's PDF is listed under the receipt, so a payment's detail finds it with one Query.
        case Document() if record.kind is DocumentKind.RECEIPT and record.reference:
            attrs |= document_items.receipt_document_attributes(
                record.customer_id, record.reference, record.document_id
            )
        case Interaction():
            attrs |= {
                "DAYPK": table_layout.activity_day_pk(record.at.date()),
                "DAYSK": interaction_items.interaction_day_sk(record.at, record.interaction_id),
            }
    return attrs


def to_item(record: Record) -> dict[str, Any]:
    # Payment items keep channel, status, terminal_id and departments as top-level attributes, which
    # is what lets the activity index filter on them without a second read.
    body = table_layout.to_dynamo(record.model_dump(mode="json"))
    return {**body, **primary_key(record), **index_attributes(record), "type": TYPE_OF[type(record)]}


def items_of(record: Record) -> list[dict[str, Any]]:
    """Every item a record is stored as: the record itself and, for a profile, its search pointers; for a credit
    note, its entry among the items of each invoice it was applied to."""
    item = to_item(record)
    if isinstance(record, Customer):
        return [item, *search_items.search_pointers(record)]
    if isinstance(record, CreditNote):
        invoices = dict.fromkeys(a.invoice_id for a in record.applications)
        note = record.credit_note_id
        return [item, *(invoice_items.applied_credit_item(record.customer_id, note, i) for i in invoices)]
    return [item]


def from_item(item: dict[str, Any], expected: type[E]) -> E:
    body = {
        k: table_layout.plain(v) for k, v in item.items() if k not in table_layout.KEY_ATTRIBUTES and k != "expires_at"
    }
    return expected.model_validate(body)


def entity_of(item: dict[str, Any]) -> Record | None:
    cls = ENTITY_TYPES.get(str(item.get("type")))
    return from_item(item, cls) if cls else None  # type: ignore[return-value]
