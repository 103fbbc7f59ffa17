"""Which keys the staff console's paged lists hand out, so that a cursor handed back can be checked.

A cursor is a page's ``next_key`` (DynamoDB's ``LastEvaluatedKey``) in the one format of ``cursors.encode_key``,
given back by the client for the next page. Only storage knows what those keys look like, so the console's routes
ask here (through ``arportal.wiring.staff.cursors``) rather than build keys themselves:

- a list inside one partition (a customer's payments, invoices or interactions; the approvals queue) is described
  by a ``PageStart``: the partition every key of it carries, and what else a key of that list looks like;
- browsing the activity index walks back day by day across partitions, so its cursor is a position (a day, and
  the index key within that day to go on after) written as a key: the day's partition alone at a day's start.

The routes keep their own answers to a cursor that is not one of these (``staff_api.schemas_common.list_start``
and the activity route), as they were before storage described the keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from arportal.adapters.dynamodb import (
    customer_items,
    interaction_items,
    invoice_items,
    payment_items,
    staff_action_items,
    table_layout,
)
from arportal.ports import PageStart

StaffCustomerList = Literal["payments", "invoices", "interactions"]
_SORT_PREFIX: dict[StaffCustomerList, str] = {
    "payments": payment_items.PAYMENT_PREFIX,
    "invoices": invoice_items.INVOICE_PREFIX,
    "interactions": interaction_items.INTERACTION_PREFIX,
}
_ACTIVITY_INDEX_KEY = frozenset({"PK", "SK", "DAYPK", "DAYSK"})  # what a ByActivityDay Query's last key holds


class StaffListCursors:
    """The keys each of the console's lists can start a page after."""

    def customer_list(self, customer_id: str, listed: StaffCustomerList) -> PageStart:
        """A page of one of a customer's lists starts in their partition, at an item of that list."""
        prefix = _SORT_PREFIX[listed]
        return PageStart(
            {"PK": customer_items.customer_pk(customer_id)},
            lambda key: str(key.get("SK", {}).get("S", "")).startswith(prefix),
        )

    def approvals_queue(self) -> PageStart:
        """A page of the approvals queue starts anywhere in the queue's index partition."""
        return PageStart({"DAYPK": staff_action_items.APPROVALS_LIST})

    def activity_key(self, day: date, key: Mapping[str, Any] | None) -> dict[str, Any]:
        """A position of the activity browse as a key: ``key`` within ``day``, or just the day at its start."""
        return dict(key) if key else {"DAYPK": {"S": table_layout.activity_day_pk(day)}}

    def activity_position(self, key: Mapping[str, Any]) -> tuple[date, dict[str, Any] | None] | None:
        """The day, and the index key within it (None: the day's start), that a key from ``activity_key`` names;
        None when the key names no position of the activity index."""
        try:
            day = date.fromisoformat(str(key["DAYPK"]["S"]).removeprefix("DAY#"))
        except (KeyError, ValueError):
            return None
        if set(key) not in ({"DAYPK"}, _ACTIVITY_INDEX_KEY):
            return None
        return day, (dict(key) if len(key) > 1 else None)
