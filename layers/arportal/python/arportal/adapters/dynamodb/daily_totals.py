"""The daily totals store (``ports/daily_totals.py``): items laid out by ``daily_total_items``."""

from __future__ import annotations

from datetime import date
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, daily_total_items, entity_items, payment_items
from arportal.adapters.dynamodb.errors import translated
from arportal.domain.daily_totals import Share, difference
from arportal.domain.errors import ConflictError
from arportal.domain.models import Allocation, InteractionKind, Payment
from arportal.ports import DayTotals, HeldShare


class DynamoDailyTotals:
    def __init__(self, table_name: str) -> None:
        self.table = table_name
        self.items_read = 0  # day items read by ``days``: what a report costs (the bench and tests count it)

    def payment_now(self, customer_id: str, payment_id: str) -> tuple[Payment, list[Allocation]] | None:
        pk = customer_items.customer_pk(customer_id) if customer_id else "GUEST"
        with translated("read payment for the daily totals"):
            response = client("dynamodb").query(
                TableName=self.table,
                KeyConditionExpression="PK = :pk AND SK BETWEEN :from AND :to",
                ExpressionAttributeValues={
                    ":pk": {"S": pk},
                    ":from": {"S": payment_items.allocations_prefix(payment_id)},
                    ":to": {"S": payment_items.allocations_prefix(payment_id) + "\uffff"},
                },
                ConsistentRead=True,
            )
            found = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize({"PK": pk, "SK": payment_items.payment_sk(payment_id)}),
                ConsistentRead=True,
            )
        if "Item" not in found:
            return None
        allocations = [entity_items.from_item(codec.deserialize(i), Allocation) for i in response.get("Items", [])]
        return entity_items.from_item(codec.deserialize(found["Item"]), Payment), allocations

    def held_share(self, customer_id: str, payment_id: str) -> HeldShare | None:
        with translated("read a payment's share"):
            found = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize(daily_total_items.share_key(customer_id, payment_id)),
                ConsistentRead=True,
            )
        if "Item" not in found:
            return None
        version, share = daily_total_items.share_of_item(codec.deserialize(found["Item"]))
        return HeldShare(version, share)

    def replace_share(
        self, customer_id: str, payment_id: str, *, held: HeldShare | None, version: int, share: Share
    ) -> None:
        put: dict[str, Any] = {
            "TableName": self.table,
            "Item": codec.serialize(daily_total_items.share_item(customer_id, payment_id, version, share)),
        }
        if held is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :held"
            put["ExpressionAttributeValues"] = {":held": {"N": str(held.version)}}
        writes: list[dict[str, Any]] = [{"Put": put}]
        old = held.share if held else None
        before = {(old.currency, d): c for d, c in old.by_day().items()} if old else {}
        after = {(share.currency, d): c for d, c in share.by_day().items()}
        # The discrepancy flag lives on the payment's own day: added or removed only where it changes.
        flags: dict[tuple[str, date], bool] = {}
        if old is not None and old.discrepancy:
            flags[(old.currency, old.day)] = False
        if share.discrepancy:
            flags[(share.currency, share.day)] = True
        same_day = old is not None and (old.currency, old.day) == (share.currency, share.day)
        if same_day and old is not None and old.discrepancy == share.discrepancy:
            flags.pop((share.currency, share.day), None)
        for currency, day in sorted(set(before) | set(after) | set(flags)):
            delta = difference(after.get((currency, day), {}), before.get((currency, day), {}))
            writes += self._updates(currency, day, delta, payment_id, flags.get((currency, day)))
        with translated("fold a payment into its day"):
            client("dynamodb").transact_write_items(TransactItems=writes)

    def _updates(
        self, currency: str, day: date, delta: dict[str, int], payment_id: str, flag: bool | None
    ) -> list[dict[str, Any]]:
        update = daily_total_items.counters_update(currency, day, delta, payment_id=payment_id, discrepancy=flag)
        return [{"Update": {"TableName": self.table, **update}}] if update else []

    def days(self, currency: str, start: date, end: date) -> list[DayTotals]:
        return self._days(daily_total_items.totals_key(currency, start), daily_total_items.totals_key(currency, end))

    def interaction_days(self, start: date, end: date) -> list[DayTotals]:
        return self._days(daily_total_items.interactions_key(start), daily_total_items.interactions_key(end))

    def recount_interactions(self, day: date, counts: dict[str, int]) -> bool:
        """Raise the day's interaction counters to ``counts`` (a rebuild's count of the day's interactions), unless
        an interaction was counted since they were read; False if one was (the rebuild reads again). Never lowers
        one: each interaction is counted once, so a counter is never above the truth, while the index the rebuild
        counts from may not show the newest interactions yet."""
        key = daily_total_items.interactions_key(day)
        with translated("read interaction totals"):
            found = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
        held = codec.deserialize(found["Item"]) if "Item" in found else None
        _, now, _ = daily_total_items.counters_of_item(held) if held else (day, {}, [])
        counted = {f"{daily_total_items.INTERACTION}{k}": n for k, n in counts.items() if n}  # as counters_of_item
        wanted = {name: max(counted.get(name, 0), now.get(name, 0)) for name in sorted(set(counted) | set(now))}
        if now == wanted:
            return True
        item = {**key, "type": "interaction_totals", **{daily_total_items.COUNTER + k: n for k, n in wanted.items()}}
        put: dict[str, Any] = {"TableName": self.table, "Item": codec.serialize(item)}
        if held is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:  # every kind's counter as read: an ADD between the read and this write fails it
            names = {f"#c{i}": daily_total_items.interaction_counter(k) for i, k in enumerate(InteractionKind)}
            values = {f":c{i}": codec.value(held[n]) for i, n in enumerate(names.values()) if n in held}
            put["ConditionExpression"] = " AND ".join(
                f"#c{i} = :c{i}" if f":c{i}" in values else f"attribute_not_exists(#c{i})" for i in range(len(names))
            )
            put["ExpressionAttributeNames"] = names
            if values:
                put["ExpressionAttributeValues"] = values
        try:
            with translated("recount interactions"):
                client("dynamodb").put_item(**put)
        except ConflictError:
            return False
        return True

    def _days(self, first: dict[str, str], last: dict[str, str]) -> list[DayTotals]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :from AND :to",
            "ExpressionAttributeValues": {
                ":pk": {"S": first["PK"]},
                ":from": {"S": first["SK"]},
                ":to": {"S": last["SK"]},
            },
        }
        out: list[DayTotals] = []
        while True:
            with translated("read daily totals"):
                response = client("dynamodb").query(**request)
            for raw in response.get("Items", []):
                day, counters, discrepancies = daily_total_items.counters_of_item(codec.deserialize(raw))
                out.append(DayTotals(day, counters, discrepancies))
            self.items_read += len(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return out
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
