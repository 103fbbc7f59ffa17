"""A customer's statement read from its balance checkpoint: the months before the range (one Query), then only what
moved since the range's month began (``movement_items``: one Query of ``ByName`` under ``MOVED#CUST#<id>``),
fed to the same ``StatementReading`` as the whole history would be.

What else the reading needs, and how it is found without the history:
- the customer's adjustments: one Query of ``ADJ#`` (few; as the whole read does);
- what is open now and was not touched since (an invoice still owed, credit still held): the customer's
  ``OpenItems`` (one Query: live items only);
- the other half of a pair, when one moved and the other did not: a payment's overpayment hold and the payment
  of a hold, and the payment of an allocation read (a ``BatchGetItem``);
- for a statement ending before today, the whole of each payment a later refund or reversal took back from
  (its ``ALLOC#`` items: which stretch of it went back decides which invoice was open at the end);
- an invoice the reading has a correction for that was not read (credit a later giveback made owed again).
Lines before the range's month are dropped: the checkpoint holds them.

Known limit: an invoice made owed again by a refund or void of spent overpayment credit (the ``shortfall``) before
the range's month, and untouched since, is not in the aging (the closing balance is right).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    balance_checkpoints,
    codec,
    customer_items,
    entity_items,
    invoice_items,
    movement_items,
    payment_items,
)
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.tables import BY_NAME, OPEN_ITEMS
from arportal.domain.agency_time import AgencyTime
from arportal.domain.balance_checkpoints import month_of, month_start
from arportal.domain.models import CreditNote, Payment
from arportal.domain.statement import LedgerEntry, givebacks, held_from_payment
from arportal.domain.statement_reading import AllocationFacts, InvoiceFacts, Record, StatementReading

_NO_MONEY_MOVED = frozenset({"failed", "voided"})
_BATCH_GET = 100


def allocation_facts(alloc: dict[str, Any], time: AgencyTime) -> AllocationFacts:
    """What a statement reads of a stored allocation (``ALLOC#`` item), dated by the agency's day."""
    return AllocationFacts(
        payment_id=str(alloc["payment_id"]),
        invoice_id=str(alloc["invoice_id"]),
        account_number=str(alloc["account_number"]),
        amount=int(alloc["amount"]),
        applied_on=time.day(datetime.fromisoformat(str(alloc["applied_at"]))),
    )


class RangeReader:
    def __init__(self, table: str, time: AgencyTime, adjustments: Any) -> None:
        self.table = table
        self.time = time
        self.adjustments = adjustments  # () -> the customer's ADJ# items (history.py's Query)

    def opening(self, customer_id: str, currency: str, start: date) -> int | None:
        request = balance_checkpoints.opening_request(self.table, customer_id, currency, month_of(start))
        return balance_checkpoints.opening_of(self._pages(request, "balance checkpoint"))

    def records(self, customer_id: str, *, start: date, until: date, today: date) -> Iterator[Record]:
        first_day = month_start(month_of(start))
        moved = self._moved_since(customer_id, first_day)
        by_type: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in ("invoice", "payment", "credit_note")}
        allocations: dict[str, list[dict[str, Any]]] = {}
        for item in [*moved, *self._open_now(customer_id)]:
            kind = str(item.get("type"))
            if kind == "allocation":
                allocations.setdefault(str(item["payment_id"]), []).append(item)
            elif kind in by_type:
                by_type[kind][str(item["SK"])] = item
        self._partners(customer_id, by_type, allocations)
        past = until < today
        if past:
            self._whole_payments_taken_back(customer_id, by_type["payment"].values(), allocations, until)
        reading = StatementReading(until=until, day=self.time.day)
        for record in self._fed(reading, customer_id, by_type, allocations if past else {}):
            if isinstance(record, LedgerEntry) and record.on < first_day:
                continue  # in the checkpoint
            yield record

    # --- the reading, in its order -------------------------------------------------------------------------

    def _fed(
        self,
        reading: StatementReading,
        customer_id: str,
        by_type: dict[str, dict[str, dict[str, Any]]],
        allocations: dict[str, list[dict[str, Any]]],
    ) -> Iterator[Record]:
        for items in allocations.values():
            for alloc in items:
                reading.allocation(allocation_facts(alloc, self.time))
        for facts in self.adjustments(customer_id):
            reading.adjustment(facts)
        for raw in by_type["credit_note"].values():
            yield from reading.credit_note(entity_items.from_item(raw, CreditNote))
        for raw in by_type["payment"].values():
            if raw.get("status") in _NO_MONEY_MOVED:
                reading.payment_without_money(str(raw["payment_id"]))
            else:
                yield from reading.payment(entity_items.from_item(raw, Payment))
        yield from reading.payments_done()
        for raw in by_type["invoice"].values():
            yield from reading.invoice(InvoiceFacts(**invoice_items.statement_invoice_from_item(raw)))
        missing = [invoice_items.invoice_sk(i) for i in reading.corrections]
        for raw in self._get(customer_id, missing):
            yield from reading.invoice(InvoiceFacts(**invoice_items.statement_invoice_from_item(raw)))
        yield from reading.finish()

    # --- reads ---------------------------------------------------------------------------------------------

    def _moved_since(self, customer_id: str, first_day: date) -> Iterator[dict[str, Any]]:
        began = datetime.combine(first_day, time(0), tzinfo=self.time.tz)  # the agency's midnight
        request = {
            "TableName": self.table,
            "IndexName": BY_NAME,
            "KeyConditionExpression": "NPK = :pk AND NSK >= :since",
            "ExpressionAttributeValues": codec.serialize(
                {":pk": movement_items.moved_pk(customer_id), ":since": movement_items.instant(began)}
            ),
        }
        return self._pages(request, "statement movements")

    def _open_now(self, customer_id: str) -> Iterator[dict[str, Any]]:
        request = {
            "TableName": self.table,
            "IndexName": OPEN_ITEMS,
            "KeyConditionExpression": "OPK = :pk",
            "FilterExpression": "#type IN (:invoice, :note)",
            "ExpressionAttributeNames": {"#type": "type"},
            "ExpressionAttributeValues": codec.serialize(
                {":pk": customer_items.customer_pk(customer_id), ":invoice": "invoice", ":note": "credit_note"}
            ),
        }
        return self._pages(request, "statement open items")

    def _partners(
        self,
        customer_id: str,
        by_type: dict[str, dict[str, dict[str, Any]]],
        allocations: dict[str, list[dict[str, Any]]],
    ) -> None:
        """Holds of the payments read, payments of the holds and allocations read: one BatchGetItem."""
        payments, notes = by_type["payment"], by_type["credit_note"]
        wanted = {payment_items.payment_sk(p) for p in allocations}
        for raw in payments.values():
            if int(raw.get("unapplied", 0)) > 0:
                wanted.add(invoice_items.credit_note_sk(_hold_id(str(raw["payment_id"]))))
        for raw in notes.values():
            paid_by = held_from_payment(str(raw.get("reason", "")))
            if paid_by:
                wanted.add(payment_items.payment_sk(paid_by))
        for raw in self._get(customer_id, sorted(wanted - set(payments) - set(notes))):
            (payments if raw.get("type") == "payment" else notes)[str(raw["SK"])] = raw

    def _whole_payments_taken_back(
        self,
        customer_id: str,
        payments: Iterable[dict[str, Any]],
        allocations: dict[str, list[dict[str, Any]]],
        until: date,
    ) -> None:
        """A giveback after the end reopens invoices by the payment's stretches: all its allocations are needed."""
        for raw in payments:
            if raw.get("status") in _NO_MONEY_MOVED:
                continue
            payment = entity_items.from_item(raw, Payment)
            if any(self.time.day(g.at) > until for g in givebacks(payment)):
                prefix = payment_items.allocations_prefix(payment.payment_id)
                request = {
                    "TableName": self.table,
                    "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
                    "ExpressionAttributeValues": codec.serialize(
                        {":pk": customer_items.customer_pk(customer_id), ":prefix": prefix}
                    ),
                }
                allocations[payment.payment_id] = list(self._pages(request, "payment allocations"))

    def _get(self, customer_id: str, sort_keys: list[str]) -> Iterator[dict[str, Any]]:
        pk = customer_items.customer_pk(customer_id)
        for start in range(0, len(sort_keys), _BATCH_GET):
            keys = [codec.serialize({"PK": pk, "SK": sk}) for sk in sort_keys[start : start + _BATCH_GET]]
            pending: dict[str, Any] = {self.table: {"Keys": keys}}
            while pending:
                with translated("statement records"):
                    response = client("dynamodb").batch_get_item(RequestItems=pending)
                for raw in response.get("Responses", {}).get(self.table, []):
                    yield codec.deserialize(raw)
                pending = response.get("UnprocessedKeys") or {}

    def _pages(self, request: dict[str, Any], operation: str) -> Iterator[dict[str, Any]]:
        request = dict(request)
        while True:
            with translated(operation):
                response = client("dynamodb").query(**request)
            for raw in response.get("Items", []):
                yield codec.deserialize(raw)
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _hold_id(payment_id: str) -> str:
    """The credit note holding a payment's overpayment (``services/payments.credit_note_id_for``)."""
    return "cn_" + payment_id.removeprefix("pay_")
