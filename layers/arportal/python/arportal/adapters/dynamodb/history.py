"""The reads behind an account statement. A customer's statement with complete balance checkpoints reads only its
range (``since_checkpoint``: ``statement_range.py``). Otherwise (an account statement, or a customer whose months
are not complete yet) the whole history: its invoices, credit notes, payments (and, when needed, their
allocations), streamed page by page into ledger entries. No Scan: each is a Query of the customer's partition by
sort-key prefix, filtered on the date attribute so little after the statement's end crosses the wire. The builder
sorts the lines of the range once (see docs/data-model.md, "Statements").

Order and rules: ``domain/statement_reading.py`` (allocations when needed, adjustments, credit notes, payments,
invoices). A statement that ends before today also reads what happened since (every allocation, credit note and
payment, not only those up to the end): the aging as of the end is today's balances with those later movements
taken back out.

Memory: items are mapped as each 1 MB page arrives. What is kept meanwhile: the allocations (for an account
statement or one ending before today), the adjustments, the overpayment holds until their payment streams past,
and per-invoice corrections; never the invoices themselves (they come last and are aged as they arrive).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    codec,
    customer_items,
    entity_items,
    invoice_items,
    payment_items,
    staff_action_items,
)
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.statement_range import RangeReader, allocation_facts
from arportal.domain.agency_time import AgencyTime
from arportal.domain.models import Account, CreditNote, Payment
from arportal.domain.statement_reading import (
    AdjustmentFacts,
    InvoiceFacts,
    Record,
    StatementReading,
)
from arportal.domain.status import PaymentStatus

_NO_MONEY_MOVED = frozenset({PaymentStatus.FAILED.value, PaymentStatus.VOIDED.value})


class DynamoStatementHistory:
    def __init__(self, table_name: str, *, time: AgencyTime | None = None) -> None:
        self.table = table_name
        self.time = time or AgencyTime()  # statements are dated by the agency's calendar

    def account(self, customer_id: str, account_number: str) -> Account | None:
        with translated("get account"):
            response = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize(
                    {"PK": customer_items.customer_pk(customer_id), "SK": customer_items.account_sk(account_number)}
                ),
            )
        item = response.get("Item")
        return entity_items.from_item(codec.deserialize(item), Account) if item else None

    def history(
        self, customer_id: str, *, until: date, account_number: str | None = None, today: date
    ) -> Iterator[Record]:
        """The statement's records, read in the order ``StatementReading`` folds them (see its module)."""
        reading = StatementReading(until=until, account_number=account_number, day=self.time.day)
        past = until < today  # what happened since the end must be taken back out of today's figures
        if account_number is not None or past:
            for alloc in self._allocations(customer_id):
                reading.allocation(allocation_facts(alloc, self.time))
        for facts in self._adjustments(customer_id):
            reading.adjustment(facts)
        # Credit issued or payments made after the end may have paid an invoice that was open at the end.
        later = None if past else until
        for raw in self._query(customer_id, invoice_items.CREDIT_NOTE_PREFIX, "issued_on", later, account_number):
            yield from reading.credit_note(entity_items.from_item(raw, CreditNote))
        for raw in self._query(customer_id, payment_items.PAYMENT_PREFIX, "created_at", later, None):
            if raw.get("type") != "payment":
                continue
            if raw.get("status") in _NO_MONEY_MOVED:
                # skipped before validation: declined attempts are common and never shown
                reading.payment_without_money(str(raw["payment_id"]))
                continue
            yield from reading.payment(entity_items.from_item(raw, Payment))
        yield from reading.payments_done()
        for raw in self._query(
            customer_id, invoice_items.INVOICE_PREFIX, "issue_date", until, account_number, projected=True
        ):
            yield from reading.invoice(InvoiceFacts(**invoice_items.statement_invoice_from_item(raw)))
        yield from reading.finish()

    def since_checkpoint(
        self, customer_id: str, *, start: date, until: date, currency: str, today: date
    ) -> tuple[int, Iterator[Record]] | None:
        """The balance before ``start``'s month (its checkpoint) and the records from that month on, or None when
        the customer's checkpoints are not complete (``history`` then reads everything)."""
        reader = RangeReader(self.table, self.time, self._adjustments)
        opening = reader.opening(customer_id, currency, start)
        if opening is None:
            return None
        return opening, reader.records(customer_id, start=start, until=until, today=today)

    # --- reads -----------------------------------------------------------------------------------------------

    def _adjustments(self, customer_id: str) -> Iterator[AdjustmentFacts]:
        for raw in self._query(customer_id, staff_action_items.ADJUSTMENT_PREFIX, "at", None, None, projected=False):
            if raw.get("type") == "adjustment":
                yield AdjustmentFacts(
                    adjustment_id=str(raw["adjustment_id"]),
                    invoice_id=str(raw["invoice_id"]),
                    kind=str(raw["kind"]),
                    amount=int(raw["amount"]),
                    on=self.time.day(datetime.fromisoformat(str(raw["at"]))),
                    note=str(raw.get("note", "")),
                )

    def _query(
        self,
        customer_id: str,
        prefix: str,
        date_attribute: str,
        until: date | None,
        account_number: str | None,
        *,
        projected: bool = False,
    ) -> Iterator[dict[str, Any]]:
        names: dict[str, str] = {}
        values: dict[str, Any] = {":pk": customer_items.customer_pk(customer_id), ":prefix": prefix}
        conditions = []
        if until is not None:
            # ISO dates and timestamps compare as strings. Timestamps are UTC and ``until`` is the agency's day,
            # which may end up to a day later in UTC: "< two days on" keeps all of it (the reading drops the rest).
            names["#d"] = date_attribute
            values[":after"] = (until + timedelta(days=2)).isoformat()
            conditions.append("#d < :after")
        if account_number is not None:
            names["#acct"] = "account_number"
            values[":acct"] = account_number
            conditions.append("#acct = :acct")
        request: dict[str, Any] = {"FilterExpression": " AND ".join(conditions)} if conditions else {}
        if projected:
            attributes = invoice_items.STATEMENT_INVOICE_ATTRIBUTES
            names |= {f"#p{i}": name for i, name in enumerate(attributes)}
            request["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(attributes)))
        yield from self._pages(request, names, values)

    def _allocations(self, customer_id: str) -> Iterator[dict[str, Any]]:
        attributes = payment_items.STATEMENT_ALLOCATION_ATTRIBUTES
        names = {f"#p{i}": name for i, name in enumerate(attributes)}
        request = {"ProjectionExpression": ", ".join(names)}
        values = {":pk": customer_items.customer_pk(customer_id), ":prefix": payment_items.ALLOCATION_PREFIX}
        yield from self._pages(request, names, values)

    def _pages(
        self, request: dict[str, Any], names: dict[str, str], values: dict[str, Any]
    ) -> Iterator[dict[str, Any]]:
        request = {
            **request,
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": codec.serialize(values),
        }
        if names:
            request["ExpressionAttributeNames"] = names
        while True:
            with translated("statement history"):
                response = client("dynamodb").query(**request)
            for raw in response.get("Items", []):
                yield codec.deserialize(raw)
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
