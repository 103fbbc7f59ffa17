"""Writing a payment: the reads a posting is planned from, and the one transaction that applies it.

The posting transaction (at most 100 items, DynamoDB's limit):
  guard ``PAYKEY#<scope>#<key>`` (create)   -> the same Idempotency-Key can post only once, ever
  payment, transaction pointer, allocations, receipt, credit note, outbox event (create, must not exist)
  each invoice (update, conditioned on the version read and on its balance covering the part)
  audit record (create, in the audit table)
  the payment's intent, when it has one (update: posted, its payment id, out of the open index; see intents.py),
  and any further outbox events the caller names (the reconciler's ``payment.reconciled``)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    codec,
    customer_items,
    document_items,
    entity_items,
    intents,
    invoice_items,
    payment_items,
    payment_series,
)
from arportal.adapters.dynamodb.balance_checkpoints import agency_day, record_months
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.invoice_updates import add_invoice_update
from arportal.adapters.dynamodb.outbox import audit_item, outbox_item
from arportal.adapters.dynamodb.tables import OPEN_ITEMS
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain import event_entities
from arportal.domain.models import Account, Allocation, AuditEvent, Customer, Invoice, Payment, Receipt
from arportal.domain.payment_intents import LedgerEvent, PaymentIntent
from arportal.domain.posting import Posting
from arportal.ports import PaymentRecord

MAX_INVOICES_PER_PAYMENT = 80  # leaves room in the 100-item transaction for the other records


def guard_key(scope: str, idempotency_key: str) -> dict[str, str]:
    return {"PK": f"PAYKEY#{scope}#{idempotency_key}", "SK": "PAYKEY"}


class DynamoPaymentPosting(payment_series.SeriesItems):
    def __init__(self, table_name: str, audit_table_name: str, *, chained_audit: bool = False) -> None:
        self.table = table_name
        self.audit_table = audit_table_name
        # Staff-taken payments start the payment's hash chain (``audit.DynamoAuditTrail``) instead of the plain
        # record, so their later refunds, voids and reversals extend one verifiable chain.
        self.chained_audit = chained_audit

    # --- reads -----------------------------------------------------------------------------------------

    def open_invoices(self, customer_id: str) -> list[Invoice]:
        """The customer's open invoices, consistently enough for planning: versions are re-checked at write."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": OPEN_ITEMS,
            "KeyConditionExpression": "OPK = :pk AND begins_with(OSK, :inv)",
            "ExpressionAttributeValues": {":pk": {"S": customer_items.customer_pk(customer_id)}, ":inv": {"S": "INV#"}},
        }
        found: list[Invoice] = []
        while True:
            with translated("open invoices"):
                response = client("dynamodb").query(**request)
            found.extend(entity_items.from_item(codec.deserialize(i), Invoice) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def invoices(self, customer_id: str | None, invoice_ids: list[str]) -> list[Invoice]:
        """Named invoices, read strongly consistently from the base table."""
        if not invoice_ids or customer_id is None:
            return []
        request = {
            self.table: {
                "Keys": [
                    codec.serialize({"PK": customer_items.customer_pk(customer_id), "SK": invoice_items.invoice_sk(i)})
                    for i in dict.fromkeys(invoice_ids)  # BatchGetItem refuses a key named twice
                ],
                "ConsistentRead": True,
            }
        }
        with translated("read invoices"):
            response = client("dynamodb").batch_get_item(RequestItems=request)
        return [
            entity_items.from_item(codec.deserialize(i), Invoice) for i in response["Responses"].get(self.table, [])
        ]

    def account(self, customer_id: str, account_number: str) -> Account | None:
        with translated("read account"):
            response = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize(
                    {"PK": customer_items.customer_pk(customer_id), "SK": customer_items.account_sk(account_number)}
                ),
            )
        item = response.get("Item")
        return entity_items.from_item(codec.deserialize(item), Account) if item else None

    def customer_accounts(self, customer_id: str) -> list[Account]:
        with translated("read accounts"):
            response = client("dynamodb").query(
                TableName=self.table,
                KeyConditionExpression="PK = :pk AND begins_with(SK, :acct)",
                ExpressionAttributeValues={
                    ":pk": {"S": customer_items.customer_pk(customer_id)},
                    ":acct": {"S": customer_items.account_sk("")},
                },
            )
        return [entity_items.from_item(codec.deserialize(i), Account) for i in response.get("Items", [])]

    def posted_payment(self, scope: str, idempotency_key: str) -> Payment | None:
        """The payment already posted under this key, if any (two strongly consistent reads)."""
        with translated("read posting guard"):
            guard = client("dynamodb").get_item(
                TableName=self.table, Key=codec.serialize(guard_key(scope, idempotency_key)), ConsistentRead=True
            )
        if "Item" not in guard:
            return None
        ref = codec.deserialize(guard["Item"])
        return self.payment(ref.get("customer_id"), str(ref["payment_id"]))

    def payment(self, customer_id: str | None, payment_id: str) -> Payment | None:
        pk = customer_items.customer_pk(customer_id) if customer_id else "GUEST"
        with translated("read payment"):
            response = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize({"PK": pk, "SK": payment_items.payment_sk(payment_id)}),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return entity_items.from_item(codec.deserialize(item), Payment) if item else None

    # --- what a receipt or a replayed answer is built from ---------------------------------------------

    def allocations(self, customer_id: str, payment_id: str) -> list[Allocation]:
        with translated("read allocations"):
            response = client("dynamodb").query(
                TableName=self.table,
                KeyConditionExpression="PK = :pk AND begins_with(SK, :alloc)",
                ExpressionAttributeValues={
                    ":pk": {"S": customer_items.customer_pk(customer_id)},
                    ":alloc": {"S": payment_items.allocations_prefix(payment_id)},
                },
                ConsistentRead=True,
            )
        # At most MAX_INVOICES_PER_PAYMENT small items: one page.
        return [entity_items.from_item(codec.deserialize(i), Allocation) for i in response.get("Items", [])]

    def customer(self, customer_id: str) -> Customer | None:
        with translated("read customer"):
            response = client("dynamodb").get_item(
                TableName=self.table, Key=codec.serialize(customer_items.profile_key(customer_id))
            )
        item = response.get("Item")
        return entity_items.from_item(codec.deserialize(item), Customer) if item else None

    def receipt_filed(self, customer_id: str, receipt_number: str) -> bool:
        """A query of the customer's documents filtered to this receipt (only after a crash or a late replay)."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :doc)",
            "FilterExpression": "#kind = :receipt AND #reference = :number",
            "ExpressionAttributeNames": {"#kind": "kind", "#reference": "reference"},  # "reference" is a reserved word
            "ExpressionAttributeValues": codec.serialize(
                {
                    ":pk": customer_items.customer_pk(customer_id),
                    ":doc": document_items.document_sk(""),
                    ":receipt": "receipt",
                    ":number": receipt_number,
                }
            ),
            "ProjectionExpression": "PK",
        }
        while True:
            with translated("find receipt document"):
                response = client("dynamodb").query(**request)
            if response.get("Items"):
                return True
            if "LastEvaluatedKey" not in response:
                return False
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def payment_record(self, customer_id: str, payment_id: str) -> PaymentRecord | None:
        """The payment and its payer (one batch read), its allocations (one query), its receipt (one read)."""
        wanted = [
            customer_items.profile_key(customer_id),
            {"PK": customer_items.customer_pk(customer_id), "SK": payment_items.payment_sk(payment_id)},
        ]
        with translated("read payment"):
            response = client("dynamodb").batch_get_item(
                RequestItems={self.table: {"Keys": [codec.serialize(k) for k in wanted], "ConsistentRead": True}}
            )
        found = [codec.deserialize(i) for i in response["Responses"].get(self.table, [])]
        payment = next((entity_items.from_item(i, Payment) for i in found if i.get("type") == "payment"), None)
        if payment is None:
            return None
        payer = next((entity_items.from_item(i, Customer) for i in found if i.get("type") == "customer"), None)
        receipt = self.receipt(customer_id, payment.receipt_number) if payment.receipt_number else None
        return PaymentRecord(payment, self.allocations(customer_id, payment_id), receipt, payer)

    def receipt(self, customer_id: str, receipt_number: str) -> Receipt | None:
        key = {"PK": customer_items.customer_pk(customer_id), "SK": payment_items.receipt_sk(receipt_number)}
        with translated("read receipt"):
            item = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key)).get("Item")
        return entity_items.from_item(codec.deserialize(item), Receipt) if item else None

    # --- the write -------------------------------------------------------------------------------------

    def open_intent(self, intent: PaymentIntent) -> PaymentIntent | None:
        """Record the payment's intent before its charge (``intents.put_open``)."""
        return intents.put_open(self.table, intent)

    def post(
        self,
        posting: Posting,
        *,
        scope: str,
        idempotency_key: str,
        audit: AuditEvent,
        intent: PaymentIntent | None = None,
        events: Sequence[LedgerEvent] = (),
    ) -> None:
        """Apply the whole posting or nothing; ``ConflictError`` when any condition fails. ``intent`` is closed
        and ``events`` written in the same transaction."""
        payment = posting.payment
        uow = DynamoUnitOfWork(self.table)
        uow.create(
            {
                **guard_key(scope, idempotency_key),
                "type": "payment_key",
                "payment_id": payment.payment_id,
                "customer_id": payment.customer_id,
            }
        )
        uow.create(entity_items.to_item(payment))
        day = agency_day()
        uow.add_to_balance(payment.customer_id, payment.currency, record_months(payment, day=day))
        for pointer in (payment_items.transaction_pointer(payment), payment_items.transaction_ref(payment)):
            if pointer:
                uow.create(pointer)
        for allocation in posting.allocations:
            uow.create(entity_items.to_item(allocation))
        for change in posting.invoice_changes:
            if change.after.invoice_id in posting.new_invoice_ids:
                uow.create(entity_items.to_item(change.after))
                uow.add_to_balance(
                    change.after.customer_id, change.after.currency, record_months(change.after, day=day)
                )
            else:
                add_invoice_update(uow, change)
        if posting.credit:
            uow.create(entity_items.to_item(posting.credit))
        if posting.receipt:
            uow.create(entity_items.to_item(posting.receipt))
        uow.create(
            outbox_item(
                f"payment.{payment.status.value}",
                _event_detail(posting),
                at=audit.at,
                entity=event_entities.of_payment(payment),
            )
        )
        if intent is not None:
            intents.close_posted(uow, intent, payment_id=payment.payment_id, at=audit.at, by=audit.actor)
        intents.add_events(uow, events, at=audit.at)
        if self.chained_audit:
            from arportal.adapters.dynamodb.audit import DynamoAuditTrail

            DynamoAuditTrail(self.audit_table).append(uow, audit, head=None)  # a new payment: a new chain
        else:
            uow.create(audit_item(audit), table=self.audit_table)
        uow.commit("post payment")


def _event_detail(posting: Posting) -> dict[str, Any]:
    p = posting.payment
    return {
        "payment_id": p.payment_id,
        "customer_id": p.customer_id,
        "status": p.status.value,
        "amount": p.amount,
        "fee_amount": p.fee_amount,
        "currency": p.currency,
        "channel": p.channel.value,
        "receipt_number": p.receipt_number,
        "transaction_id": p.transaction_id,
        "allocations": [{"invoice_id": a.invoice_id, "amount": a.amount} for a in posting.allocations],
        "credit": posting.credit.amount if posting.credit else 0,
    }
