"""Open series of a payer's tries (``ports/payment_series.py``) in the ledger table:

    SERIES#<customer>#<what>   OPEN    the series' first attempt (id, when, channel, method), its last try's
                                       number, and ``expires_at`` (the table's TTL) a day after its window

``<what>`` is ``payment_series.series_key`` (a hash of the invoices paid). The item is written after the try is
posted, not in its transaction: a try whose item was not written starts a series of its own next time, which
only makes a retry count as a new series (never a payment counted twice). Its writes reach the ledger stream,
whose consumers take only ``OUTBOX#`` items.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb.errors import translated
from arportal.domain.errors import ConflictError
from arportal.domain.models import Channel, PaymentMethodType, SeriesRef
from arportal.domain.payment_series import OpenSeries


def series_item_key(customer_id: str, key: str) -> dict[str, str]:
    return {"PK": f"SERIES#{customer_id}#{key}", "SK": "OPEN"}


def open_series(table: str, customer_id: str, key: str, *, now: datetime) -> OpenSeries | None:
    with translated("read a payer's open series"):
        found = client("dynamodb").get_item(
            TableName=table, Key=codec.serialize(series_item_key(customer_id, key)), ConsistentRead=True
        )
    if "Item" not in found:
        return None
    item: dict[str, Any] = codec.deserialize(found["Item"])
    if int(item.get("expires_at", 0)) <= int(now.timestamp()):
        return None  # expired, and not removed yet (TTL deletes lag)
    ref = SeriesRef(
        series_id=str(item["series_id"]),
        started_at=datetime.fromisoformat(str(item["started_at"])),
        channel=Channel(str(item["channel"])),
        method=PaymentMethodType(str(item["method"])),
    )
    return OpenSeries(ref, int(item["attempt"]))


def keep_series(table: str, customer_id: str, key: str, series: OpenSeries, *, until: datetime) -> None:
    item = {
        **series_item_key(customer_id, key),
        "type": "payment_series",
        "series_id": series.ref.series_id,
        "started_at": series.ref.started_at.isoformat(),
        "channel": series.ref.channel.value,
        "method": series.ref.method.value,
        "attempt": series.attempt,
        "expires_at": int((until + timedelta(days=1)).timestamp()),
    }
    try:
        with translated("keep a payer's open series"):
            client("dynamodb").put_item(
                TableName=table,
                Item=codec.serialize(item),
                # A slower, earlier try never takes the place of a later one of the same series.
                ConditionExpression="attribute_not_exists(PK) OR series_id <> :s OR attempt < :a",
                ExpressionAttributeValues=codec.serialize({":s": series.ref.series_id, ":a": series.attempt}),
            )
    except ConflictError:
        pass


def close_series(table: str, customer_id: str, key: str, series_id: str) -> None:
    try:
        with translated("close a payer's series"):
            client("dynamodb").delete_item(
                TableName=table,
                Key=codec.serialize(series_item_key(customer_id, key)),
                ConditionExpression="series_id = :s",
                ExpressionAttributeValues=codec.serialize({":s": series_id}),
            )
    except ConflictError:
        pass


class SeriesItems:
    """``SeriesTracking`` for a ledger adapter on ``self.table`` (the payment posting adapter keeps the series)."""

    table: str

    def open_series(self, customer_id: str, key: str, *, now: datetime) -> OpenSeries | None:
        return open_series(self.table, customer_id, key, now=now)

    def keep_series(self, customer_id: str, key: str, series: OpenSeries, *, until: datetime) -> None:
        keep_series(self.table, customer_id, key, series, until=until)

    def close_series(self, customer_id: str, key: str, series_id: str) -> None:
        close_series(self.table, customer_id, key, series_id)
