"""Payments as the duplicate rule compares them (``domain/duplicates.PaymentFacts``): each with the invoices it
paid. Payment ids are ULIDs, so ``PAY#<id>`` and ``ALLOC#<id>#...`` sort by time and a time window is a key range:
every read here is one bounded Query on the customer's partition."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, entity_items, payment_items
from arportal.adapters.dynamodb.errors import translated
from arportal.domain.duplicates import PaymentFacts, method_words
from arportal.domain.ids import id_millis, new_id
from arportal.domain.models import Payment

EARLIER_LIMIT = 25  # payments compared before one payment: more within a duplicate window is not a person paying
ALLOCATIONS_LIMIT = 200  # their allocations (a cart pays at most a few dozen invoices)


def facts_of(payments: list[Payment], invoices_of: dict[str, set[str]]) -> list[PaymentFacts]:
    return [
        PaymentFacts(
            p.payment_id,
            p.customer_id,
            p.amount,
            p.currency,
            p.created_at,
            p.status,
            frozenset(invoices_of.get(p.payment_id, ())),
            method_words(p.method.type.value, p.method.brand, p.method.last4),
            p.receipt_number,
        )
        for p in payments
    ]


def earlier_payment_facts(table: str, pk: str, payment_id: str, *, window: timedelta) -> list[PaymentFacts]:
    """The payment and those of the same partition made up to ``window`` before it (newest first, bounded), with
    their invoices: two queries that need only the payment id, so they can run beside the payment's own reads."""
    millis = id_millis(payment_id)
    if millis is None:
        return []
    prefix, _, _ = payment_id.rpartition("_")
    floor = new_id(prefix, now_ms=max(0, millis - int(window.total_seconds() * 1000)))[: len(prefix) + 11]
    payments = _query(
        table,
        pk,
        payment_items.payment_sk(floor),
        payment_items.payment_sk(payment_id),
        limit=EARLIER_LIMIT,
        newest_first=True,
    )
    allocations = _query(
        table,
        pk,
        payment_items.allocations_prefix(floor),
        payment_items.allocations_prefix(payment_id) + "\uffff",
        limit=ALLOCATIONS_LIMIT,
        newest_first=True,  # if any are cut, the oldest: the payment's own and its nearest come first
        projection="payment_id, invoice_id",
    )
    invoices_of: dict[str, set[str]] = {}
    for allocation in allocations:
        invoices_of.setdefault(str(allocation["payment_id"]), set()).add(str(allocation["invoice_id"]))
    found = [entity_items.from_item(i, Payment) for i in payments if i.get("type") == "payment"]
    return facts_of(found, invoices_of)


def _query(
    table: str,
    pk: str,
    low: str,
    high: str,
    *,
    limit: int,
    newest_first: bool = False,
    projection: str | None = None,
) -> list[dict[str, Any]]:
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
        "ExpressionAttributeValues": {":pk": {"S": pk}, ":low": {"S": low}, ":high": {"S": high}},
        "ScanIndexForward": not newest_first,
        "Limit": limit,
    }
    if projection:
        request["ProjectionExpression"] = projection
    with translated("earlier payments"):
        response = client("dynamodb").query(**request)
    return [codec.deserialize(raw) for raw in response.get("Items", [])]
