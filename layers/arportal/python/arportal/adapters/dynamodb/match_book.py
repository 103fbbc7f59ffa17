"""The match book for a batch of bank lines (``arportal.ports.MatchBookSource``): what the ledger expects or holds
open that these lines could be, looked up by what each line says, never by scanning what is open.

Per batch of L new lines, the reads are:

- **deposits**: the expected deposits arriving in the lines' booking-date window (widened by the banking-day window
  and a weekend), one OpenItems query a page (``DynamoFinanceStore.deposits``), only when a line is a processor or
  counter deposit;
- **payers**: the customers staff taught the matcher each payer name stands for (``payer_aliases``: one query
  per distinct name); for each payer line (ACH credit, wire, lockbox, other credit), the customer of every valid RF
  reference in it (``remittance_reference.customer_for``: arithmetic, no read), then at most ``MAX_TOKENS``
  invoice- or account-number-like words of its remittance, each one ByExternalKey query, and its payer name, one
  ByName query of at most ``NAME_HITS``; so at most 2·MAX_TOKENS + 2 queries a line;
- **per payer found**: one OpenItems query of the customer's live items (profile, accounts and open invoices);
- **returns**: for each ACH return, the payment its original reference or trace names (``TXNREF#`` GetItem, then
  the payment's GetItem).

Amount candidates come from the open invoices of the payers found that way: the amount is what ranks a payer's
invoices (and finds one-to-many and many-to-one sums among them), not a key to find them by. A line that names no
reference, number or known payer name is matched by nothing but its amount nowhere: it goes to the unmatched queue,
where staff find the payer. The cost is O(L) reads (bounded by the constants above) plus O(payers found), whatever
the number of open invoices (docs/bank-files.md, "Import").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, payment_items, search_items
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.finance_store import DynamoFinanceStore
from arportal.adapters.dynamodb.payer_aliases import aliases_for
from arportal.adapters.dynamodb.payment_changes import external_key_hits
from arportal.adapters.dynamodb.tables import BY_NAME, OPEN_ITEMS
from arportal.domain import remittance_reference
from arportal.domain.bank_matches import ExpectedDeposit, KnownPayer, MatchBook, OpenInvoice, ReturnableDebit
from arportal.domain.bank_statements import BankLine, LineKind
from arportal.domain.models import Account, Customer, Invoice, Payment
from arportal.domain.representment import first_presented_on
from arportal.domain.search import SearchKind

MAX_TOKENS = 8
NAME_HITS = 5
DEPOSIT_PAGE = 200
_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-_/]{2,39}")
_DEPOSIT_KINDS = {LineKind.PROCESSOR_DEPOSIT, LineKind.BRANCH_DEPOSIT}
_PAYER_KINDS = {LineKind.ACH_CREDIT, LineKind.WIRE, LineKind.LOCKBOX, LineKind.OTHER_CREDIT}
_TYPES = {cls: entity_items.TYPE_OF[cls] for cls in (Customer, Account, Invoice)}


def words_to_look_up(line: BankLine) -> list[str]:
    """The words of a line that could be an invoice or account number: the lockbox stub's invoices first, then
    words with a digit from the references and remittance text, each once, at most MAX_TOKENS."""
    text = " ".join(filter(None, [line.customer_reference, line.remittance, *line.structured_references]))
    words = [*line.invoice_numbers, *(w for w in _TOKEN.findall(text) if any(c.isdigit() for c in w))]
    return list(dict.fromkeys(w.strip().upper() for w in words if w.strip()))[:MAX_TOKENS]


class DynamoMatchBook:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.finance = DynamoFinanceStore(table_name, audit_table_name)

    def book_for(self, lines: Sequence[BankLine], *, window_days: int, currency: str) -> MatchBook:
        payer_lines = [line for line in lines if line.kind in _PAYER_KINDS]
        # the names staff confirmed a customer pays under (the unmatched queue's decisions): one query per name
        aliases = aliases_for(self.table, [line.payer_name for line in payer_lines if line.payer_name])
        customers: dict[str, None] = dict.fromkeys(aliases)
        for line in payer_lines:
            for customer_id in self._payers_named(line):
                customers.setdefault(customer_id)
        invoices: list[OpenInvoice] = []
        payers: list[KnownPayer] = []
        for customer_id in customers:
            found = self._payer(customer_id, currency, aliases.get(customer_id, ()))
            if found is not None:
                payers.append(found[0])
                invoices.extend(found[1])
        return MatchBook(
            deposits=self._deposits(lines, window_days),
            invoices=tuple(invoices),
            payers=tuple(payers),
            debits=self._debits(lines),
        )

    # --- expected deposits ----------------------------------------------------------------------------------

    def _deposits(self, lines: Sequence[BankLine], window_days: int) -> tuple[ExpectedDeposit, ...]:
        days = [line.booking_date for line in lines if line.kind in _DEPOSIT_KINDS]
        if not days:
            return ()
        reach = timedelta(days=2 * window_days + 3)  # banking days, with a weekend and a holiday between
        since, until = min(days) - reach, max(days) + reach
        found: list[ExpectedDeposit] = []
        cursor: str | None = None
        while True:  # to the end: a deposit left unread would leave its bank line unmatched without a word
            page = self.finance.deposits(since, until, status="expected", limit=DEPOSIT_PAGE, cursor=cursor)
            found.extend(
                ExpectedDeposit(
                    deposit_id=p.payout_id,
                    source=p.processor,
                    amount=p.amount,
                    currency=p.currency,
                    expected_on=p.arrival_date,
                    bank_trace_id=p.bank_trace_id,
                )
                for p in page.items
            )
            cursor = page.next_cursor
            if cursor is None:
                return tuple(found)

    # --- payers and their open invoices ----------------------------------------------------------------------

    def _payers_named(self, line: BankLine) -> list[str]:
        named: list[str] = []
        text = " ".join(filter(None, [line.customer_reference, line.remittance]))
        for reference in [*line.structured_references, *remittance_reference.find_references(text)]:
            customer_id = remittance_reference.customer_for(reference)
            if customer_id:
                named.append(customer_id)
        for word in words_to_look_up(line):
            for kind in (SearchKind.INVOICE_NUMBER, SearchKind.ACCOUNT_NUMBER):
                for hit in external_key_hits(self.table, kind, word, operation="bank line lookup", limit=5):
                    owner = customer_items.customer_id_from_pk(str(hit.get("PK", "")))
                    if owner:
                        named.append(owner)
        if line.payer_name:
            named.extend(self._by_name(line.payer_name))
        return named

    def _by_name(self, payer_name: str) -> list[str]:
        normalised = search_items.normalise_name(payer_name)
        if len(normalised) < 3:
            return []
        with translated("bank payer by name"):
            response = client("dynamodb").query(
                TableName=self.table,
                IndexName=BY_NAME,
                KeyConditionExpression="NPK = :p AND begins_with(NSK, :n)",
                ExpressionAttributeValues={
                    ":p": {"S": search_items.name_partition(payer_name)},
                    ":n": {"S": normalised},
                },
                Limit=NAME_HITS,
            )
        ids = (customer_items.customer_id_from_pk(str(codec.deserialize(i).get("PK", ""))) for i in response["Items"])
        return [i for i in ids if i]

    def _payer(
        self, customer_id: str, currency: str, aliases: tuple[str, ...]
    ) -> tuple[KnownPayer, list[OpenInvoice]] | None:
        items = self._live_items(customer_id)
        profile = next((i for i in items if i.get("type") == _TYPES[Customer]), None)
        if profile is None:
            return None
        customer = entity_items.from_item(profile, Customer)
        accounts = [entity_items.from_item(i, Account) for i in items if i.get("type") == _TYPES[Account]]
        invoices = [entity_items.from_item(i, Invoice) for i in items if i.get("type") == _TYPES[Invoice]]
        payer = KnownPayer(
            customer_id=customer_id,
            name=customer.name,
            remittance_reference=remittance_reference.reference_for(customer_id),
            account_numbers=tuple(a.account_number for a in accounts),
            aliases=aliases,
        )
        open_invoices = [
            OpenInvoice(
                customer_id=customer_id,
                invoice_id=inv.invoice_id,
                invoice_number=inv.invoice_number,
                account_number=inv.account_number,
                balance=inv.balance,
                currency=inv.currency,
                due_date=inv.due_date,
            )
            for inv in invoices
            if inv.balance > 0 and not inv.voided and inv.currency == currency
        ]
        return payer, open_invoices

    def _live_items(self, customer_id: str) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": OPEN_ITEMS,
            "KeyConditionExpression": "OPK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": customer_items.customer_pk(customer_id)}},
        }
        found: list[dict[str, Any]] = []
        while True:
            with translated("bank payer's open items"):
                response = client("dynamodb").query(**request)
            found.extend(codec.deserialize(i) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # --- ACH debits a return may name -----------------------------------------------------------------------

    def _debits(self, lines: Sequence[BankLine]) -> tuple[ReturnableDebit, ...]:
        references = dict.fromkeys(
            ref
            for line in lines
            if line.kind is LineKind.ACH_RETURN
            for ref in (line.original_reference, line.trace_number, line.customer_reference)
            if ref
        )
        debits: dict[str, ReturnableDebit] = {}
        for reference in references:
            payment = self._payment_of_transaction(reference)
            if payment is None or payment.customer_id is None or payment.payment_id in debits:
                continue
            debits[payment.payment_id] = ReturnableDebit(
                customer_id=payment.customer_id,
                payment_id=payment.payment_id,
                amount=payment.amount + payment.fee_amount,
                currency=payment.currency,
                collected_on=payment.created_at.date(),
                trace_number=reference if reference != payment.transaction_id else None,
                transaction_id=payment.transaction_id,
                presentments=payment.attempt,  # each try of its series presented it (retries, re-presentments)
                first_presented_on=first_presented_on(payment),
            )
        return tuple(debits.values())

    def _payment_of_transaction(self, transaction_id: str) -> Payment | None:
        with translated("bank return's payment"):
            ref = (
                client("dynamodb")
                .get_item(TableName=self.table, Key=codec.serialize(payment_items.transaction_ref_key(transaction_id)))
                .get("Item")
            )
        if not ref:
            return None
        pointer = codec.deserialize(ref)
        if not pointer.get("customer_id"):
            return None
        key = {
            "PK": customer_items.customer_pk(str(pointer["customer_id"])),
            "SK": payment_items.payment_sk(str(pointer["payment_id"])),
        }
        with translated("bank return's payment"):
            item = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key)).get("Item")
        return entity_items.from_item(codec.deserialize(item), Payment) if item else None
