"""Payment intents in the ledger table (``domain/payment_intents.py``).

Item ``PAYINTENT#<charge key>`` / ``PAYINTENT``: the intent's fields (``type = payment_intent``), plus, while it is
open, ``OPK = PAYINTENTS#OPEN`` and ``OSK = <created_at>#<charge key>`` (the OpenItems index: the reconciler's one
query for open intents older than a cut-off).

Writes:
- opening: one conditional put, ``attribute_not_exists(PK)`` or (not posted and the same customer, amount and
  currency): a retry re-opens its own intent with a new ``attempt_id`` and ``created_at``; a posted one stays;
- closing by the posting: an update in the posting's transaction (``close_posted``): ``status = posted``, the
  payment id, the open index attributes removed; the posting's ``PAYKEY#`` guard already makes it once;
- closing by the reconciler without a payment: an update conditioned on ``status = open`` and the ``attempt_id``
  read, with its hash-chained audit record (entity ``payment_intent``, one chain per intent) and outbox events,
  in one transaction;
- a closed intent expires 90 days later (the table's TTL): the payment, its ``PAYKEY#`` guard (which answers a
  late retry) and the audit records stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, payment_items, table_layout
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.outbox import outbox_item
from arportal.adapters.dynamodb.tables import OPEN_ITEMS
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.errors import ConflictError
from arportal.domain.models import AuditEvent
from arportal.domain.payment_intents import (
    IntentOutcome,
    IntentStatus,
    LedgerEvent,
    PaymentIntent,
    closing_status,
)

ITEM_TYPE = "payment_intent"
CLOSED_RETENTION_S = 90 * 86_400  # a closed intent expires (table TTL); its audit records and payment stay
_INDEX_ATTRIBUTES = ("OPK", "OSK")


def intent_item(intent: PaymentIntent) -> dict[str, Any]:
    body = _without_none(intent.model_dump(mode="json"))
    item = {**body, **payment_items.payment_intent_key(intent.charge_key), "type": ITEM_TYPE}
    if intent.status is IntentStatus.OPEN:
        item |= {
            "OPK": payment_items.OPEN_INTENTS,
            "OSK": payment_items.open_intent_osk(intent.created_at, intent.charge_key),
        }
    return item


def intent_from_item(item: dict[str, Any]) -> PaymentIntent:
    body = {
        k: table_layout.plain(v)
        for k, v in item.items()
        if k not in table_layout.KEY_ATTRIBUTES and k not in _INDEX_ATTRIBUTES and k != "expires_at"
    }
    return PaymentIntent.model_validate(body)


def put_open(table: str, intent: PaymentIntent) -> PaymentIntent | None:
    """Record ``intent`` open (see the module); None when recorded, else the intent stored under its key."""
    if intent.status is not IntentStatus.OPEN:
        raise ValueError("only an open intent is recorded before a charge")
    try:
        with translated("record payment intent"):
            client("dynamodb").put_item(
                TableName=table,
                Item=codec.serialize(intent_item(intent)),
                ConditionExpression=(
                    "attribute_not_exists(PK) OR (#status <> :posted AND customer_id = :customer "
                    "AND amount = :amount AND currency = :currency)"
                ),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=codec.serialize(
                    {
                        ":posted": IntentStatus.POSTED.value,
                        ":customer": intent.customer_id,
                        ":amount": intent.amount,
                        ":currency": intent.currency,
                    }
                ),
            )
    except ConflictError:
        stored = read(table, intent.charge_key)
        if stored is None:  # removed in between: cannot happen (nothing deletes intents), so say so
            raise
        return stored
    return None


def read(table: str, charge_key: str) -> PaymentIntent | None:
    with translated("read payment intent"):
        response = client("dynamodb").get_item(
            TableName=table, Key=codec.serialize(payment_items.payment_intent_key(charge_key)), ConsistentRead=True
        )
    item = response.get("Item")
    return intent_from_item(codec.deserialize(item)) if item else None


def close_posted(uow: DynamoUnitOfWork, intent: PaymentIntent, *, payment_id: str, at: datetime, by: str) -> None:
    """Close ``intent`` in the transaction that posts its payment (the payment's key guard makes it once)."""
    uow.update(
        payment_items.payment_intent_key(intent.charge_key),
        update_expression=(
            "SET #status = :posted, outcome = :outcome, payment_id = :payment, closed_at = :at, closed_by = :by, "
            "expires_at = :expires REMOVE OPK, OSK"
        ),
        condition="attribute_exists(PK)",
        names={"#status": "status"},
        values={
            ":posted": IntentStatus.POSTED.value,
            ":outcome": IntentOutcome.POSTED.value,
            ":payment": payment_id,
            ":at": at.isoformat(),
            ":by": by,
            ":expires": _expiry(at),
        },
    )


def add_events(uow: DynamoUnitOfWork, events: Sequence[LedgerEvent], *, at: datetime) -> None:
    for event in events:
        uow.create(outbox_item(event.detail_type, dict(event.detail), at=at, entity=event.entity))


class DynamoPaymentIntents:
    """The reconciler's store (``ports.payments.IntentStore``)."""

    def __init__(self, table_name: str, audit_table_name: str) -> None:
        from arportal.adapters.dynamodb.audit import DynamoAuditTrail  # the payment path does not load it

        self.table = table_name
        self.trail = DynamoAuditTrail(audit_table_name)

    def open_intents(self, *, created_before: datetime, limit: int) -> list[PaymentIntent]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": OPEN_ITEMS,
            "KeyConditionExpression": "OPK = :open AND OSK < :cutoff",
            "ExpressionAttributeValues": codec.serialize(
                {":open": payment_items.OPEN_INTENTS, ":cutoff": table_layout.index_time(created_before)}
            ),
            "Limit": limit,
        }
        found: list[PaymentIntent] = []
        while len(found) < limit:
            with translated("open payment intents"):
                response = client("dynamodb").query(**request)
            found.extend(intent_from_item(codec.deserialize(i)) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
            request["Limit"] = limit - len(found)
        return found[:limit]

    def intent(self, charge_key: str) -> PaymentIntent | None:
        return read(self.table, charge_key)

    def close_intent(
        self,
        intent: PaymentIntent,
        *,
        outcome: IntentOutcome,
        at: datetime,
        audit: AuditEvent,
        events: Sequence[LedgerEvent] = (),
        payment_id: str | None = None,
        code: str | None = None,
    ) -> None:
        status = closing_status(outcome)
        sets = [
            "#status = :status",
            "outcome = :outcome",
            "closed_at = :at",
            "closed_by = :by",
            "expires_at = :expires",
        ]
        values: dict[str, Any] = {
            ":status": status.value,
            ":outcome": outcome.value,
            ":at": at.isoformat(),
            ":by": audit.actor,
            ":expires": _expiry(at),
            ":open": IntentStatus.OPEN.value,
            ":attempt": intent.attempt_id,
        }
        if payment_id is not None:
            sets.append("payment_id = :payment")
            values[":payment"] = payment_id
        if code is not None:
            sets.append("code = :code")
            values[":code"] = code
        uow = DynamoUnitOfWork(self.table)
        uow.update(
            payment_items.payment_intent_key(intent.charge_key),
            update_expression=f"SET {', '.join(sets)} REMOVE OPK, OSK",
            condition="#status = :open AND attempt_id = :attempt",
            names={"#status": "status"},
            values=values,
        )
        add_events(uow, events, at=at)
        # One chain per intent: a retry may re-open a closed intent, and its next closing extends the chain.
        self.trail.append(uow, audit, head=self.trail.head(audit.entity_type, audit.entity_id))
        uow.commit("close payment intent")


def _expiry(at: datetime) -> int:
    return int(at.timestamp()) + CLOSED_RETENTION_S


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    if isinstance(value, float):  # never: money is integer minor units
        raise TypeError("floats are not stored; use integer minor units")
    return value
