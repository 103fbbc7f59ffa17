"""DynamoDB implementations of what the agency's systems read back by key: payments with their allocations
(``PaymentReadbackStore``) and invoices (``InvoiceBalanceStore``).

Both read only keys they can name, never a scan: a page of payments is one BatchGetItem per 100 payments, then
one Query of ``ALLOC#<payment_id>#`` per payment (the allocations are the payment's, in its owner's partition; a
payment names no invoices of its own), sent together on a few threads, so a page of 50 payments costs about the
latency of a few Queries. Invoices are one BatchGetItem per 100 keys, strongly consistent: a back end compares
balances to act on the differences.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, invoice_items, payment_items
from arportal.adapters.dynamodb.errors import translated
from arportal.domain.models import Allocation, Invoice, Payment
from arportal.ports.readback import PaymentRef, PaymentWithAllocations

BATCH_GET = 100  # keys a BatchGetItem
ALLOCATION_READERS = 8  # Queries at once (threads share the one client, which is thread-safe)
GUEST = "GUEST"  # the partition of payments made without a customer record


class DynamoPaymentReadback:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def payments(self, wanted: Sequence[PaymentRef]) -> dict[str, PaymentWithAllocations]:
        keys = [{"PK": _owner_pk(ref.customer_id), "SK": payment_items.payment_sk(ref.payment_id)} for ref in wanted]
        found = [
            entity_items.from_item(item, Payment)
            for item in batch_items(self.table, keys, consistent=False)
            if item.get("type") == "payment"
        ]
        if not found:
            return {}
        with ThreadPoolExecutor(max_workers=min(ALLOCATION_READERS, len(found))) as pool:
            allocations = list(pool.map(self._allocations, found))
        return {p.payment_id: PaymentWithAllocations(p, a) for p, a in zip(found, allocations, strict=True)}

    def _allocations(self, payment: Payment) -> list[Allocation]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": codec.serialize(
                {
                    ":pk": _owner_pk(payment.customer_id),
                    ":prefix": payment_items.allocations_prefix(payment.payment_id),
                }
            ),
        }
        found: list[Allocation] = []
        while True:
            with translated("read allocations"):
                response = client("dynamodb").query(**request)
            found += [entity_items.from_item(codec.deserialize(raw), Allocation) for raw in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


class DynamoInvoiceBalances:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def invoices(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Invoice]:
        wanted = [
            {"PK": customer_items.customer_pk(customer_id), "SK": invoice_items.invoice_sk(invoice_id)}
            for customer_id, invoice_id in keys
        ]
        found: dict[tuple[str, str], Invoice] = {}
        for item in batch_items(self.table, wanted, consistent=True):
            if item.get("type") == "invoice":
                invoice = entity_items.from_item(item, Invoice)
                found[(invoice.customer_id, invoice.invoice_id)] = invoice
        return found


def batch_items(table: str, keys: Sequence[dict[str, str]], *, consistent: bool) -> list[dict[str, Any]]:
    """The items of ``keys`` that exist (each key read once), one BatchGetItem per 100 keys, unprocessed keys
    asked again."""
    unique = list({(k["PK"], k["SK"]): k for k in keys}.values())
    found: list[dict[str, Any]] = []
    for start in range(0, len(unique), BATCH_GET):
        chunk = unique[start : start + BATCH_GET]
        pending: dict[str, Any] = {table: {"Keys": [codec.serialize(k) for k in chunk], "ConsistentRead": consistent}}
        while pending:
            with translated("read by key"):
                response = client("dynamodb").batch_get_item(RequestItems=pending)
            found += [codec.deserialize(raw) for raw in response.get("Responses", {}).get(table, [])]
            pending = response.get("UnprocessedKeys") or {}
    return found


def _owner_pk(customer_id: str | None) -> str:
    return customer_items.customer_pk(customer_id) if customer_id else GUEST
