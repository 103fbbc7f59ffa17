"""The reads behind an account statement: a customer's invoices, credit notes, payments (and, when needed, their
allocations), streamed page by page into ledger entries. No Scan: each is a Query of the customer's partition by
sort-key prefix, filtered on the date attribute so nothing after the statement's end crosses the wire.

Why not a date-ordered index: the opening balance needs every money event before the range anyway, so a Query
from a date would not save the reads, and an extra index would cost a write on every ledger item. The builder
sorts the lines of the range once (see docs/data-model.md, "Statements").

Memory: items are mapped as each 1 MB page arrives. What is kept meanwhile is bounded by the customer's
open items: the invoices that may still be open at the statement's end, and (for an account statement or a
statement ending before today) per-payment and per-invoice sums of allocations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, items, keys
from arportal.adapters.dynamodb.errors import translated
from arportal.domain.models import Account, CreditNote, Payment
from arportal.domain.statement import (
    LedgerEntry,
    Receivable,
    adjustment_entry,
    credit_application_entries,
    credit_entry,
    debit_adjustment,
    invoice_entry,
    payment_entries,
)
from arportal.domain.status import PaymentStatus

Record = LedgerEntry | Receivable
_NO_MONEY_MOVED = frozenset({PaymentStatus.FAILED.value, PaymentStatus.VOIDED.value})


@dataclass
class _OpenInvoice:
    number: str
    due_date: date
    balance: int  # now; the allocations and credit applied after the statement's end are added back


@dataclass
class _Reading:
    """What one statement read keeps while the pages stream past."""

    until: date
    account_number: str | None
    keep_closed: bool  # the statement ends before today: an invoice paid since may have been open then
    later_applied: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # invoice -> after ``until``
    applied_to_account: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # payment -> to account
    open_at_end: dict[str, _OpenInvoice] = field(default_factory=dict)
    credit_left: int = 0
    adjustments: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))  # by invoice

    def adjustment(self, record: dict[str, Any]) -> None:
        self.adjustments[str(record["invoice_id"])].append(record)

    def allocation(self, alloc: dict[str, Any]) -> None:
        if str(alloc["applied_at"])[:10] > self.until.isoformat():
            self.later_applied[str(alloc["invoice_id"])] += int(alloc["amount"])
        if alloc["account_number"] == self.account_number:
            self.applied_to_account[str(alloc["payment_id"])] += int(alloc["amount"])

    def invoice(self, invoice: dict[str, Any]) -> Iterator[Record]:
        adjustments = self.adjustments.pop(invoice["invoice_id"], [])
        if invoice.pop("voided"):
            return  # a voided invoice was never owed
        balance = invoice.pop("balance")
        # A debit adjustment added a line to the invoice: the invoice's line is what it was issued for.
        invoice["amount"] -= sum(debit_adjustment(str(a["kind"]), int(a["amount"])) for a in adjustments)
        entry = invoice_entry(**invoice)
        for record in adjustments:
            adjusted = adjustment_entry(
                adjustment_id=str(record["adjustment_id"]),
                kind=str(record["kind"]),
                amount=int(record["amount"]),
                on=date.fromisoformat(str(record["at"])[:10]),
                invoice_number=entry.reference,
                account_number=entry.account_number,
                note=str(record.get("note", ""))[:120],
            )
            if adjusted.on > self.until:  # the balance at the end did not have it yet
                self.later_applied[entry.source_id] -= adjusted.effect
            yield adjusted
        if balance > 0 or self.keep_closed:
            self.open_at_end[entry.source_id] = _OpenInvoice(entry.reference, invoice["due_date"], balance)
        yield entry

    def credit_note(self, note: CreditNote) -> Iterator[Record]:
        if note.issued_on > self.until:
            self.later_applied.update(
                {a.invoice_id: self.later_applied[a.invoice_id] + a.amount for a in note.applications}
            )
            return
        credit = credit_entry(note, include_overpayment_holds=self.account_number is not None)
        if credit is not None:
            yield credit
        yield from credit_application_entries(note)
        # Held overpayments are credit too: the aging counts what is left of every note.
        left = note.amount
        for application in note.applications:
            if application.applied_at.date() <= self.until:
                left -= application.amount
            else:
                self.later_applied[application.invoice_id] += application.amount
        self.credit_left += left

    def payment(self, payment: Payment) -> Iterator[Record]:
        if self.account_number is None:
            yield from payment_entries(payment)
        elif payment.payment_id in self.applied_to_account:
            yield from payment_entries(payment, applied=self.applied_to_account[payment.payment_id])

    def receivables(self) -> Iterator[Record]:
        for invoice_id, facts in self.open_at_end.items():
            balance = facts.balance + self.later_applied.get(invoice_id, 0)
            if balance > 0:
                yield Receivable(balance, facts.due_date, facts.number)
        if self.credit_left > 0:
            yield Receivable(-self.credit_left)


class DynamoStatementHistory:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def account(self, customer_id: str, account_number: str) -> Account | None:
        with translated("get account"):
            response = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize({"PK": keys.customer_pk(customer_id), "SK": keys.account_sk(account_number)}),
            )
        item = response.get("Item")
        return items.from_item(codec.deserialize(item), Account) if item else None

    def history(
        self, customer_id: str, *, until: date, account_number: str | None = None, today: date
    ) -> Iterator[Record]:
        reading = _Reading(until=until, account_number=account_number, keep_closed=until < today)
        if account_number is not None or until < today:
            for alloc in self._allocations(customer_id):
                reading.allocation(alloc)
        # Adjustments and write-offs first (few): an invoice's line needs its debits, its lines its adjustments.
        for raw in self._query(customer_id, keys.ADJUSTMENT_PREFIX, "at", None, None, projected=False):
            if raw.get("type") == "adjustment":
                reading.adjustment(raw)
        for raw in self._query(customer_id, keys.INVOICE_PREFIX, "issue_date", until, account_number, projected=True):
            yield from reading.invoice(items.statement_invoice_from_item(raw))
        # Credit issued after the end may have been applied to an invoice that was open at the end: read it all then.
        notes_until = None if until < today else until
        for raw in self._query(customer_id, keys.CREDIT_NOTE_PREFIX, "issued_on", notes_until, account_number):
            yield from reading.credit_note(items.from_item(raw, CreditNote))
        for raw in self._query(customer_id, keys.PAYMENT_PREFIX, "created_at", until, None):
            if raw.get("type") == "payment" and raw.get("status") not in _NO_MONEY_MOVED:
                # skipped before validation: declined attempts are common and never shown
                yield from reading.payment(items.from_item(raw, Payment))
        yield from reading.receivables()

    # --- reads -----------------------------------------------------------------------------------------------

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
        values: dict[str, Any] = {":pk": keys.customer_pk(customer_id), ":prefix": prefix}
        conditions = []
        if until is not None:
            # ISO dates and timestamps compare as strings; "< the next day" keeps every time on ``until``.
            names["#d"] = date_attribute
            values[":after"] = (until + timedelta(days=1)).isoformat()
            conditions.append("#d < :after")
        if account_number is not None:
            names["#acct"] = "account_number"
            values[":acct"] = account_number
            conditions.append("#acct = :acct")
        request: dict[str, Any] = {"FilterExpression": " AND ".join(conditions)} if conditions else {}
        if projected:
            attributes = items.STATEMENT_INVOICE_ATTRIBUTES
            names |= {f"#p{i}": name for i, name in enumerate(attributes)}
            request["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(attributes)))
        yield from self._pages(request, names, values)

    def _allocations(self, customer_id: str) -> Iterator[dict[str, Any]]:
        attributes = items.STATEMENT_ALLOCATION_ATTRIBUTES
        names = {f"#p{i}": name for i, name in enumerate(attributes)}
        request = {"ProjectionExpression": ", ".join(names)}
        values = {":pk": keys.customer_pk(customer_id), ":prefix": keys.ALLOCATION_PREFIX}
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
