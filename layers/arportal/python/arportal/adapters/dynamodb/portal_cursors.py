"""Where a page of one of the portal's lists may start: the keys each list hands out as cursors.

A cursor is a query's ``LastEvaluatedKey``, made opaque by the HTTP edge (``arportal.api.pagination``). Before a
cursor starts a read, the edge checks it against the list's ``PageStart`` (``arportal.ports``): the caller's own
partition, and a key this list hands out (not another list's in the same partition), so a cursor edited to start
inside someone else's records, or taken from another list (for invoices: another ordering or filter), is a 400,
never a read. Where a list resumes from a
position rather than a bare key (the invoice list's ordering), the position and its key are converted here too.
The routes get all of it through the composition root (``arportal.wiring.portal``) and never see a key's
attributes. The console's lists are ``staff_cursors.py``'s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from arportal.adapters.dynamodb import (
    customer_items,
    invoice_items,
    payment_items,
    schedule_items,
)
from arportal.domain.invoice_views import InvoiceFilter, InvoiceSort
from arportal.ports import PageStart

# --- the portal's lists ----------------------------------------------------------------------------------------

PortalList = Literal[
    "accounts", "credit_notes", "sales_orders", "payments", "schedules", "documents", "payment_methods"
]
# Each list's records; None: any key of the customer's partition (the list's query bounds where it can start).
_PORTAL_LISTS: dict[str, str | None] = {
    "accounts": customer_items.account_sk(""),
    "credit_notes": invoice_items.credit_note_sk(""),
    "sales_orders": invoice_items.sales_order_sk(""),
    "payments": payment_items.payment_sk(""),
    "schedules": schedule_items.schedule_sk(""),
    "documents": None,
    "payment_methods": None,
}
_INVOICE_PAGE_KEY = frozenset({"PK", "SK", "O", "F", "V"})


def portal_list(customer_id: str, listed: PortalList) -> PageStart:
    """One of the signed-in customer's lists: its partition, and a table key of its records."""
    partition = {"PK": customer_items.customer_pk(customer_id)}
    prefix = _PORTAL_LISTS[listed]
    if prefix is None:
        return PageStart(partition)
    return PageStart(partition, lambda key: set(key) == {"PK", "SK"} and _sort_key(key).startswith(prefix))


def invoice_list(customer_id: str, sort: InvoiceSort, where: InvoiceFilter) -> PageStart:
    """The customer's invoice list in one ordering and one filter: a cursor of another does not resume it."""
    partition = {"PK": customer_items.customer_pk(customer_id), "O": sort.value, "F": _filter_digest(where)}
    return PageStart(partition, lambda key: invoice_position(key) is not None)


def invoice_position(key: Mapping[str, Any]) -> tuple[str, str] | None:
    """The (date, invoice id) an ``invoice_key`` names (None: not one it handed out)."""
    prefix = invoice_items.INVOICE_PREFIX
    if set(key) != _INVOICE_PAGE_KEY or not _sort_key(key).startswith(prefix):
        return None
    value = str(key["V"].get("S", ""))
    try:
        date.fromisoformat(value)
    except ValueError:
        return None
    return value, _sort_key(key).removeprefix(prefix)


def invoice_key(customer_id: str, sort: InvoiceSort, where: InvoiceFilter, after: tuple[str, str]) -> dict[str, Any]:
    """Where the invoice list goes on: after ``after`` (its date in this ordering, its invoice id)."""
    value, invoice_id = after
    return {
        "PK": {"S": customer_items.customer_pk(customer_id)},
        "SK": {"S": invoice_items.invoice_sk(invoice_id)},
        "O": {"S": sort.value},
        "F": {"S": _filter_digest(where)},
        "V": {"S": value},
    }


def _filter_digest(where: InvoiceFilter) -> str:
    """The filter a cursor was given under, in a few characters (it only has to tell filters apart)."""
    named = [
        ",".join(sorted(s.value for s in where.statuses)),
        where.account_number or "",
        where.department or "",
        where.issued_from.isoformat() if where.issued_from else "",
        where.issued_to.isoformat() if where.issued_to else "",
    ]
    return hashlib.sha256("\n".join(named).encode()).hexdigest()[:16]


def _sort_key(key: Mapping[str, Any]) -> str:
    return str(key.get("SK", {}).get("S", ""))
