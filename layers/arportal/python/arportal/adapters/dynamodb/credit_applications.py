"""Applying held credit: the reads it is planned from, and the one transaction that applies it.

The transaction (``DynamoUnitOfWork``; the planner keeps it inside DynamoDB's 100 items):
  guard ``CUST#<id>`` / ``REQKEY#credit#<digest>`` (create)  -> one Idempotency-Key applies credit once, ever
  each credit note (update): ``remaining`` decremented, conditioned on still holding at least that much; its
      ``applications`` extended; its ``OPK`` removed when nothing is left (it leaves the dashboard)
  each invoice (update): ``credited``/``balance``/``status``, conditioned on the version read AND on still owing
      at least that much; its ``OPK``/``DUEPK`` removed when it is paid off
  each (note, invoice) pair's ``APPLIED#`` entry among the invoice's items (put: the invoice's detail reads them)
  the ``CAPP#`` record (create), the ``credit.applied`` outbox event (create)
  the application's hash-chained audit record (``DynamoAuditTrail``: a new chain per application)
Two requests racing for the same credit or the same invoice cannot both commit: the loser's conditions fail.
"""

from __future__ import annotations

from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    codec,
    credit_application_items,
    customer_items,
    entity_items,
    invoice_items,
    movement_items,
)
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.invoice_updates import update_invoice_figures
from arportal.adapters.dynamodb.outbox import outbox_item
from arportal.adapters.dynamodb.tables import OPEN_ITEMS
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain import event_entities
from arportal.domain.credit import CreditPlan, SourceChange
from arportal.domain.models import AuditEvent, CreditNote, Invoice
from arportal.domain.posting import InvoiceChange
from arportal.ports import CreditApplicationRecord

BATCH_GET_LIMIT = 100


class DynamoCreditApplications:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.trail = DynamoAuditTrail(audit_table_name)

    # --- reads -----------------------------------------------------------------------------------------------

    def credit_sources(self, customer_id: str) -> list[CreditNote]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :cn)",
            "FilterExpression": "remaining > :zero",
            "ExpressionAttributeValues": codec.serialize(
                {":pk": customer_items.customer_pk(customer_id), ":cn": invoice_items.CREDIT_NOTE_PREFIX, ":zero": 0}
            ),
            "ConsistentRead": True,
        }
        return [entity_items.from_item(i, CreditNote) for i in self._pages(request, "read credit")]

    def open_invoices(self, customer_id: str) -> list[Invoice]:
        """The ids from ``OpenItems`` (eventually consistent), the invoices themselves read strongly."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": OPEN_ITEMS,
            "KeyConditionExpression": "OPK = :pk AND begins_with(OSK, :inv)",
            "ExpressionAttributeValues": {":pk": {"S": customer_items.customer_pk(customer_id)}, ":inv": {"S": "INV#"}},
            "ProjectionExpression": "SK",
        }
        wanted = [str(i["SK"]) for i in self._pages(request, "open invoices")]
        found: list[Invoice] = []
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            pending: dict[str, Any] = {
                self.table: {
                    "Keys": [
                        codec.serialize({"PK": customer_items.customer_pk(customer_id), "SK": sk})
                        for sk in wanted[start : start + BATCH_GET_LIMIT]
                    ],
                    "ConsistentRead": True,
                }
            }
            while pending:
                with translated("read invoices"):
                    response = client("dynamodb").batch_get_item(RequestItems=pending)
                found.extend(
                    entity_items.from_item(codec.deserialize(i), Invoice)
                    for i in response["Responses"].get(self.table, [])
                )
                pending = response.get("UnprocessedKeys") or {}
        return [i for i in found if i.balance > 0 and not i.voided]

    def applied(self, customer_id: str, scope: str, idempotency_key: str) -> CreditApplicationRecord | None:
        guard = self._get(credit_application_items.credit_application_guard_key(customer_id, scope, idempotency_key))
        if guard is None:
            return None
        item = self._get(
            {
                "PK": customer_items.customer_pk(customer_id),
                "SK": credit_application_items.credit_application_sk(str(guard["application_id"])),
            }
        )
        return CreditApplicationRecord(**credit_application_items.credit_application_fields(item)) if item else None

    # --- the write -------------------------------------------------------------------------------------------

    def apply(
        self,
        plan: CreditPlan,
        record: CreditApplicationRecord,
        *,
        scope: str,
        idempotency_key: str,
        audit: AuditEvent,
    ) -> None:
        uow = DynamoUnitOfWork(self.table)
        uow.create(
            {
                **credit_application_items.credit_application_guard_key(record.customer_id, scope, idempotency_key),
                "type": "credit_application_key",
                "application_id": record.application_id,
            }
        )
        for source in plan.source_changes:
            _take_credit(uow, source)
        for change in plan.invoice_changes:
            _credit_invoice(uow, change)
        uow.create(credit_application_items.credit_application_item(record))
        detail = {
            "application_id": record.application_id,
            "customer_id": record.customer_id,
            "currency": record.currency,
            "applied": record.applied,
            "credit_left": record.credit_left,
            "parts": [dict(p) for p in record.parts],
            "actor": record.actor,
        }
        entity = event_entities.created("credit_application", record.application_id)
        uow.create(outbox_item("credit.applied", detail, at=audit.at, entity=entity))
        self.trail.append(uow, audit, head=None)  # each application starts its own chain
        uow.commit("apply credit")

    # --- helpers ---------------------------------------------------------------------------------------------

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        with translated("read"):
            response = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
        item = response.get("Item")
        return codec.deserialize(item) if item else None

    def _pages(self, request: dict[str, Any], operation: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            with translated(operation):
                response = client("dynamodb").query(**request)
            found.extend(codec.deserialize(i) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _take_credit(uow: DynamoUnitOfWork, source: SourceChange) -> None:
    """Decrement, not overwrite: ``remaining`` only ever falls, so ``remaining >= :amount`` is the whole guard,
    and a note emptied by this plan (amount == what was read) can only be emptied by it."""
    before, after = source.before, source.after
    new = after.applications[len(before.applications) :]
    moved, moved_values = movement_items.moved_now(after.customer_id)  # applied now: a statement line
    expression = (
        "SET remaining = remaining - :amount, applications = list_append(if_not_exists(applications, :none), :new)"
        f", {moved}"
    )
    if not entity_items.live_index_attributes(after):
        expression += " REMOVE OPK, OSK"
    for invoice_id in dict.fromkeys(a.invoice_id for a in new):  # the invoice's detail finds the note by these
        entry = invoice_items.applied_credit_item(after.customer_id, after.credit_note_id, invoice_id)
        uow.put(entry)
    uow.update(
        {"PK": customer_items.customer_pk(after.customer_id), "SK": invoice_items.credit_note_sk(after.credit_note_id)},
        update_expression=expression,
        condition="attribute_exists(PK) AND remaining >= :amount",
        values={
            ":amount": source.amount,
            ":none": [],
            ":new": [a.model_dump(mode="json") for a in new],
            **moved_values,
        },
    )


def _credit_invoice(uow: DynamoUnitOfWork, change: InvoiceChange) -> None:
    update_invoice_figures(
        uow,
        change.before.version,
        change.after,
        ("credited", "balance"),
        condition="balance >= :amount",
        values={":amount": change.amount},
    )
