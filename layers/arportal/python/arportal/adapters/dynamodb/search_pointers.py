"""Keeping a profile's search pointers (``search_items.search_pointers``: email and phone prefix, each with the
customer's brief) in line with the profile, for every path that changes a name, email or phone: the staff and
integration writes, the portal's contact update and its email confirmation.

Two ways, by what the profile write already is:
- ``pointer_actions``: the pointers as ``TransactWriteItems`` actions, for a write that is already one
  transaction (the email confirmation): profile and pointers change together or not at all.
- ``sync_search_pointers``: one idempotent BatchWriteItem right after a single-item write (the contact update,
  whose new profile comes back from ``UpdateItem``): rewriting the pointers from the profile gives the same
  items however often it runs, so a retry repairs what a failure in between left behind.
"""

from __future__ import annotations

from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, search_items
from arportal.adapters.dynamodb.errors import translated
from arportal.domain.models import Customer


def _pointer_writes(customer: Customer) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The pointers the profile wants, and the keys of those it no longer has a detail for."""
    pointers = search_items.search_pointers(customer)
    kept = {p["SK"] for p in pointers}
    pk = customer_items.customer_pk(customer.customer_id)
    return pointers, [{"PK": pk, "SK": sk} for sk in search_items.SEARCH_POINTERS if sk not in kept]


def pointer_actions(table: str, customer: Customer) -> list[dict[str, Any]]:
    """Unconditional puts and deletes: a pointer is derived data, whatever stood there before is replaced."""
    pointers, stale = _pointer_writes(customer)
    actions: list[dict[str, Any]] = [{"Put": {"TableName": table, "Item": codec.serialize(p)}} for p in pointers]
    actions += [{"Delete": {"TableName": table, "Key": codec.serialize(key)}} for key in stale]
    return actions


def pointer_requests(customer: Customer) -> list[dict[str, Any]]:
    """The pointers as BatchWriteItem requests: puts of those the profile wants, deletes of the rest."""
    pointers, stale = _pointer_writes(customer)
    requests: list[dict[str, Any]] = [{"PutRequest": {"Item": codec.serialize(p)}} for p in pointers]
    return requests + [{"DeleteRequest": {"Key": codec.serialize(key)}} for key in stale]


def sync_search_pointers(table: str, customer: Customer) -> None:
    """Bring a profile's email and phone pointers in line with it, in one BatchWriteItem: call after any write
    that changes a profile's name, email or phone (a pointer whose detail was removed is deleted)."""
    pending: dict[str, Any] = {table: pointer_requests(customer)}
    while pending:
        with translated("search pointers"):
            response = client("dynamodb").batch_write_item(RequestItems=pending)
        pending = response.get("UnprocessedItems") or {}
