"""The last good answer of each connected system, per customer: ``CUST#<id> / #BALANCE#<department>``.

Kept in the customer's partition, so the customer record's first query (the partition header) reads them for
free; a connected system that is down costs no extra read to explain.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items
from arportal.adapters.dynamodb.errors import translated
from arportal.domain.balances import SourceBalance
from arportal.domain.errors import ConflictError, DomainError

logger = logging.getLogger(__name__)


class DynamoLastKnownBalances:
    def __init__(self, table_name: str, *, known: Mapping[str, SourceBalance] | None = None) -> None:
        """``known``: what the partition header already read (by department); other departments are read."""
        self.table = table_name
        self._known = dict(known) if known is not None else None

    def last_known(self, customer_id: str, department: str) -> SourceBalance | None:
        if self._known is not None:
            return self._known.get(department)
        try:
            with translated("last known balance"):
                response = client("dynamodb").get_item(
                    TableName=self.table, Key=codec.serialize(customer_items.last_balance_key(customer_id, department))
                )
        except DomainError:
            logger.warning("could not read the last known balance", exc_info=True)
            return None
        item = response.get("Item")
        return customer_items.last_balance_from_item(codec.deserialize(item)) if item else None

    def remember(self, customer_id: str, balance: SourceBalance) -> None:
        """A put conditioned on being newer, so racing containers cannot put an older answer back."""
        item = customer_items.last_balance_item(customer_id, balance)
        try:
            with translated("remember balance"):
                client("dynamodb").put_item(
                    TableName=self.table,
                    Item=codec.serialize(item),
                    ConditionExpression="attribute_not_exists(PK) OR as_of < :as_of",
                    ExpressionAttributeValues={":as_of": codec.value(item["as_of"])},
                )
        except ConflictError:
            return  # a newer answer is already kept
        except DomainError:
            # The answer itself is good and is shown; failing to keep it only weakens a later outage's answer.
            logger.warning("could not remember a balance", exc_info=True)
            return
        if self._known is not None:
            self._known[balance.department] = balance
