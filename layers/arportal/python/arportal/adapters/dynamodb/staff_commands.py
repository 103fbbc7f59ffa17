"""The staff console's writes that move no money: interactions logged on a customer's record (a profile's search
pointers are kept in line by ``search_pointers.py``, which the portal's profile writes share).

An interaction is written with the claim of its Idempotency-Key (``REQKEY#interaction#<digest>``) and its
audit record in one transaction, each conditioned on not existing yet, so a double submit writes once and an
interaction never exists without its audit record.
"""

from __future__ import annotations

from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    codec,
    customer_items,
    entity_items,
    interaction_items,
    invoice_items,
    payment_items,
)
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.models import AuditEvent, Interaction


class DynamoInteractionStore:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.audit = DynamoAuditTrail(audit_table_name)

    def references(
        self, customer_id: str, *, invoice_id: str | None, payment_id: str | None
    ) -> tuple[bool, bool, bool]:
        """One BatchGetItem of the profile and the named invoice and payment, all in the customer's partition:
        a record of another customer is simply not found there."""
        pk = customer_items.customer_pk(customer_id)
        wanted = [customer_items.profile_key(customer_id)]
        if invoice_id:
            wanted.append({"PK": pk, "SK": invoice_items.invoice_sk(invoice_id)})
        if payment_id:
            wanted.append({"PK": pk, "SK": payment_items.payment_sk(payment_id)})
        request = {self.table: {"Keys": [codec.serialize(k) for k in wanted], "ProjectionExpression": "PK, SK"}}
        with translated("check references"):
            response = client("dynamodb").batch_get_item(RequestItems=request)
        found = {str(codec.deserialize(i)["SK"]) for i in response.get("Responses", {}).get(self.table, [])}
        return (
            customer_items.PROFILE in found,
            not invoice_id or invoice_items.invoice_sk(invoice_id) in found,
            not payment_id or payment_items.payment_sk(payment_id) in found,
        )

    def record(
        self, interaction: Interaction, *, actor: str, idempotency_key: str, fingerprint: str, audit: AuditEvent
    ) -> None:
        uow = DynamoUnitOfWork(self.table)
        uow.create(
            interaction_items.interaction_claim_item(
                interaction, actor=actor, idempotency_key=idempotency_key, fingerprint=fingerprint
            )
        )
        uow.add_interaction(interaction)
        # Each interaction is its own audited entity, so its chain starts here: no head to read first.
        self.audit.append(uow, audit, head=None)
        uow.commit("record interaction")

    def recorded(self, customer_id: str, *, actor: str, idempotency_key: str) -> tuple[str, Interaction] | None:
        claim = self._get(interaction_items.interaction_claim_key(customer_id, actor, idempotency_key))
        if claim is None:
            return None
        item = self._get(
            {
                "PK": customer_items.customer_pk(customer_id),
                "SK": interaction_items.interaction_sk(str(claim["interaction_id"])),
            }
        )
        if item is None:
            return None
        return str(claim["fingerprint"]), entity_items.from_item(item, Interaction)

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        with translated("read interaction"):
            response = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
        item = response.get("Item")
        return codec.deserialize(item) if item else None
