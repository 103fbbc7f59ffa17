"""Saved payment methods in the customer's partition (``PM#<method_id>``), and the Idempotency-Key claims that
make their creation (and a schedule's) safe to repeat.

A create writes the record and its claim ``REQKEY#<scope>#<digest>`` in one transaction, the claim conditioned
on not existing: two requests with one key create one record, and the second finds the claim and replays it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from arportal import clock
from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    codec,
    customer_items,
    entity_items,
    payment_method_items,
    request_items,
    schedule_items,
)
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.models import SavedPaymentMethod, Schedule
from arportal.ports import MethodPage, RequestClaim


def read_claim(table: str, customer_id: str, scope: str, key: str) -> RequestClaim | None:
    with translated("read request claim"):
        response = client("dynamodb").get_item(
            TableName=table,
            Key=codec.serialize(
                {"PK": customer_items.customer_pk(customer_id), "SK": request_items.request_claim_sk(scope, key)}
            ),
            ConsistentRead=True,
        )
    item = response.get("Item")
    if not item:
        return None
    found = codec.deserialize(item)
    if int(found.get("expires_at", 0)) < clock.epoch_seconds():
        return None  # expired, and TTL has not swept it yet: the key is free again
    return RequestClaim(
        customer_id=customer_id,
        scope=scope,
        key=key,
        fingerprint=str(found["fingerprint"]),
        target_id=str(found["target_id"]),
    )


def claim_key_condition(uow: DynamoUnitOfWork, claim: RequestClaim, *, at: datetime) -> None:
    """Add the claim to ``uow``: new, or replacing one whose day has passed (TTL deletes lazily)."""
    item = request_items.request_claim_item(claim, at=at)
    uow.update(
        {"PK": item["PK"], "SK": item["SK"]},
        update_expression="SET #t = :t, #scope = :scope, fingerprint = :fp, target_id = :target, "
        "claimed_at = :at, expires_at = :exp",
        condition="attribute_not_exists(PK) OR expires_at < :now",
        names={"#t": "type", "#scope": "scope"},
        values={
            ":t": item["type"],
            ":scope": item["scope"],
            ":fp": item["fingerprint"],
            ":target": item["target_id"],
            ":at": item["claimed_at"],
            ":exp": item["expires_at"],
            ":now": int(at.timestamp()),
        },
    )


class DynamoPaymentMethods:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def methods(self, customer_id: str, *, limit: int, start: dict[str, object] | None = None) -> MethodPage:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :pm)",
            "ExpressionAttributeValues": {":pk": {"S": customer_items.customer_pk(customer_id)}, ":pm": {"S": "PM#"}},
            "Limit": limit,
        }
        if start:
            request["ExclusiveStartKey"] = start
        with translated("saved payment methods"):
            response = client("dynamodb").query(**request)
        found = [entity_items.from_item(codec.deserialize(i), SavedPaymentMethod) for i in response.get("Items", [])]
        return MethodPage(found, response.get("LastEvaluatedKey"))

    def method(self, customer_id: str, method_id: str) -> SavedPaymentMethod | None:
        with translated("saved payment method"):
            response = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize(
                    {
                        "PK": customer_items.customer_pk(customer_id),
                        "SK": payment_method_items.payment_method_sk(method_id),
                    }
                ),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return entity_items.from_item(codec.deserialize(item), SavedPaymentMethod) if item else None

    def claim(self, customer_id: str, scope: str, key: str) -> RequestClaim | None:
        return read_claim(self.table, customer_id, scope, key)

    def add(self, method: SavedPaymentMethod, *, claim: RequestClaim, unset_default: str | None) -> None:
        uow = Transaction(self.table, client_token=request_token())
        uow.create(payment_method_items.payment_method_item(method))
        claim_key_condition(uow, claim, at=method.created_at)
        if unset_default:
            uow.update(
                {
                    "PK": customer_items.customer_pk(method.customer_id),
                    "SK": payment_method_items.payment_method_sk(unset_default),
                },
                update_expression="SET is_default = :no",
                condition="attribute_exists(PK)",
                values={":no": False},
            )
        uow.commit("save payment method")

    def remove(
        self,
        method: SavedPaymentMethod,
        *,
        moved: Sequence[Schedule] = (),
        replacement: str | None = None,
    ) -> None:
        pk = customer_items.customer_pk(method.customer_id)
        uow = Transaction(self.table, client_token=request_token())
        uow.delete({"PK": pk, "SK": payment_method_items.payment_method_sk(method.method_id)})
        for schedule in moved:
            # Conditioned on still using the old method while active: a schedule changed meanwhile fails it all.
            uow.update(
                {"PK": pk, "SK": schedule_items.schedule_sk(schedule.schedule_id)},
                update_expression="SET payment_method_id = :new",
                condition="payment_method_id = :old AND active = :yes",
                values={":new": replacement, ":old": method.method_id, ":yes": True},
            )
        if replacement:
            uow.require_present({"PK": pk, "SK": payment_method_items.payment_method_sk(replacement)})
        uow.commit("remove payment method")


def request_token() -> str:
    """A ClientRequestToken, one per commit: the SDK re-sends it when it retries a commit whose answer was lost,
    and DynamoDB then answers with the first commit's success instead of failing on its own writes."""
    return uuid.uuid4().hex


class Transaction(DynamoUnitOfWork):
    """The unit of work plus deletes and existence checks, which closing schedules and removing methods need."""

    def delete(
        self, key: dict[str, str], *, must_exist: bool = True, only_if: tuple[str, dict[str, Any]] | None = None
    ) -> None:
        """``only_if``: a condition expression and its values, instead of the existence check."""
        action: dict[str, Any] = {"TableName": self._table, "Key": codec.serialize(key)}
        if only_if is not None:
            action["ConditionExpression"] = only_if[0]
            action["ExpressionAttributeValues"] = {k: codec.value(v) for k, v in only_if[1].items()}
        elif must_exist:
            action["ConditionExpression"] = "attribute_exists(PK)"
        self._actions.append({"Delete": action})

    def require_present(self, key: dict[str, str]) -> None:
        self._actions.append(
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": codec.serialize(key),
                    "ConditionExpression": "attribute_exists(PK)",
                }
            }
        )
