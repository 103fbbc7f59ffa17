"""A unit of work: every write of one business operation committed as a single ``TransactWriteItems``.

Invariant: a money change (payment, its allocations, invoice balance updates conditional on the expected
version, receipt, audit record, outbox event) is applied entirely or not at all, and a retried commit
cannot apply twice, because each new item is conditioned on ``attribute_not_exists(PK)`` and each update
on the version it read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb.errors import translated
from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import Interaction

MAX_ITEMS = 100  # DynamoDB's limit per transaction


class DynamoUnitOfWork:
    def __init__(self, table_name: str, *, client_token: str | None = None) -> None:
        self._table = table_name
        self._actions: list[dict[str, Any]] = []
        # (customer, currency, month) -> what this unit adds to the customer's balance checkpoint of that month
        self._balance: dict[tuple[str, str, str], int] = {}
        # day -> kind -> interactions this unit records (one ADD per day at commit: a transaction touches an
        # item once, and a bounce notes several customers at once)
        self._interactions: dict[date, dict[str, int]] = {}
        # DynamoDB makes a transaction with the same token idempotent for 10 minutes.
        self._client_token = client_token

    @property
    def size(self) -> int:
        return len(self._actions)  # positions of the actions so far (the checkpoint months go last, at commit)

    def add_to_balance(self, customer_id: str | None, currency: str, months: Mapping[str, int]) -> None:
        """What the unit's records add to the customer's months (``balance_checkpoints``): merged per month and
        written at commit, one ``ADD`` each, in the same transaction as the records."""
        if not customer_id:
            return  # a guest's payment is on no statement
        for month, delta in months.items():
            key = (customer_id, currency, month)
            self._balance[key] = self._balance.get(key, 0) + delta

    def add_interaction(self, interaction: Interaction) -> None:
        """Create the interaction's item and count it on its day (``daily_total_items``), in this transaction."""
        from arportal.adapters.dynamodb import entity_items

        self.create(entity_items.to_item(interaction))
        counts = self._interactions.setdefault(interaction.at.date(), {})  # its activity-index day
        counts[interaction.kind.value] = counts.get(interaction.kind.value, 0) + 1

    def create(self, item: dict[str, Any], *, table: str | None = None) -> None:
        """Add an item that must not exist yet."""
        self._actions.append(
            {
                "Put": {
                    "TableName": table or self._table,
                    "Item": codec.serialize(item),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        )

    def put(self, item: dict[str, Any]) -> None:
        """Write ``item`` whole, whatever is there: an entry that may be written again, the same each time."""
        self._actions.append({"Put": {"TableName": self._table, "Item": codec.serialize(item)}})

    def put_if(
        self,
        item: dict[str, Any],
        *,
        condition: str,
        values: dict[str, Any] | None = None,
        names: dict[str, str] | None = None,
        table: str | None = None,
    ) -> None:
        """Write ``item`` whole if ``condition`` holds (e.g. a chain head that must still be at a given seq)."""
        action: dict[str, Any] = {
            "TableName": table or self._table,
            "Item": codec.serialize(item),
            "ConditionExpression": condition,
        }
        if values:
            action["ExpressionAttributeValues"] = {k: codec.value(v) for k, v in values.items()}
        if names:
            action["ExpressionAttributeNames"] = names
        self._actions.append({"Put": action})

    def replace(self, item: dict[str, Any], *, expected_version: int) -> None:
        """Overwrite an item only if it still has the version that was read."""
        self._actions.append(
            {
                "Put": {
                    "TableName": self._table,
                    "Item": codec.serialize(item),
                    "ConditionExpression": "#v = :expected",
                    "ExpressionAttributeNames": {"#v": "version"},
                    "ExpressionAttributeValues": {":expected": codec.value(expected_version)},
                }
            }
        )

    def update(
        self,
        key: dict[str, str],
        *,
        update_expression: str,
        condition: str,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> None:
        action: dict[str, Any] = {
            "TableName": self._table,
            "Key": codec.serialize(key),
            "UpdateExpression": update_expression,
            "ConditionExpression": condition,
        }
        if names:
            action["ExpressionAttributeNames"] = names
        if values:
            action["ExpressionAttributeValues"] = {k: codec.value(v) for k, v in values.items()}
        self._actions.append({"Update": action})

    def require_absent(self, key: dict[str, str]) -> None:
        """Fail the whole transaction if ``key`` exists (e.g. a payment already posted)."""
        self._actions.append(
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": codec.serialize(key),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        )

    def add(self, actions: Iterable[dict[str, Any]]) -> None:
        """Actions built elsewhere in the wire format (e.g. ``search_pointers.pointer_actions``)."""
        self._actions.extend(actions)

    def commit(self, operation: str) -> None:
        from arportal.adapters.dynamodb.balance_checkpoints import add_action
        from arportal.adapters.dynamodb.daily_total_items import interactions_update

        balance, self._balance = self._balance, {}
        self._actions += [add_action(self._table, *key, delta) for key, delta in sorted(balance.items()) if delta]
        counted, self._interactions = self._interactions, {}
        self._actions += [
            {"Update": {"TableName": self._table, **interactions_update(day, counts)}}
            for day, counts in sorted(counted.items())
        ]
        if not self._actions:
            return
        if len(self._actions) > MAX_ITEMS:
            raise BusinessRuleError(f"{operation} touches {len(self._actions)} records; at most {MAX_ITEMS} at once")
        request: dict[str, Any] = {"TransactItems": self._actions}
        if self._client_token:
            request["ClientRequestToken"] = self._client_token
        with translated(operation):
            client("dynamodb").transact_write_items(**request)
        self._actions = []
