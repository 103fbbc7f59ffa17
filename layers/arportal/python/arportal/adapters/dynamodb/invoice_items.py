"""What a customer is billed: invoices, credit notes and sales orders, in the customer's partition.

    CUST#<id>  INV#<invoice_id>          invoice (OpenItems while it has a balance, ByDueDate while it is open)
               CN#<credit_note_id>       credit note (OpenItems while credit remains)
               APPLIED#<cn_id>#<inv_id>  the credit note applied to the invoice: its entry in the invoice's
                                         ByParent partition (the note holds the applications themselves)
               SO#<order_id>             sales order

Every invoice is listed twice, by keys that never change after it is issued: ``ByParent`` PPK =
``INVOICES#CUST#<id>``, PSK = ``<due date>#<invoice_id>``, and ``ByActivityDay`` DAYPK = ``ISSUED#CUST#<id>``,
DAYSK = ``<issue date>#<invoice_id>``: a page of the portal's list in either order is one Query. Whether it is
paid is in ``OpenItems`` (OSK ``INV#<due date>#<invoice_id>`` while it has a balance), so the unpaid statuses
page through that index. An invoice's allocations and credit entries share ``CUST#<id>#INV#<invoice_id>``.

The items themselves are mapped by ``entity_items``. Statements read the partition by SK prefix (INV#, PAY#, CN#,
ALLOC#, see ``history.py``), invoices with a projection: their lines are not needed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from arportal.adapters.dynamodb import customer_items

INVOICE_PREFIX = "INV#"
CREDIT_NOTE_PREFIX = "CN#"
APPLIED_PREFIX = "APPLIED#"
OPEN_INVOICE_PREFIX = "INV#"  # OpenItems OSK of an unpaid invoice: INV#<due date>#<invoice_id>


def invoice_sk(invoice_id: str) -> str:
    return f"{INVOICE_PREFIX}{invoice_id}"


def credit_note_sk(credit_note_id: str) -> str:
    return f"{CREDIT_NOTE_PREFIX}{credit_note_id}"


def sales_order_sk(order_id: str) -> str:
    return f"SO#{order_id}"


def invoices_by_due_pk(customer_id: str) -> str:
    """``ByParent`` partition of the customer's invoices, ordered by ``position_sk(due date, id)``."""
    return f"INVOICES#{customer_items.customer_pk(customer_id)}"


def invoices_by_issue_pk(customer_id: str) -> str:
    """``ByActivityDay`` partition of the customer's invoices, ordered by ``position_sk(issue date, id)``."""
    return f"ISSUED#{customer_items.customer_pk(customer_id)}"


def position_sk(day: date | str, invoice_id: str) -> str:
    return f"{day if isinstance(day, str) else day.isoformat()}#{invoice_id}"


def open_invoice_osk(due: date | str, invoice_id: str) -> str:
    return f"{OPEN_INVOICE_PREFIX}{position_sk(due, invoice_id)}"


def invoice_activity_pk(customer_id: str, invoice_id: str) -> str:
    """``ByParent`` partition of one invoice's allocations and credit entries."""
    return f"{customer_items.customer_pk(customer_id)}#INV#{invoice_id}"


def list_attributes(customer_id: str, invoice_id: str, due: date, issued: date) -> dict[str, str]:
    """The index attributes that list an invoice (set when it is written; its dates never change)."""
    return {
        "PPK": invoices_by_due_pk(customer_id),
        "PSK": position_sk(due, invoice_id),
        "DAYPK": invoices_by_issue_pk(customer_id),
        "DAYSK": position_sk(issued, invoice_id),
    }


def applied_credit_item(customer_id: str, credit_note_id: str, invoice_id: str) -> dict[str, Any]:
    """``APPLIED#<cn_id>#<invoice_id>``: the note's entry among the invoice's items; written (again, harmlessly)
    whenever the note is applied to the invoice, in the same transaction."""
    sk = f"{APPLIED_PREFIX}{credit_note_id}#{invoice_id}"
    return {
        "PK": customer_items.customer_pk(customer_id),
        "SK": sk,
        "type": "credit_applied",
        "credit_note_id": credit_note_id,
        "invoice_id": invoice_id,
        "PPK": invoice_activity_pk(customer_id, invoice_id),
        "PSK": sk,
    }


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
