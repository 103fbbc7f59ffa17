"""Mapping between domain entities and DynamoDB items, including every index attribute.

An item is the entity's JSON fields (amounts as Numbers, dates as ISO strings) plus ``PK``/``SK``,
``type`` and the index attributes that make it findable. ``from_item`` is the exact inverse.
Sparse index attributes (``OPK`` for live items, ``DUEPK`` for open invoices) are present only while the
item is live; ``live_index_attributes`` tells an update what to SET or REMOVE.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from arportal.adapters.dynamodb import keys
from arportal.domain.balances import AccountBalance, SourceBalance
from arportal.domain.email_change import PendingEmailChange
from arportal.domain.models import (
    Account,
    AccountStatus,
    Allocation,
    CreditNote,
    Customer,
    Department,
    Document,
    Interaction,
    Invoice,
    Payment,
    Receipt,
    SalesOrder,
    SavedPaymentMethod,
    Schedule,
)
from arportal.domain.search import SearchKind
from arportal.ports import RequestClaim

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
        case Document():
            return keys.document_key(record.customer_id, record.document_id)
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
        # An unread notice is a live item, so the dashboard's one OpenItems query counts it; opening it removes it.
        case Document() if record.unread_notice:
            return {"OPK": keys.customer_pk(record.customer_id), "OSK": keys.unread_notice_osk(record.document_id)}
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
        # A day's allocations and interactions sit beside its payments in ByActivityDay: the staff reports split
        # collections by department (from allocations) and count interactions with one Query per day.
        case Allocation():
            attrs |= {
                "DAYPK": keys.activity_day_pk(record.applied_at.date()),
                "DAYSK": keys.allocation_day_sk(record.applied_at, record.payment_id, record.invoice_id),
            }
        case Interaction():
            attrs |= {
                "DAYPK": keys.activity_day_pk(record.at.date()),
                "DAYSK": keys.interaction_day_sk(record.at, record.interaction_id),
            }
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


# --- autopay, payment plans, saved payment methods, notices (issue 4) ------------------------------------------
# Kept out of ``Record``/``ENTITY_TYPES`` on purpose: none of these is a live item of the dashboard's OpenItems
# query, and each has its own small reader in ``adapters/dynamodb/{schedules,payment_methods}.py``.


def payment_method_item(method: SavedPaymentMethod) -> dict[str, Any]:
    body = _to_dynamo(method.model_dump(mode="json"))
    return {
        **body,
        "PK": keys.customer_pk(method.customer_id),
        "SK": keys.payment_method_sk(method.method_id),
        "type": "payment_method",
    }


def autopay_enrolment_item(schedule: Schedule) -> dict[str, Any]:
    """The guard that allows one autopay per account, and the run's way to find every enrolment (ByDueDate)."""
    return {
        "PK": keys.customer_pk(schedule.customer_id),
        "SK": keys.autopay_enrolment_sk(schedule.account_number),
        "type": "autopay_enrolment",
        "schedule_id": schedule.schedule_id,
        "customer_id": schedule.customer_id,
        "account_number": schedule.account_number,
        "days_before_due": schedule.days_before_due,
        "DUEPK": keys.AUTOPAY_ENROLLED,
        "DUESK": keys.autopay_enrolment_due_sk(schedule.days_before_due, schedule.customer_id, schedule.account_number),
    }


def instalment_due_items(schedule: Schedule) -> list[dict[str, Any]]:
    """One ByDueDate entry per instalment (numbered from 1), beside the invoices due the same day."""
    return [
        {
            "PK": keys.customer_pk(schedule.customer_id),
            "SK": keys.instalment_sk(schedule.schedule_id, number),
            "type": "instalment_due",
            "schedule_id": schedule.schedule_id,
            "customer_id": schedule.customer_id,
            "account_number": schedule.account_number,
            "number": number,
            "due_date": instalment.due_date.isoformat(),
            "amount": instalment.amount,
            "currency": schedule.currency,
            "DUEPK": keys.due_pk(instalment.due_date),
            "DUESK": keys.instalment_due_sk(schedule.customer_id, schedule.schedule_id, number),
        }
        for number, instalment in enumerate(schedule.instalments, start=1)
    ]


def plan_invoice_guard_item(schedule: Schedule, invoice_id: str) -> dict[str, Any]:
    return {
        "PK": keys.customer_pk(schedule.customer_id),
        "SK": keys.plan_invoice_sk(invoice_id),
        "type": "plan_invoice",
        "schedule_id": schedule.schedule_id,
        "invoice_id": invoice_id,
    }


def notice_item(
    customer_id: str, kind: str, subject: str, due: date, *, sent_at: datetime, expires_at: int
) -> dict[str, Any]:
    return {
        "PK": keys.customer_pk(customer_id),
        "SK": keys.notice_sk(kind, subject, due),
        "type": "notice",
        "kind": kind,
        "subject": subject,
        "due_date": due.isoformat(),
        "sent_at": sent_at.isoformat(),
        "expires_at": expires_at,
    }


REQUEST_CLAIM_TTL_S = 86_400  # like a processor's idempotency keys: a key names one request for a day


def request_claim_item(claim: RequestClaim, *, at: datetime) -> dict[str, Any]:
    return {
        "PK": keys.customer_pk(claim.customer_id),
        "SK": keys.request_claim_sk(claim.scope, claim.key),
        "type": "request_claim",
        "scope": claim.scope,
        "fingerprint": claim.fingerprint,
        "target_id": claim.target_id,
        "claimed_at": at.isoformat(),
        "expires_at": int(at.timestamp()) + REQUEST_CLAIM_TTL_S,
    }


# --- customer portal: pending email change (issue 3) --------------------------------------------------------


def email_change_item(pending: PendingEmailChange) -> dict[str, Any]:
    """A pending email change -> its item; ``expires_at`` (epoch seconds) is the table's TTL,
    which removes a forgotten change eventually (the service checks ``valid_until`` itself, TTL is lazy)."""
    return {
        **keys.email_change_key(pending.customer_id),
        "type": "email_change",
        "customer_id": pending.customer_id,
        "new_email": pending.new_email,
        "code_salt": pending.code_salt,
        "code_hash": pending.code_hash,
        "requested_at": pending.requested_at.isoformat(),
        "valid_until": pending.expires_at.isoformat(),
        "attempts": pending.attempts,
        "expires_at": int(pending.expires_at.timestamp()),
    }


def email_change_from_item(item: dict[str, Any]) -> PendingEmailChange:
    data = plain(item)
    return PendingEmailChange(
        customer_id=data["customer_id"],
        new_email=data["new_email"],
        code_salt=data["code_salt"],
        code_hash=data["code_hash"],
        requested_at=datetime.fromisoformat(data["requested_at"]),
        expires_at=datetime.fromisoformat(data["valid_until"]),
        attempts=int(data.get("attempts", 0)),
    )


# --- staff console: search pointers, last known balances, interaction claims (issue 5) ----------------------

SEARCH_BRIEF_FIELDS = ("customer_id", "kind", "name", "email", "phone")


def search_pointers(customer: Customer) -> list[dict[str, Any]]:
    """Small items that make a profile findable by email and phone prefix (ByName), each carrying the
    customer's brief so a prefix search needs no second read. Write them wherever a profile is written; a
    contact detail that was removed leaves a pointer to delete (``keys.SEARCH_POINTERS``)."""
    brief = {k: v for k, v in customer.model_dump(mode="json", include=set(SEARCH_BRIEF_FIELDS)).items() if v}
    pk = keys.customer_pk(customer.customer_id)
    pointers = []
    if customer.email and keys.normalise_email(customer.email):
        pointers.append(
            {
                **brief,
                "PK": pk,
                "SK": keys.EMAIL_POINTER,
                "type": "search_pointer",
                "NPK": keys.email_partition(customer.email),
                "NSK": f"{keys.normalise_email(customer.email)}#{customer.customer_id}",
            }
        )
    if customer.phone and keys.normalise_phone(customer.phone):
        pointers.append(
            {
                **brief,
                "PK": pk,
                "SK": keys.PHONE_POINTER,
                "type": "search_pointer",
                "NPK": keys.phone_partition(customer.phone),
                "NSK": f"{keys.normalise_phone(customer.phone)}#{customer.customer_id}",
            }
        )
    return pointers


def items_of(record: Record) -> list[dict[str, Any]]:
    """Every item a record is stored as: the record itself and, for a profile, its search pointers."""
    item = to_item(record)
    return [item, *search_pointers(record)] if isinstance(record, Customer) else [item]


def last_balance_item(customer_id: str, balance: SourceBalance) -> dict[str, Any]:
    """A connected system's last good answer for one customer (what is shown while the system is down)."""
    if balance.amount is None or balance.as_of is None:
        raise ValueError("only an answer with an amount is remembered")
    return {
        **keys.last_balance_key(customer_id, balance.department),
        "type": "last_balance",
        "source": balance.source,
        "department": balance.department,
        "amount": balance.amount,
        "currency": balance.currency,
        "as_of": balance.as_of.isoformat(),
        "accounts": [{"account_number": a.account_number, "amount": a.amount} for a in balance.accounts],
    }


def last_balance_from_item(item: dict[str, Any]) -> SourceBalance:
    data = plain(item)
    return SourceBalance(
        source=str(data["source"]),
        department=str(data["department"]),
        amount=int(data["amount"]),
        currency=str(data["currency"]),
        as_of=datetime.fromisoformat(str(data["as_of"])),
        fresh=False,
        accounts=tuple(AccountBalance(str(a["account_number"]), int(a["amount"])) for a in data.get("accounts", [])),
    )


def interaction_claim_item(
    interaction: Interaction, *, actor: str, idempotency_key: str, fingerprint: str
) -> dict[str, Any]:
    """Claims the Idempotency-Key for one interaction: created in the same transaction, so a key writes once."""
    return {
        **keys.interaction_claim_key(interaction.customer_id, actor, idempotency_key),
        "type": "interaction_claim",
        "interaction_id": interaction.interaction_id,
        "fingerprint": fingerprint,
    }


# --- statements (issue 3): invoices read with a projection (their lines are not needed) -------------------------
STATEMENT_INVOICE_ATTRIBUTES = (
    "invoice_id",
    "invoice_number",
    "account_number",
    "department",
    "issue_date",
    "due_date",
    "amount",
    "balance",
    "voided",
)
STATEMENT_ALLOCATION_ATTRIBUTES = ("payment_id", "invoice_id", "account_number", "amount", "applied_at")


def statement_invoice_from_item(item: dict[str, Any]) -> dict[str, Any]:
    """The projected invoice attributes as plain values: dates as ``date``, amounts as ``int``."""
    return {
        "invoice_id": str(item["invoice_id"]),
        "invoice_number": str(item["invoice_number"]),
        "account_number": str(item["account_number"]),
        "department": str(item["department"]),
        "issue_date": date.fromisoformat(str(item["issue_date"])),
        "due_date": date.fromisoformat(str(item["due_date"])),
        "amount": int(item["amount"]),
        "balance": int(item["balance"]),
        "voided": bool(item.get("voided", False)),
    }


# --- applying held credit (issue 4) ------------------------------------------------------------------------------


def credit_application_item(record: Any) -> dict[str, Any]:
    """A ``ports.CreditApplicationRecord`` as its ``CAPP#`` item (parts and invoices as plain maps)."""
    return {
        "PK": keys.customer_pk(record.customer_id),
        "SK": keys.credit_application_sk(record.application_id),
        "type": "credit_application",
        "application_id": record.application_id,
        "customer_id": record.customer_id,
        "currency": record.currency,
        "applied": record.applied,
        "credit_left": record.credit_left,
        "parts": [dict(p) for p in record.parts],
        "invoices": [dict(i) for i in record.invoices],
        "actor": record.actor,
        "at": record.at.isoformat(),
        "fingerprint": record.fingerprint,
    }


def credit_application_fields(item: dict[str, Any]) -> dict[str, Any]:
    """The ``CAPP#`` item's fields as ``ports.CreditApplicationRecord`` takes them."""
    body = plain(item)
    return {
        "application_id": str(body["application_id"]),
        "customer_id": str(body["customer_id"]),
        "currency": str(body["currency"]),
        "applied": int(body["applied"]),
        "credit_left": int(body["credit_left"]),
        "parts": tuple(body.get("parts", [])),
        "invoices": tuple(body.get("invoices", [])),
        "actor": str(body["actor"]),
        "at": datetime.fromisoformat(str(body["at"])),
        "fingerprint": str(body["fingerprint"]),
    }
