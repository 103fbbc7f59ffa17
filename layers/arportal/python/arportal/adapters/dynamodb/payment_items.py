"""Money received: payments, their allocations to invoices, receipts, and what the processor reports.

    CUST#<id> | GUEST   PAY#<payment_id>                    payment (GUEST: paid without a customer record)
                        ALLOC#<payment_id>#<invoice_id>     one allocation of a payment to an invoice
                        RCPT#<receipt_number>               receipt
                        TXN#<transaction_id>                pointer: the payment of a processor transaction
    TXNREF#<transaction_id>          TXNREF      the payment of a processor transaction, by its id alone: settlement
                                                 reads a payout's charges 100 at a time (BatchGetItem)
    PROCEVT#<processor>#<event_id>   PROCEVT     a processor webhook event that was applied (TTL: 90 days)
    PAYINTENT#<charge key>           PAYINTENT   a payment about to be charged, keyed by the processor's
                                                 idempotency key (``<scope>:<Idempotency-Key>``);
                                                 open -> posted | closed

ByParent lists the payments that stand pending or failed, per currency and status, newest last, so the exceptions
report lists the newest of a range with one Query each: PPK = EXCEPTIONS#<currency>#<status>, PSK = <created_at,
fixed-width UTC>#<payment_id>. The entry is written with the payment in that status and removed by the write that
moves it on (``status_changes``, ``staff_actions``); no other write moves a payment out of pending.

ByActivityDay holds payments (DAYSK <created_at>#<payment_id>) and allocations (DAYSK
<applied_at>#<payment_id>#<invoice_id>) beside interactions, so a day's collections are one Query per day.
Open intents are in OpenItems: OPK = PAYINTENTS#OPEN, OSK = <created_at, fixed-width UTC>#<charge key>, so the
reconciler reads the open intents older than a cut-off with one key-condition query, oldest first.
Payments, allocations and receipts themselves are mapped by ``entity_items``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arportal.adapters.dynamodb import customer_items, movement_items, table_layout
from arportal.domain.models import Payment
from arportal.domain.reports import EXCEPTIONS
from arportal.domain.search import SearchKind
from arportal.domain.status import PaymentStatus

PAYMENT_PREFIX = "PAY#"
ALLOCATION_PREFIX = "ALLOC#"
OPEN_INTENTS = "PAYINTENTS#OPEN"
STATEMENT_ALLOCATION_ATTRIBUTES = ("payment_id", "invoice_id", "account_number", "amount", "applied_at")


def payment_sk(payment_id: str) -> str:
    return f"{PAYMENT_PREFIX}{payment_id}"


def allocation_sk(payment_id: str, invoice_id: str) -> str:
    return f"{ALLOCATION_PREFIX}{payment_id}#{invoice_id}"


def allocations_prefix(payment_id: str) -> str:
    """The SK prefix of every allocation of one payment."""
    return f"{ALLOCATION_PREFIX}{payment_id}#"


def receipt_sk(receipt_number: str) -> str:
    return f"RCPT#{receipt_number}"


def activity_day_sk(at: datetime, payment_id: str) -> str:
    return f"{at.isoformat()}#{payment_id}"


def drawer_pk(terminal_id: str, drawer_id: str) -> str:
    """OpenItems partition of the counter payments taken into one drawer (OSK = ``activity_day_sk``)."""
    return f"DRAWERPAY#{terminal_id}#{drawer_id}"


def allocation_day_sk(at: datetime, payment_id: str, invoice_id: str) -> str:
    return f"{at.isoformat()}#{payment_id}#{invoice_id}"


def transaction_pointer(payment: Payment) -> dict[str, Any] | None:
    """A small item that makes a payment findable by the processor's transaction id."""
    if not payment.transaction_id:
        return None
    pk = customer_items.customer_pk(payment.customer_id) if payment.customer_id else "GUEST"
    return {
        "PK": pk,
        "SK": f"TXN#{payment.transaction_id}",
        "type": "transaction",
        "XK": table_layout.external_key(payment.transaction_id),
        "XSK": SearchKind.TRANSACTION_ID.value,
        "payment_id": payment.payment_id,
        "transaction_id": payment.transaction_id,
    }


def transaction_ref_key(transaction_id: str) -> dict[str, str]:
    return {"PK": f"TXNREF#{transaction_id}", "SK": "TXNREF"}


def transaction_ref(payment: Payment) -> dict[str, Any] | None:
    """The payment of a processor transaction, keyed by the transaction id alone (no customer needed to find it)."""
    if not payment.transaction_id:
        return None
    return {
        **transaction_ref_key(payment.transaction_id),
        "type": "transaction_ref",
        "payment_id": payment.payment_id,
        "customer_id": payment.customer_id,
        "transaction_id": payment.transaction_id,
    }


def processor_event_key(processor: str, event_id: str) -> dict[str, str]:
    return {"PK": f"PROCEVT#{processor}#{event_id}", "SK": "PROCEVT"}


def payment_intent_key(charge_key: str) -> dict[str, str]:
    return {"PK": f"PAYINTENT#{charge_key}", "SK": "PAYINTENT"}


def open_intent_osk(created_at: datetime, charge_key: str) -> str:
    return f"{table_layout.index_time(created_at)}#{charge_key}"


def exception_list_pk(currency: str, status: PaymentStatus) -> str:
    return f"EXCEPTIONS#{currency}#{status.value}"


def exception_list_psk(created_at: datetime, payment_id: str) -> str:
    return f"{movement_items.instant(created_at)}#{payment_id}"


def exception_list_attributes(payment: Payment) -> dict[str, str]:
    """The payment's entry in the exceptions list while it stands pending or failed (else none)."""
    if payment.status not in EXCEPTIONS:
        return {}
    return {
        "PPK": exception_list_pk(payment.currency, payment.status),
        "PSK": exception_list_psk(payment.created_at, payment.payment_id),
    }


def exception_list_change(before: Payment, after: Payment) -> tuple[list[str], list[str], dict[str, str]]:
    """The SET and REMOVE clauses (and values) that move a payment's exceptions-list entry with its status."""
    listed = exception_list_attributes(after)
    if listed:
        return ["PPK = :ppk", "PSK = :psk"], [], {":ppk": listed["PPK"], ":psk": listed["PSK"]}
    if before.status in EXCEPTIONS:
        return [], ["PPK", "PSK"], {}
    return [], [], {}
