"""What the staff console reads of one customer, and its contact-detail prefix search.

Every read is a Query on a key condition or a batch of GetItems (no Scan); lists are one bounded page each.
The customer record's reads are independent of one another, so the service may issue them side by side.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    codec,
    customer_items,
    document_items,
    email_suppressions,
    entity_items,
    interaction_items,
    invoice_items,
    payment_items,
    search_items,
    staff_action_items,
    table_layout,
)
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.payment_changes import external_key_hits
from arportal.adapters.dynamodb.payment_facts import earlier_payment_facts
from arportal.adapters.dynamodb.tables import BY_NAME, OPEN_ITEMS
from arportal.domain.models import (
    Account,
    Allocation,
    Approval,
    AuditEvent,
    CreditNote,
    Customer,
    Department,
    Document,
    Interaction,
    Invoice,
    Payment,
    Receipt,
    Schedule,
)
from arportal.domain.search import SearchKind
from arportal.ports import CustomerHeader, CustomerOpenItems, LookupHit, Page, PaymentStatusRecord

E = TypeVar("E", bound=BaseModel)
_APPROVAL_FIELDS = frozenset(Approval.model_fields)
_AUDIT_FIELDS = frozenset(AuditEvent.model_fields)


class DynamoStaffQueries:
    def __init__(self, table_name: str, audit_table_name: str = "") -> None:
        self.table = table_name
        self.audit_table = audit_table_name

    # --- one customer -------------------------------------------------------------------------------------

    def header(self, customer_id: str) -> CustomerHeader | None:
        """One query: ``#...`` items (profile, last known balances) and every account, in key order."""
        found = self._query_all(
            {
                "TableName": self.table,
                "KeyConditionExpression": "PK = :pk AND SK BETWEEN :first AND :last",
                "ExpressionAttributeValues": {
                    ":pk": {"S": customer_items.customer_pk(customer_id)},
                    ":first": {"S": customer_items.PARTITION_HEADER_FIRST},
                    ":last": {"S": customer_items.PARTITION_HEADER_LAST},
                },
            },
            "customer header",
        )
        customer, accounts, last_known, suppression = None, [], {}, None
        for item in found:
            sk = str(item["SK"])
            if sk == customer_items.PROFILE:
                customer = entity_items.from_item(item, Customer)
            elif sk == email_suppressions.CUSTOMER_MARK:
                suppression = email_suppressions.suppression_from_item(item)
            elif sk.startswith("ACCT#"):
                accounts.append(entity_items.from_item(item, Account))
            elif sk.startswith(customer_items.LAST_BALANCE_PREFIX):
                balance = customer_items.last_balance_from_item(item)
                last_known[balance.department] = balance
        if customer is None:
            return None
        return CustomerHeader(customer, accounts, last_known, suppression)

    def open_items(self, customer_id: str) -> CustomerOpenItems:
        found = self._query_all(
            {
                "TableName": self.table,
                "IndexName": OPEN_ITEMS,
                "KeyConditionExpression": "OPK = :pk",
                "ExpressionAttributeValues": {":pk": {"S": customer_items.customer_pk(customer_id)}},
            },
            "open items",
        )
        records = [r for r in (entity_items.entity_of(i) for i in found) if r is not None]
        return CustomerOpenItems(
            open_invoices=[r for r in records if isinstance(r, Invoice)],
            credit_notes=[r for r in records if isinstance(r, CreditNote)],
            schedules=[r for r in records if isinstance(r, Schedule)],
        )

    def payments(self, customer_id: str, *, limit: int, start: dict[str, object] | None) -> Page[Payment]:
        return self._page(customer_id, payment_items.PAYMENT_PREFIX, Payment, limit=limit, start=start)

    def invoices(self, customer_id: str, *, limit: int, start: dict[str, object] | None) -> Page[Invoice]:
        return self._page(customer_id, invoice_items.INVOICE_PREFIX, Invoice, limit=limit, start=start)

    def interactions(self, customer_id: str, *, limit: int, start: dict[str, object] | None) -> Page[Interaction]:
        return self._page(customer_id, interaction_items.INTERACTION_PREFIX, Interaction, limit=limit, start=start)

    def documents(self, customer_id: str, *, limit: int, start: dict[str, object] | None) -> Page[Document]:
        return self._page(customer_id, document_items.DOCUMENT_PREFIX, Document, limit=limit, start=start)

    def _page(
        self, customer_id: str, prefix: str, cls: type[E], *, limit: int, start: dict[str, object] | None
    ) -> Page[E]:
        """Newest first: ids are ULIDs, so a prefix's sort keys are in creation order."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": customer_items.customer_pk(customer_id)},
                ":prefix": {"S": prefix},
            },
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start:
            request["ExclusiveStartKey"] = start
        with translated(f"list {prefix}"):
            response = client("dynamodb").query(**request)
        found = [entity_items.from_item(codec.deserialize(i), cls) for i in response.get("Items", [])]
        return Page(found, response.get("LastEvaluatedKey"))

    # --- approvals ----------------------------------------------------------------------------------------

    def pending_approvals(self, *, customer_id: str | None, limit: int) -> list[Approval]:
        """From the sparse OpenItems partition of pending approvals, oldest first (one page: they are few)."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": OPEN_ITEMS,
            "KeyConditionExpression": "OPK = :pending",
            "ExpressionAttributeValues": {":pending": {"S": staff_action_items.PENDING_APPROVALS}},
        }
        if customer_id is not None:
            request["FilterExpression"] = "customer_id = :cid"
            request["ExpressionAttributeValues"][":cid"] = {"S": customer_id}
        else:
            request["Limit"] = limit
        with translated("pending approvals"):
            response = client("dynamodb").query(**request)
        approvals = []
        for raw in response.get("Items", []):
            body = {k: v for k, v in table_layout.plain(codec.deserialize(raw)).items() if k in _APPROVAL_FIELDS}
            approvals.append(Approval.model_validate(body))
        return approvals[:limit]

    # --- one payment, wherever it lives -------------------------------------------------------------------

    def payment_status(
        self, payment_id: str, *, duplicate_window: timedelta | None = None
    ) -> PaymentStatusRecord | None:
        """Four requests in two steps: the payment id through ByExternalKey (which names the owning partition),
        then side by side the payment itself (strongly consistent, with its receipt), its allocations and its
        audit trail."""
        hits = external_key_hits(self.table, SearchKind.PAYMENT_ID, payment_id, operation="find payment", limit=1)
        if not hits or hits[0].get("type") != "payment":
            return None
        pk, pid = str(hits[0]["PK"]), str(hits[0]["payment_id"])
        wanted = [{"PK": pk, "SK": payment_items.payment_sk(pid)}]
        if hits[0].get("receipt_number"):
            wanted.append({"PK": pk, "SK": payment_items.receipt_sk(str(hits[0]["receipt_number"]))})
        with ThreadPoolExecutor(max_workers=4) as pool:
            records = pool.submit(self._consistent_get, wanted)
            allocations = pool.submit(self._allocations, pk, pid)
            audit = pool.submit(self._audit, pid)
            earlier = (
                pool.submit(earlier_payment_facts, self.table, pk, pid, window=duplicate_window)
                if duplicate_window is not None and customer_items.customer_id_from_pk(pk)
                else None
            )
            found = records.result()
        payment = next((entity_items.from_item(i, Payment) for i in found if i.get("type") == "payment"), None)
        if payment is None:
            return None
        receipt = next((entity_items.from_item(i, Receipt) for i in found if i.get("type") == "receipt"), None)
        neighbours = earlier.result() if earlier is not None else []
        return PaymentStatusRecord(payment, allocations.result(), receipt, audit.result(), neighbours)

    def _consistent_get(self, wanted: list[dict[str, str]]) -> list[dict[str, Any]]:
        request = {self.table: {"Keys": [codec.serialize(k) for k in wanted], "ConsistentRead": True}}
        with translated("read payment"):
            response = client("dynamodb").batch_get_item(RequestItems=request)
        return [codec.deserialize(i) for i in response.get("Responses", {}).get(self.table, [])]

    def _allocations(self, pk: str, payment_id: str) -> list[Allocation]:
        found = self._query_all(
            {
                "TableName": self.table,
                "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
                "ExpressionAttributeValues": {
                    ":pk": {"S": pk},
                    ":prefix": {"S": payment_items.allocation_sk(payment_id, "")},
                },
            },
            "payment allocations",
        )
        return [entity_items.from_item(i, Allocation) for i in found]

    def _audit(self, payment_id: str) -> list[AuditEvent]:
        """Oldest first; chained records (``SEQ#``) and earlier ones (``<time>#<id>``) alike, never the head."""
        if not self.audit_table:
            return []
        found = self._query_all(  # a payment's own trail, to the end: a trail cut short would hide its last steps
            {
                "TableName": self.audit_table,
                "KeyConditionExpression": "PK = :pk",
                "ExpressionAttributeValues": {":pk": {"S": f"PAYMENT#{payment_id}"}},
            },
            "payment audit",
        )
        events = []
        for raw in found:
            body = table_layout.plain(raw)
            if body.get("SK") != "HEAD" and "event_id" in body:
                events.append(AuditEvent.model_validate({k: v for k, v in body.items() if k in _AUDIT_FIELDS}))
        return sorted(events, key=lambda e: e.at)

    # --- search by contact details ------------------------------------------------------------------------

    def prefix_search(self, kind: SearchKind, text: str, *, limit: int) -> list[LookupHit]:
        """Profiles with a word of the name, or an email or phone, that starts with ``text``: one query of the
        ByName index. A name can match at several of its words: each is a hit (``name_word`` says which)."""
        if kind is SearchKind.EMAIL:
            prefix, partition = search_items.normalise_email(text), search_items.email_partition(text)
        elif kind is SearchKind.PHONE:
            prefix, partition = search_items.normalise_phone(text), search_items.phone_partition(text)
        else:
            prefix, partition = search_items.normalise_name(text), search_items.word_partition(text)
        if not prefix:
            return []
        with translated("prefix search"):
            response = client("dynamodb").query(
                TableName=self.table,
                IndexName=BY_NAME,
                KeyConditionExpression="NPK = :p AND begins_with(NSK, :prefix)",
                ExpressionAttributeValues={":p": {"S": partition}, ":prefix": {"S": prefix}},
                Limit=limit,
            )
        hits = []
        for raw in response.get("Items", []):
            item = codec.deserialize(raw)
            body = {k: table_layout.plain(v) for k, v in item.items() if k not in table_layout.KEY_ATTRIBUTES}
            customer_id = customer_items.customer_id_from_pk(str(item["PK"]))
            if customer_id:
                hits.append(LookupHit(kind, "customer", customer_id, customer_id, body))
        return hits

    def departments(self) -> list[Department]:
        """The agency's department records (``AGENCY`` / ``DEPT#<code>``): one query, a few dozen items at most."""
        request = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :dept)",
            "ExpressionAttributeValues": {":pk": {"S": table_layout.AGENCY}, ":dept": {"S": "DEPT#"}},
        }
        items = self._query_all(request, "departments")
        return [entity_items.from_item(item, Department) for item in items if item.get("type") == "department"]

    # --- helpers ------------------------------------------------------------------------------------------

    def _query_all(self, request: dict[str, Any], operation: str) -> list[dict[str, Any]]:
        """Every page, to the end: a customer's live items summed in part would be a wrong balance, silently."""
        found: list[dict[str, Any]] = []
        while True:
            with translated(operation):
                response = client("dynamodb").query(**request)
            found.extend(codec.deserialize(i) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
