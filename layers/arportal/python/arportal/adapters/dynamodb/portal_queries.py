"""The customer portal's reads: only the caller's partition, only Query / GetItem / BatchGetItem, every list bounded.

Lists page in storage order with DynamoDB's own keys: a page asks for one row more than it returns, so "is
there more" is known without an empty trailing page, and a filtered list stops after ``_MAX_CALLS`` requests
with a key to resume from rather than reading on without limit. The next page starts after the last row
returned (never after rows read but not shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    codec,
    customer_items,
    document_items,
    entity_items,
    invoice_items,
    invoice_pages,
    payment_items,
    schedule_items,
)
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.tables import BY_PARENT, OPEN_ITEMS
from arportal.domain.invoice_views import InvoiceFilter, InvoicePage, InvoiceSort, PaymentFilter
from arportal.domain.models import (
    Account,
    Allocation,
    CreditNote,
    Invoice,
    Payment,
    SalesOrder,
    Schedule,
)
from arportal.ports import Page

E = TypeVar("E", bound=BaseModel)
_MAX_CALLS = 10  # requests one page may make through a sparse filter before answering with a resume key
_BATCH_GET = 100


class DynamoPortalReader:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    # --- invoices --------------------------------------------------------------------------------------

    def invoices(
        self,
        customer_id: str,
        where: InvoiceFilter,
        sort: InvoiceSort,
        *,
        today: date,
        limit: int,
        after: tuple[str, str] | None,
    ) -> InvoicePage:
        """One page, from an index in the list's order (``invoice_pages``)."""
        return invoice_pages.invoice_page(self.table, customer_id, where, sort, today=today, limit=limit, after=after)

    def invoice(self, customer_id: str, invoice_id: str) -> Invoice | None:
        return self._get(customer_id, invoice_items.invoice_sk(invoice_id), Invoice)

    def invoice_activity(
        self, customer_id: str, invoice_id: str
    ) -> tuple[list[Allocation], list[CreditNote], list[Payment]]:
        """The invoice's allocations, the credit notes applied to it and the payments: one Query of its ``ByParent``
        partition (its ``ALLOC#`` items and ``APPLIED#`` entries), then one BatchGetItem of the notes and payments."""
        request = {
            "TableName": self.table,
            "IndexName": BY_PARENT,
            "KeyConditionExpression": "PPK = :pk",
            "ExpressionAttributeValues": codec.serialize(
                {":pk": invoice_items.invoice_activity_pk(customer_id, invoice_id)}
            ),
        }
        allocations: list[Allocation] = []
        keys: list[str] = []
        for raw in self._all(request, "invoice activity"):
            if raw.get("type") == "allocation":
                allocation = entity_items.from_item(raw, Allocation)
                allocations.append(allocation)
                keys.append(payment_items.payment_sk(allocation.payment_id))
            elif raw.get("type") == "credit_applied":
                keys.append(invoice_items.credit_note_sk(str(raw["credit_note_id"])))
        related = [entity_items.entity_of(raw) for raw in self._raw_by_key(customer_id, keys)]
        notes = [r for r in related if isinstance(r, CreditNote)]
        return allocations, notes, [r for r in related if isinstance(r, Payment)]

    # --- payments --------------------------------------------------------------------------------------

    def payments(
        self, customer_id: str, where: PaymentFilter, *, limit: int, start: dict[str, object] | None
    ) -> Page[Payment]:
        request = self._partition_query(customer_id, payment_items.payment_sk(""), forward=False)
        conditions: list[str] = []
        values: dict[str, Any] = {}
        names: dict[str, str] = {}
        if where.made_from is not None or where.made_to is not None:
            names["#created"] = "created_at"
        if where.made_from is not None:
            conditions.append("#created >= :from")
            values[":from"] = where.made_from.isoformat()
        if where.made_to is not None:  # created_at is an ISO timestamp: before the next day means on or before
            conditions.append("#created < :to")
            values[":to"] = (where.made_to + timedelta(days=1)).isoformat()
        if where.statuses:
            placeholders = [f":s{i}" for i in range(len(where.statuses))]
            conditions.append(f"#status IN ({', '.join(placeholders)})")
            names["#status"] = "status"
            values |= {p: s.value for p, s in zip(placeholders, sorted(where.statuses), strict=True)}
        if conditions:
            request["FilterExpression"] = " AND ".join(conditions)
            request["ExpressionAttributeValues"] |= codec.serialize(values)
        if names:
            request["ExpressionAttributeNames"] = names
        return self._page(request, Payment, limit=limit, start=start, filtered=bool(conditions))

    def payment(self, customer_id: str, payment_id: str) -> Payment | None:
        return self._get(customer_id, payment_items.payment_sk(payment_id), Payment)

    def payment_allocations(self, customer_id: str, payment_id: str) -> list[Allocation]:
        request = self._partition_query(customer_id, payment_items.allocation_sk(payment_id, ""))
        return [entity_items.from_item(raw, Allocation) for raw in self._all(request, "payment allocations")]

    def credit_from_payment(self, customer_id: str, payment_id: str) -> CreditNote | None:
        # The note holding a payment's overpayment shares its ULID (services.payments.credit_note_id_for).
        credit_note_id = "cn_" + payment_id.removeprefix("pay_")
        return self._get(customer_id, invoice_items.credit_note_sk(credit_note_id), CreditNote)

    def receipt_document_id(self, customer_id: str, receipt_number: str) -> str | None:
        """The receipt's PDF, listed under the receipt in ``ByParent``: one Query for the latest filed."""
        request = {
            "TableName": self.table,
            "IndexName": BY_PARENT,
            "KeyConditionExpression": "PPK = :pk",
            "ExpressionAttributeValues": codec.serialize(
                {":pk": document_items.receipts_pk(customer_id, receipt_number)}
            ),
            "ScanIndexForward": False,  # document ids sort by time: the latest rendering first
            "Limit": 1,
        }
        with translated("receipt document"):
            found = client("dynamodb").query(**request).get("Items", [])
        return str(codec.deserialize(found[0])["document_id"]) if found else None

    # --- other lists -----------------------------------------------------------------------------------

    def credit_notes(self, customer_id: str, *, limit: int, start: dict[str, object] | None) -> Page[CreditNote]:
        request = self._partition_query(customer_id, invoice_items.credit_note_sk(""), forward=False)
        return self._page(request, CreditNote, limit=limit, start=start)

    def sales_orders(self, customer_id: str, *, limit: int, start: dict[str, object] | None) -> Page[SalesOrder]:
        request = self._partition_query(customer_id, invoice_items.sales_order_sk(""), forward=False)
        return self._page(request, SalesOrder, limit=limit, start=start)

    def schedules(self, customer_id: str, *, limit: int, start: dict[str, object] | None) -> Page[Schedule]:
        request = self._partition_query(customer_id, schedule_items.schedule_sk(""), forward=False)
        return self._page(request, Schedule, limit=limit, start=start)

    def accounts(self, customer_id: str, *, limit: int, start: dict[str, object] | None) -> Page[Account]:
        request = self._partition_query(customer_id, customer_items.account_sk(""))
        return self._page(request, Account, limit=limit, start=start)

    def open_balances(self, customer_id: str) -> tuple[list[Invoice], list[CreditNote]]:
        request = {
            "TableName": self.table,
            "IndexName": OPEN_ITEMS,
            "KeyConditionExpression": "OPK = :pk",
            "ExpressionAttributeValues": codec.serialize({":pk": customer_items.customer_pk(customer_id)}),
        }
        live = [entity_items.entity_of(raw) for raw in self._all(request, "open items")]
        return [r for r in live if isinstance(r, Invoice)], [r for r in live if isinstance(r, CreditNote)]

    # --- helpers ---------------------------------------------------------------------------------------

    def _partition_query(self, customer_id: str, prefix: str, *, forward: bool = True) -> dict[str, Any]:
        return {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": codec.serialize(
                {":pk": customer_items.customer_pk(customer_id), ":prefix": prefix}
            ),
            "ScanIndexForward": forward,
        }

    def _get(self, customer_id: str, sk: str, cls: type[E]) -> E | None:
        with translated("read record"):
            response = client("dynamodb").get_item(
                TableName=self.table, Key=codec.serialize({"PK": customer_items.customer_pk(customer_id), "SK": sk})
            )
        item = response.get("Item")
        return entity_items.from_item(codec.deserialize(item), cls) if item else None

    def _all(self, request: dict[str, Any], operation: str) -> list[dict[str, Any]]:
        """Every page, to the end: what it reads is one record's own items or the customer's live items."""
        found: list[dict[str, Any]] = []
        while True:
            with translated(operation):
                response = client("dynamodb").query(**request)
            found.extend(codec.deserialize(raw) for raw in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _raw_by_key(self, customer_id: str, sort_keys: Sequence[str]) -> list[dict[str, Any]]:
        """Items of the customer's partition by sort key, in BatchGetItems of 100."""
        wanted = list(dict.fromkeys(sort_keys))  # BatchGetItem refuses a key named twice
        pk = customer_items.customer_pk(customer_id)
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), _BATCH_GET):
            chunk = [codec.serialize({"PK": pk, "SK": sk}) for sk in wanted[start : start + _BATCH_GET]]
            pending: dict[str, Any] = {self.table: {"Keys": chunk}}
            while pending:
                with translated("read records"):
                    response = client("dynamodb").batch_get_item(RequestItems=pending)
                found.extend(codec.deserialize(raw) for raw in response.get("Responses", {}).get(self.table, []))
                pending = response.get("UnprocessedKeys") or {}
        return found

    def _page(
        self,
        request: dict[str, Any],
        cls: type[E],
        *,
        limit: int,
        start: dict[str, object] | None,
        filtered: bool = False,
    ) -> Page[E]:
        if start:
            request["ExclusiveStartKey"] = start
        rows: list[dict[str, Any]] = []
        for _ in range(_MAX_CALLS):
            # One more than the page, so a full page knows whether another follows; a filter may drop
            # most of what is read, so then read in larger steps.
            request["Limit"] = max(limit + 1 - len(rows), 100 if filtered else 1)
            with translated("list records"):
                response = client("dynamodb").query(**request)
            rows.extend(response.get("Items", []))
            if len(rows) > limit:
                shown = rows[:limit]
                return Page([self._entity(r, cls) for r in shown], _key_of(shown[-1]))
            last = response.get("LastEvaluatedKey")
            if last is None:
                return Page([self._entity(r, cls) for r in rows], None)
            request["ExclusiveStartKey"] = last
        return Page([self._entity(r, cls) for r in rows], request["ExclusiveStartKey"])

    @staticmethod
    def _entity(raw: dict[str, Any], cls: type[E]) -> E:
        return entity_items.from_item(codec.deserialize(raw), cls)


def _key_of(raw: dict[str, Any]) -> dict[str, object]:
    """The table key of a raw (wire-format) item: where a query resumes after it."""
    return {"PK": raw["PK"], "SK": raw["SK"]}
