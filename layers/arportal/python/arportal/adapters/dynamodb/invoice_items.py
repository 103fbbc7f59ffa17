"""What a customer is billed: invoices, credit notes and sales orders, in the customer's partition.

    CUST#<id>  INV#<invoice_id>          invoice (OpenItems while it has a balance, ByDueDate while it is open)
               CN#<credit_note_id>       credit note (OpenItems while credit remains)
               SO#<order_id>             sales order

The items themselves are mapped by ``entity_items``. Statements read the partition by SK prefix (INV#, PAY#, CN#,
ALLOC#, see ``history.py``), invoices with a projection: their lines are not needed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

INVOICE_PREFIX = "INV#"
CREDIT_NOTE_PREFIX = "CN#"


def invoice_sk(invoice_id: str) -> str:
    return f"{INVOICE_PREFIX}{invoice_id}"


def credit_note_sk(credit_note_id: str) -> str:
    return f"{CREDIT_NOTE_PREFIX}{credit_note_id}"


def sales_order_sk(order_id: str) -> str:
    return f"SO#{order_id}"


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
