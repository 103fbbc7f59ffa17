"""Mapping between domain entities and DynamoDB items, including every index attribute.

An item is the entity's JSON fields (amounts as Numbers, dates as ISO strings) plus ``PK``/``SK``,
``type`` and the index attributes that make it findable. ``from_item`` is the exact inverse.
Sparse index attributes (``OPK`` for live items, ``DUEPK`` for open invoices) are present only while the
item is live; ``live_index_attributes`` tells an update what to SET or REMOVE.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from arportal.adapters.dynamodb import keys
from arportal.domain.models import (
    Account,
    AccountStatus,
    Allocation,
    CreditNote,
    Customer,
    Department,
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
}
TYPE_OF: dict[type[BaseModel], str] = {cls: name for name, cls in ENTITY_TYPES.items()}
KEY_ATTRIBUTES = frozenset(
    {"PK", "SK", "type", "XK", "XSK", "DAYPK", "DAYSK", "DUEPK", "DUESK", "OPK", "OSK", "NPK", "NSK"}
)


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):  # never: money is integer minor units
        raise TypeError("floats are not stored; use integer minor units")
    if isinstance(value, dict):
        return {k: _to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_to_dynamo(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """DynamoDB values back to JSON types (Decimal -> int; the ledger stores no fractions)."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, set):
        return sorted(plain(v) for v in value)
    return value


def primary_key(record: Record) -> dict[str, str]:
    match record:
        case Customer():
            return keys.profile_key(record.customer_id)
        case Account():
            return {"PK": keys.customer_pk(record.customer_id), "SK": keys.account_sk(record.account_number)}
        case Invoice():
            return {"PK": keys.customer_pk(record.customer_id), "SK": keys.invoice_sk(record.invoice_id)}
        case Payment():
            pk = keys.customer_pk(record.customer_id) if record.customer_id else "GUEST"
            return {"PK": pk, "SK": keys.payment_sk(record.payment_id)}
        case Allocation():
            pk = keys.customer_pk(record.customer_id) if record.customer_id else "GUEST"
            return {"PK": pk, "SK": keys.allocation_sk(record.payment_id, record.invoice_id)}
        case Receipt():
            pk = keys.customer_pk(record.customer_id) if record.customer_id else "GUEST"
            return {"PK": pk, "SK": keys.receipt_sk(record.receipt_number)}
        case CreditNote():
            return {
                "PK": keys.customer_pk(record.customer_id),
                "SK": keys.credit_note_sk(record.credit_note_id),
            }
        case SalesOrder():
            return {"PK": keys.customer_pk(record.customer_id), "SK": keys.sales_order_sk(record.order_id)}
        case Schedule():
            return {"PK": keys.customer_pk(record.customer_id), "SK": keys.schedule_sk(record.schedule_id)}
        case Interaction():
            return {
                "PK": keys.customer_pk(record.customer_id),
                "SK": keys.interaction_sk(record.interaction_id),
            }
        case Department():
            return keys.department_key(record.code)
    raise TypeError(f"no key for {type(record).__name__}")


def live_index_attributes(record: Record) -> dict[str, str]:
    """The sparse-index attributes a record has while it is live (empty when it is not)."""
    match record:
        case Customer():
            return {"OPK": keys.customer_pk(record.customer_id), "OSK": keys.PROFILE}
        case Account() if record.status is AccountStatus.ACTIVE:
            return {
                "OPK": keys.customer_pk(record.customer_id),
                "OSK": keys.account_sk(record.account_number),
            }
        case Invoice() if record.balance > 0 and not record.voided:
            pk = keys.customer_pk(record.customer_id)
            return {
                "OPK": pk,
                "OSK": f"INV#{record.due_date.isoformat()}#{record.invoice_id}",
                "DUEPK": keys.due_pk(record.due_date),
                "DUESK": f"{pk}#{record.invoice_id}",
            }
        case CreditNote() if record.remaining > 0:
            return {
                "OPK": keys.customer_pk(record.customer_id),
                "OSK": keys.credit_note_sk(record.credit_note_id),
            }
        case Schedule() if record.active:
            return {"OPK": keys.customer_pk(record.customer_id), "OSK": keys.schedule_sk(record.schedule_id)}
    return {}


SPARSE_ATTRIBUTES = ("OPK", "OSK", "DUEPK", "DUESK")


def index_attributes(record: Record) -> dict[str, Any]:
    attrs: dict[str, Any] = dict(live_index_attributes(record))
    match record:
        case Customer():
            attrs |= {"XK": keys.external_key(record.customer_id), "XSK": SearchKind.CUSTOMER_ID.value}
            attrs |= {
                "NPK": keys.name_partition(record.name),
                "NSK": f"{keys.normalise_name(record.name)}#{record.customer_id}",
            }
        case Account():
            attrs |= {"XK": keys.external_key(record.account_number), "XSK": SearchKind.ACCOUNT_NUMBER.value}
        case Invoice():
            attrs |= {"XK": keys.external_key(record.invoice_number), "XSK": SearchKind.INVOICE_NUMBER.value}
        case Payment():
            attrs |= {"XK": keys.external_key(record.payment_id), "XSK": SearchKind.PAYMENT_ID.value}
            attrs |= {
                "DAYPK": keys.activity_day_pk(record.created_at.date()),
                "DAYSK": keys.activity_day_sk(record.created_at, record.payment_id),
            }
        case Receipt():
            attrs |= {"XK": keys.external_key(record.receipt_number), "XSK": SearchKind.RECEIPT_NUMBER.value}
    return attrs


def to_item(record: Record) -> dict[str, Any]:
    # Payment items keep channel, status, terminal_id and departments as top-level attributes, which
    # is what lets the activity index filter on them without a second read.
    body = _to_dynamo(record.model_dump(mode="json"))
    return {**body, **primary_key(record), **index_attributes(record), "type": TYPE_OF[type(record)]}


def transaction_pointer(payment: Payment) -> dict[str, Any] | None:
    """A small item that makes a payment findable by the processor's transaction id."""
    if not payment.transaction_id:
        return None
    pk = keys.customer_pk(payment.customer_id) if payment.customer_id else "GUEST"
    return {
        "PK": pk,
        "SK": f"TXN#{payment.transaction_id}",
        "type": "transaction",
        "XK": keys.external_key(payment.transaction_id),
        "XSK": SearchKind.TRANSACTION_ID.value,
        "payment_id": payment.payment_id,
        "transaction_id": payment.transaction_id,
    }


def from_item(item: dict[str, Any], expected: type[E]) -> E:
    body = {k: plain(v) for k, v in item.items() if k not in KEY_ATTRIBUTES and k != "expires_at"}
    return expected.model_validate(body)


def entity_of(item: dict[str, Any]) -> Record | None:
    cls = ENTITY_TYPES.get(str(item.get("type")))
    return from_item(item, cls) if cls else None  # type: ignore[return-value]
