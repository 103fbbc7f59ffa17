"""DynamoDB implementation of ``PaymentTrailStore``: where a payment's money went after it posted, by key only.

    PAYOUT#<payout_id>     PAYOUT           the payout (payout_items.py), also the deposit the bank gets
    DEPOSITED#<payment>    DEPOSIT          a counter payment closed out of its drawer: deposit_id, closed_at/by
    PAYOUT#<deposit_id>    PAYOUT           that deposit (processor ``counter``)

One BatchGetItem, and a GetItem more for a counter payment's deposit (its id is on the close-out item).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, payout_items
from arportal.adapters.dynamodb.drawer_items import deposited_key
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.readback import batch_items
from arportal.domain.payment_trail import DrawerDeposit, Payout
from arportal.ports import PaymentMoneyOut


class DynamoPaymentTrail:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def money_out(self, payment_id: str, *, payout_id: str | None) -> PaymentMoneyOut:
        keys = [deposited_key(payment_id)]
        if payout_id:
            keys.append(payout_items.payout_key(payout_id))
        found = {(str(i["PK"]), str(i["SK"])): i for i in batch_items(self.table, keys, consistent=True)}
        payout_item = found.get(_pair(payout_items.payout_key(payout_id))) if payout_id else None
        closed = found.get(_pair(deposited_key(payment_id)))
        drawer = _drawer_deposit(closed) if closed else None
        if drawer is not None and payout_item is None:
            payout_item = self._get(payout_items.payout_key(drawer.deposit_id))
        return PaymentMoneyOut(
            payout=_payout(payout_item) if payout_item else None,
            drawer_deposit=drawer,
        )

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        with translated("read a deposit"):
            item = (
                client("dynamodb")
                .get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
                .get("Item")
            )
        return codec.deserialize(item) if item else None


def _pair(key: dict[str, str]) -> tuple[str, str]:
    return key["PK"], key["SK"]


def _payout(item: dict[str, Any]) -> Payout:
    record = payout_items.payout_of(item)
    return Payout(
        payout_id=record.payout_id,
        processor=record.processor,
        amount=record.amount,
        arrival_date=record.arrival_date,
        bank_trace_id=record.bank_trace_id,
        deposit_status=record.deposit_status,
        deposited_by=record.deposited_by,
        deposited_at=record.deposited_at,
        bank_line_key=record.bank_line_key,
        bank_booked_on=record.bank_booked_on,
        bank_file_id=record.bank_file_id,
    )


def _drawer_deposit(item: dict[str, Any]) -> DrawerDeposit:
    return DrawerDeposit(
        deposit_id=str(item["deposit_id"]),
        closed_at=datetime.fromisoformat(str(item["closed_at"])),
        closed_by=str(item["closed_by"]),
    )
