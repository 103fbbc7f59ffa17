"""Staff exceptions in the ledger: refunds, voids, reversals (money back from a payment) and adjustments.

Money back is one transaction (at most 100 items), the same shape as a processor-reported return
(``status_changes.py``), whose invoice update it reuses:
  guard ``ACTKEY#<digest of scope and key>`` (create)   -> a request (or an approval) applies once, ever
  payment (update: conditioned on the status and version read; status, history, refunded, fee)
  each invoice given back (update: conditioned on its version; open/due index entries come back)
  the payment's credit note (reduced or removed, conditioned on ``remaining``)
  outbox event, and the payment's next hash-chained audit record (head conditioned on the seq read)
An adjustment: guard, invoice (lines, amount, credited, balance, status; conditioned on its version), the
``ADJ#`` record, outbox event, the invoice's next chained audit record.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    codec,
    customer_items,
    entity_items,
    invoice_items,
    movement_items,
    payment_items,
    staff_action_items,
    table_layout,
)
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.balance_checkpoints import agency_day, months_of_adjustment, record_months
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.invoice_updates import add_invoice_update, update_invoice_figures
from arportal.adapters.dynamodb.outbox import outbox_item
from arportal.adapters.dynamodb.payment_changes import (
    ChangeUnitOfWork,
    add_credit_change,
    external_key_hits,
    reopened_invoices,
)
from arportal.adapters.dynamodb.payment_facts import facts_of
from arportal.adapters.dynamodb.status_changes import DynamoStatusChanges
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain import event_entities
from arportal.domain.balance_checkpoints import change as months_change
from arportal.domain.duplicates import PaymentFacts
from arportal.domain.models import AuditEvent, Invoice, Payment
from arportal.domain.posting import InvoiceChange
from arportal.domain.search import SearchKind
from arportal.domain.staff_actions import AdjustmentRecord, MoneyBack
from arportal.ports import AppliedAction, PaymentState


class DynamoStaffActionStore:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.trail = DynamoAuditTrail(audit_table_name)
        self._states = DynamoStatusChanges(table_name, audit_table_name)

    # --- reads -------------------------------------------------------------------------------------------

    def locate_payment(self, payment_id: str) -> PaymentState | None:
        for hit in external_key_hits(self.table, SearchKind.PAYMENT_ID, payment_id, operation="find payment"):
            if hit.get("type") == "payment" and hit.get("payment_id") == payment_id:
                customer_id = customer_items.customer_id_from_pk(str(hit["PK"]))
                credit_note_id = "cn_" + payment_id.removeprefix("pay_")
                return self._states.payment_state(customer_id, payment_id, credit_note_id=credit_note_id)
        return None

    def applied(self, scope: str, key: str) -> AppliedAction | None:
        item = self._get(staff_action_items.staff_action_guard_key(scope, key))
        if item is None:
            return None
        return AppliedAction(str(item["entity_id"]), dict(table_layout.plain(item.get("result") or {})))

    def receipt_owner(self, receipt_number: str) -> tuple[str | None, str] | None:
        """(customer id, payment id) of a receipt, through ByExternalKey (one query)."""
        for hit in external_key_hits(self.table, SearchKind.RECEIPT_NUMBER, receipt_number, operation="find receipt"):
            if hit.get("type") == "receipt" and str(hit.get("receipt_number", "")).upper() == receipt_number.upper():
                return customer_items.customer_id_from_pk(str(hit["PK"])), str(hit["payment_id"])
        return None

    def invoice(self, customer_id: str, invoice_id: str) -> Invoice | None:
        item = self._get({"PK": customer_items.customer_pk(customer_id), "SK": invoice_items.invoice_sk(invoice_id)})
        return entity_items.from_item(item, Invoice) if item and item.get("type") == "invoice" else None

    def recent_payment_facts(self, customer_id: str, *, limit: int) -> list[PaymentFacts]:
        """The newest payments (one query), then their allocations: one range query from the oldest one's
        allocations on (payment ids are ULIDs, so ``ALLOC#<id>`` sorts by time too)."""
        pk = customer_items.customer_pk(customer_id)
        with translated("recent payments"):
            response = client("dynamodb").query(
                TableName=self.table,
                KeyConditionExpression="PK = :pk AND begins_with(SK, :pay)",
                ExpressionAttributeValues={":pk": {"S": pk}, ":pay": {"S": payment_items.PAYMENT_PREFIX}},
                ScanIndexForward=False,
                Limit=limit,
                ConsistentRead=True,
            )
        payments = [entity_items.from_item(codec.deserialize(i), Payment) for i in response.get("Items", [])]
        if not payments:
            return []
        oldest = min(p.payment_id for p in payments)
        invoices_of: dict[str, set[str]] = {p.payment_id: set() for p in payments}
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :from AND :to",
            "ExpressionAttributeValues": {
                ":pk": {"S": pk},
                ":from": {"S": payment_items.allocations_prefix(oldest)},
                ":to": {"S": payment_items.ALLOCATION_PREFIX + "\uffff"},
            },
            "ProjectionExpression": "payment_id, invoice_id",
            "ConsistentRead": True,
        }
        while True:
            with translated("recent allocations"):
                page = client("dynamodb").query(**request)
            for raw in page.get("Items", []):
                allocation = codec.deserialize(raw)
                invoices_of.setdefault(str(allocation["payment_id"]), set()).add(str(allocation["invoice_id"]))
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return facts_of(payments, invoices_of)

    # --- writes ------------------------------------------------------------------------------------------

    def apply_money_back(self, back: MoneyBack, *, scope: str, key: str, audit: AuditEvent) -> None:
        before, after = back.before, back.after
        pk = customer_items.customer_pk(after.customer_id) if after.customer_id else "GUEST"
        uow = ChangeUnitOfWork(self.table)
        uow.create(
            action_guard_item(scope, key, after.payment_id, {"status": after.status.value, "amount": back.amount})
        )
        moved, moved_values = movement_items.moved_now(after.customer_id) if after.customer_id else ("", {})
        listed, unlisted, listed_values = payment_items.exception_list_change(before, after)
        sets = ["#status = :status, #history = :history, version = :next, fee_amount = :fee, refunded = :refunded"]
        sets += [moved] if moved else []
        uow.update(
            {"PK": pk, "SK": payment_items.payment_sk(after.payment_id)},
            update_expression=f"SET {', '.join([*sets, *listed])}"
            + (f" REMOVE {', '.join(unlisted)}" if unlisted else ""),
            condition="#status = :expected AND version = :version",
            names={"#status": "status", "#history": "history"},
            values={
                ":status": after.status.value,
                ":history": [h.model_dump(mode="json", exclude_none=True) for h in after.history],
                ":next": after.version,
                ":fee": after.fee_amount,
                ":refunded": after.refunded,
                ":expected": before.status.value,
                ":version": before.version,
                **moved_values,
                **listed_values,
            },
        )
        day = agency_day()
        moved_months = months_change(record_months(after, day=day), record_months(before, day=day))
        uow.add_to_balance(after.customer_id, after.currency, moved_months)
        for change in back.invoice_changes:
            add_invoice_update(uow, change)
        add_credit_change(uow, back.credit_before, back.credit_after)
        entity = event_entities.of_payment(after)
        uow.create(outbox_item(f"payment.{after.status.value}", _detail(back, audit), at=audit.at, entity=entity))
        self.trail.append(uow, audit, head=self.trail.head(audit.entity_type, audit.entity_id))
        uow.commit(f"payment {after.status.value}")

    def apply_adjustment(
        self, change: InvoiceChange, record: AdjustmentRecord, *, scope: str, key: str, audit: AuditEvent
    ) -> None:
        before, after = change.before, change.after
        uow = DynamoUnitOfWork(self.table)
        uow.create(
            action_guard_item(
                scope,
                key,
                record.adjustment_id,
                {
                    "invoice_id": after.invoice_id,
                    "balance": after.balance,
                    "status": after.status.value,
                    "amount": record.amount,
                },
            )
        )
        update_invoice_figures(uow, before.version, after, ("lines", "amount", "credited", "balance"))
        uow.create(adjustment_item(record))
        # the invoice's own months change with its amount (a debit raises it), the adjustment adds its own
        day = agency_day()
        months = months_of_adjustment(record.kind.value, record.amount, on_day=day(record.at), invoice=after)
        uow.add_to_balance(record.customer_id, record.currency, months)
        invoice_months = months_change(record_months(after, day=day), record_months(before, day=day))
        uow.add_to_balance(after.customer_id, after.currency, invoice_months)
        detail = {**_plain_record(record), "balance": after.balance, "status": after.status.value}
        entity = event_entities.of_invoice(after)
        uow.create(outbox_item(f"invoice.{record.kind.value}", detail, at=audit.at, entity=entity))
        self.trail.append(uow, audit, head=self.trail.head(audit.entity_type, audit.entity_id))
        uow.commit(f"invoice {record.kind.value}")

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        with translated("read"):
            response = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
        item = response.get("Item")
        return codec.deserialize(item) if item else None


def adjustment_item(record: AdjustmentRecord) -> dict[str, Any]:
    return {
        "PK": customer_items.customer_pk(record.customer_id),
        "SK": staff_action_items.adjustment_sk(record.adjustment_id),
        "type": "adjustment",
        **_plain_record(record),
    }


def _plain_record(record: AdjustmentRecord) -> dict[str, Any]:
    body = asdict(record)
    body |= {"kind": record.kind.value, "reason_code": record.reason_code.value, "at": record.at.isoformat()}
    return {k: v for k, v in body.items() if v is not None}


def action_guard_item(scope: str, key: str, entity_id: str, result: dict[str, Any]) -> dict[str, Any]:
    """The ``ACTKEY#`` item: what one request (or approval) did, under its key. ``AppliedAction.FILED`` in
    ``result`` marks a request filed for approval rather than carried out (``entity_id`` is the approval's)."""
    return {
        **staff_action_items.staff_action_guard_key(scope, key),
        "type": "staff_action_key",
        "entity_id": entity_id,
        "result": result,
    }


def _detail(back: MoneyBack, audit: AuditEvent) -> dict[str, Any]:
    p = back.after
    return {
        "payment_id": p.payment_id,
        "customer_id": p.customer_id,
        "status": p.status.value,
        "previous_status": back.before.status.value,
        "amount": back.amount,
        "refunded": p.refunded,
        "currency": p.currency,
        "reopened_invoices": reopened_invoices(back.invoice_changes),
        "shortfall": back.shortfall,
        "reason": audit.reason,
        "actor": audit.actor,
    }
