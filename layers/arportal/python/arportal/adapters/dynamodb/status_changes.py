"""Processor-reported status changes: the reads a change is planned from, and the one transaction that applies it.

The transaction (at most 100 items):
  guard ``PROCEVT#<processor>#<event_id>`` (create)   -> one processor event applies once, however often it is sent
  payment (update: conditioned on the status and version read)
  each invoice the payment paid (update: conditioned on its version; its open/due index entries come back)
  the payment's credit note (delete if unused, else reduced to what was used; conditioned on ``remaining``)
  receipt (create, when a pending payment posts), outbox event (create), audit record (create, audit table)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, invoice_items, movement_items, payment_items
from arportal.adapters.dynamodb.balance_checkpoints import agency_day, record_months
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.invoice_updates import add_invoice_update
from arportal.adapters.dynamodb.outbox import audit_item, outbox_item
from arportal.adapters.dynamodb.payment_changes import (
    ChangeUnitOfWork,
    add_credit_change,
    external_key_hits,
    reopened_invoices,
)
from arportal.domain import event_entities
from arportal.domain.balance_checkpoints import change as months_change
from arportal.domain.models import Allocation, AuditEvent, CreditNote, Invoice, Payment
from arportal.domain.search import SearchKind
from arportal.domain.status import PaymentStatus
from arportal.ports import AppliedProcessorEvent, PaymentState, PaymentStatusChange

EVENT_GUARD_RETENTION = timedelta(days=90)  # processors stop resending long before (Stripe: 3 days)


def _owner_pk(customer_id: str | None) -> str:
    return customer_items.customer_pk(customer_id) if customer_id else "GUEST"


class DynamoStatusChanges:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.audit_table = audit_table_name

    # --- reads -----------------------------------------------------------------------------------------

    def payment_for_transaction(self, transaction_id: str) -> tuple[str | None, str] | None:
        """One query of the external-key index for the transaction pointer item."""
        hits = external_key_hits(self.table, SearchKind.TRANSACTION_ID, transaction_id, operation="find transaction")
        for item in hits:
            # The index is case-insensitive; processors' ids are not.
            if item.get("transaction_id") == transaction_id and item.get("payment_id"):
                return customer_items.customer_id_from_pk(str(item["PK"])), str(item["payment_id"])
        return None

    def payment_state(self, customer_id: str | None, payment_id: str, *, credit_note_id: str) -> PaymentState | None:
        """Its allocations (one query), then the payment, its invoices and credit note (one batch read)."""
        pk = _owner_pk(customer_id)
        with translated("read allocations"):
            response = client("dynamodb").query(
                TableName=self.table,
                KeyConditionExpression="PK = :pk AND begins_with(SK, :alloc)",
                ExpressionAttributeValues={
                    ":pk": {"S": pk},
                    ":alloc": {"S": payment_items.allocations_prefix(payment_id)},
                },
                ConsistentRead=True,
            )
        allocations = [entity_items.from_item(codec.deserialize(i), Allocation) for i in response.get("Items", [])]
        wanted = [{"PK": pk, "SK": payment_items.payment_sk(payment_id)}]
        wanted += [{"PK": pk, "SK": invoice_items.invoice_sk(a.invoice_id)} for a in allocations]
        if customer_id:
            wanted.append({"PK": pk, "SK": invoice_items.credit_note_sk(credit_note_id)})
        found = self._get_all(wanted)
        payment = next((entity_items.from_item(i, Payment) for i in found if i.get("type") == "payment"), None)
        if payment is None:
            return None
        return PaymentState(
            payment=payment,
            allocations=allocations,
            invoices=[entity_items.from_item(i, Invoice) for i in found if i.get("type") == "invoice"],
            credit=next((entity_items.from_item(i, CreditNote) for i in found if i.get("type") == "credit_note"), None),
        )

    def _get_all(self, wanted: list[dict[str, str]]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        pending: dict[str, Any] = {
            self.table: {"Keys": [codec.serialize(k) for k in wanted], "ConsistentRead": True}
        }  # at most 82 keys: one request
        while pending:
            with translated("read payment state"):
                response = client("dynamodb").batch_get_item(RequestItems=pending)
            found.extend(codec.deserialize(i) for i in response.get("Responses", {}).get(self.table, []))
            pending = response.get("UnprocessedKeys") or {}
        return found

    def applied_event(self, processor: str, event_id: str) -> AppliedProcessorEvent | None:
        with translated("read processor event"):
            item = (
                client("dynamodb")
                .get_item(
                    TableName=self.table,
                    Key=codec.serialize(payment_items.processor_event_key(processor, event_id)),
                    ConsistentRead=True,
                )
                .get("Item")
            )
        if not item:
            return None
        guard = codec.deserialize(item)
        return AppliedProcessorEvent(event_id, str(guard["payment_id"]), PaymentStatus(str(guard["status"])))

    # --- the write -------------------------------------------------------------------------------------

    def apply_status_change(
        self, change: PaymentStatusChange, *, processor: str, event_id: str, audit: AuditEvent
    ) -> None:
        before, after = change.before, change.after
        pk = _owner_pk(after.customer_id)
        uow = ChangeUnitOfWork(self.table)
        uow.create(
            {
                **payment_items.processor_event_key(processor, event_id),
                "type": "processor_event",
                "payment_id": after.payment_id,
                "customer_id": after.customer_id,
                "status": after.status.value,
                "applied_at": audit.at.isoformat(),
                "expires_at": int((audit.at + EVENT_GUARD_RETENTION).timestamp()),
            }
        )
        sets = "#status = :status, #history = :history, version = :next, fee_amount = :fee"
        values: dict[str, Any] = {
            ":status": after.status.value,
            ":history": [h.model_dump(mode="json", exclude_none=True) for h in after.history],
            ":next": after.version,
            ":fee": after.fee_amount,
            ":expected": before.status.value,
            ":version": before.version,
        }
        if after.receipt_number and after.receipt_number != before.receipt_number:
            sets += ", receipt_number = :receipt"
            values[":receipt"] = after.receipt_number
        if after.customer_id:
            moved, moved_values = movement_items.moved_now(after.customer_id)
            sets += f", {moved}"
            values |= moved_values
            day = agency_day()
            moved_months = months_change(record_months(after, day=day), record_months(before, day=day))
            uow.add_to_balance(after.customer_id, after.currency, moved_months)
        listed, unlisted, listed_values = payment_items.exception_list_change(before, after)
        sets = ", ".join([sets, *listed])
        values |= listed_values
        uow.update(
            {"PK": pk, "SK": payment_items.payment_sk(after.payment_id)},
            update_expression=f"SET {sets}" + (f" REMOVE {', '.join(unlisted)}" if unlisted else ""),
            condition="#status = :expected AND version = :version",
            names={"#status": "status", "#history": "history"},
            values=values,
        )
        for invoice_change in change.invoice_changes:
            add_invoice_update(uow, invoice_change)
        add_credit_change(uow, change.credit_before, change.credit_after)
        if change.receipt is not None:
            uow.create(entity_items.to_item(change.receipt))
        detail = _event_detail(change, audit)
        entity = event_entities.of_payment(after)
        uow.create(outbox_item(f"payment.{after.status.value}", detail, at=audit.at, entity=entity))
        uow.create(audit_item(audit), table=self.audit_table)
        uow.commit("apply processor event")


def _event_detail(change: PaymentStatusChange, audit: AuditEvent) -> dict[str, Any]:
    p = change.after
    return {
        "payment_id": p.payment_id,
        "customer_id": p.customer_id,
        "status": p.status.value,
        "previous_status": change.before.status.value,
        "amount": p.amount,
        "currency": p.currency,
        "channel": p.channel.value,
        "transaction_id": p.transaction_id,
        "receipt_number": p.receipt_number,
        "reopened_invoices": reopened_invoices(change.invoice_changes),
        "credit_removed": (change.credit_before.remaining if change.credit_before else 0),
        "credit_shortfall": (audit.after or {}).get("credit_shortfall", 0),
        "reason": audit.reason,
    }
