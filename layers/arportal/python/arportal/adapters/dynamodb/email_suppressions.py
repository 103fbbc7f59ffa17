"""The suppressed addresses (SES bounces and complaints) and their marks on customers' records.

    EMAILSUP#<address>  SUPPRESSION           the address we no longer write to: read before every send
    CUST#<id>           #EMAIL_SUPPRESSION    the mark on a customer whose profile email it was (partition header)
                        INT#<interaction_id>  the note staff read on the record (``interaction_items``)

The address item is what sending checks, so a profile rewritten by a connected system cannot lose it; the mark
sits in the partition header the staff record reads anyway. Both are written once per address, in the same
transaction as the notes and their audit records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, search_items
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.tables import BY_NAME
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.email_feedback import FeedbackKind, Suppression, normalise_address
from arportal.domain.errors import ConflictError
from arportal.domain.models import AuditEvent, Interaction

ADDRESS_SK = "SUPPRESSION"
CUSTOMER_MARK = "#EMAIL_SUPPRESSION"
MAX_CUSTOMERS = 20  # 1 + 4 writes each stays within a transaction's 100


def address_key(address: str) -> dict[str, str]:
    return {"PK": f"EMAILSUP#{normalise_address(address)}", "SK": ADDRESS_SK}


def customer_mark_key(customer_id: str) -> dict[str, str]:
    return {"PK": customer_items.customer_pk(customer_id), "SK": CUSTOMER_MARK}


def _fields(suppression: Suppression) -> dict[str, Any]:
    return {
        "type": "email_suppression",
        "address": suppression.address,
        "kind": suppression.kind.value,
        "detail": suppression.detail,
        "at": suppression.at.isoformat(),
        "feedback_id": suppression.feedback_id,
    }


def suppression_from_item(item: dict[str, Any]) -> Suppression:
    return Suppression(
        address=str(item["address"]),
        kind=FeedbackKind(str(item["kind"])),
        detail=str(item["detail"]),
        at=datetime.fromisoformat(str(item["at"])),
        feedback_id=str(item["feedback_id"]),
    )


class DynamoEmailSuppressions:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.audit = DynamoAuditTrail(audit_table_name)

    def suppression(self, address: str) -> Suppression | None:
        return self._get(address_key(address))

    def customer_suppression(self, customer_id: str) -> Suppression | None:
        return self._get(customer_mark_key(customer_id))

    def customers_with_email(self, address: str) -> list[str]:
        """The profiles' email search pointers (ByName: ``EMAIL#<first char>``, ``<address>#<customer id>``)."""
        email = search_items.normalise_email(address)
        with translated("customers by email"):
            response = client("dynamodb").query(
                TableName=self.table,
                IndexName=BY_NAME,
                KeyConditionExpression="NPK = :p AND begins_with(NSK, :prefix)",
                ExpressionAttributeValues=codec.serialize(
                    {":p": search_items.email_partition(email), ":prefix": f"{email}#"}
                ),
                Limit=MAX_CUSTOMERS,
            )
        ids = (customer_items.customer_id_from_pk(str(codec.deserialize(i)["PK"])) for i in response.get("Items", []))
        return sorted({cid for cid in ids if cid})

    def suppress(self, suppression: Suppression, notes: Sequence[tuple[Interaction, AuditEvent]]) -> bool:
        uow = DynamoUnitOfWork(self.table)
        uow.create({**address_key(suppression.address), **_fields(suppression)})
        for interaction, audit in notes[:MAX_CUSTOMERS]:
            # A mark of an earlier address of the customer is replaced: the record shows the latest.
            mark = {**customer_mark_key(interaction.customer_id), **_fields(suppression)}
            uow.add([{"Put": {"TableName": self.table, "Item": codec.serialize(mark)}}])
            uow.add_interaction(interaction)
            self.audit.append(uow, audit, head=None)  # each note is its own audited entity
        try:
            uow.commit("suppress an email address")
        except ConflictError as exc:
            reasons = (exc.details or {}).get("reasons") or []
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return False  # the address item exists: suppressed before
            raise
        return True

    def _get(self, key: dict[str, str]) -> Suppression | None:
        with translated("read email suppression"):
            response = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key))
        item = response.get("Item")
        return suppression_from_item(codec.deserialize(item)) if item else None
