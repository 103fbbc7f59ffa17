"""What the metrics read beside the daily totals (``ports/daily_totals.MetricsSources``): the GL journals of a
range's banking days and the deposits arriving in it, from the items journals and settlement keep
(``journals.py``, ``payout_items.py``).

A day's batches are ``JOURNAL#GL-<agency>-<yyyymmdd>-<nn>``, sequences from 01 without gaps, nearly always one (a
correction adds two). So the first three of every day are asked for at once (one BatchGetItem per 33 days: a
year's ~250 banking days in 8 round trips), and only a day holding a third goes on to the rest. A batch keeps the
GL side of its receipts (``receipts``); one stored before it did is read from its JSON file (one S3 GET, counted
in ``files_read``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, payment_items, payout_items
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.journals import MAX_SEQUENCE, batch_key
from arportal.adapters.dynamodb.readback import batch_items
from arportal.adapters.dynamodb.tables import OPEN_ITEMS
from arportal.domain.errors import BusinessRuleError
from arportal.domain.gl_variance import JournalDay, receipts_of_json
from arportal.domain.journals import batch_id_for
from arportal.domain.models import Payment
from arportal.ports.daily_totals import Deposit, DepositPaymentsPage
from arportal.ports.journals import JournalFiles

FIRST_ASKED = 3  # a day's batches asked for at first: its own, and a correction's two


class InvalidDepositCursorError(BusinessRuleError):
    code = "invalid_cursor"


class DynamoMetricsSources:
    def __init__(self, table_name: str, files: JournalFiles, agency: str) -> None:
        self.table = table_name
        self.files = files
        self.agency = agency
        self.files_read = 0  # JSON files read for batches stored without their receipts

    # --- GL journals ---------------------------------------------------------------------------------------

    def journal_days(self, days: Sequence[date]) -> dict[date, JournalDay | None]:
        found = self._batches(days, range(1, FIRST_ASKED + 1))
        full = [d for d in days if len(found.get(d, [])) >= FIRST_ASKED]
        for day, more in self._batches(full, range(FIRST_ASKED + 1, MAX_SEQUENCE + 1)).items():
            found[day] = [*found.get(day, []), *more]
        out: dict[date, JournalDay | None] = {}
        for day in days:
            batches = found.get(day, [])
            if not batches:
                out[day] = None
                continue
            receipts: dict[str, int] = {}
            for batch in batches:
                for currency, amount in self._receipts(batch).items():
                    receipts[currency] = receipts.get(currency, 0) + amount
            out[day] = JournalDay(day, receipts, any(b.get("reverses") for b in batches))
        return out

    def _batches(self, days: Sequence[date], sequences: range) -> dict[date, list[dict[str, Any]]]:
        keys = [batch_key(batch_id_for(self.agency, d, n)) for d in days for n in sequences]
        found: dict[date, list[dict[str, Any]]] = {}
        for item in batch_items(self.table, keys, consistent=False) if keys else []:
            found.setdefault(date.fromisoformat(str(item["business_date"])), []).append(item)
        return found

    def _receipts(self, batch: dict[str, Any]) -> dict[str, int]:
        if "receipts" in batch:
            return {str(r[0]): int(r[1]) for r in batch["receipts"]}
        self.files_read += 1
        return receipts_of_json(json.loads(self.files.get(str(batch["json_key"]))))

    # --- deposits ------------------------------------------------------------------------------------------

    def deposits(self, start: date, end: date) -> list[Deposit]:
        out: list[Deposit] = []
        request = self._arrivals(start, end)
        while True:
            with translated("read deposits for the metrics"):
                response = client("dynamodb").query(**request)
            out += [_deposit(codec.deserialize(i)) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return out
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def deposit_payments(
        self, start: date, end: date, *, currency: str, limit: int, cursor: str | None
    ) -> DepositPaymentsPage:
        """Deposits in arrival order, each one's payment lines in order; the cursor names the deposit and the
        line to go on after, so a page never skips nor repeats one."""
        resume, after_line = _decode(cursor, start, end)
        refs: list[tuple[str, str | None]] = []

        def take(item: dict[str, Any], after: str | None) -> str | None:
            """Add the deposit's payments; the cursor when the page is full."""
            deposit = _deposit(item)
            if deposit.currency != currency or deposit.deposited_on is None or deposit.deposited_on < deposit.arrival:
                return None
            lines, last = self._lines(deposit.deposit_id, limit - len(refs), after)
            refs.extend(lines)
            return _encode(item, last) if len(refs) >= limit else None

        request = self._arrivals(start, end)
        if resume is not None:
            request["ExclusiveStartKey"] = codec.serialize(resume)
            if after_line is not None:
                with translated("read a deposit for the metrics"):
                    found = client("dynamodb").get_item(
                        TableName=self.table, Key=codec.serialize({"PK": resume["PK"], "SK": resume["SK"]})
                    )
                if "Item" in found and (next_cursor := take(codec.deserialize(found["Item"]), after_line)):
                    return DepositPaymentsPage(self._payments(refs), next_cursor)
        while True:
            with translated("read deposits for the metrics"):
                response = client("dynamodb").query(**request)
            for raw in response.get("Items", []):
                if next_cursor := take(codec.deserialize(raw), None):
                    return DepositPaymentsPage(self._payments(refs), next_cursor)
            if "LastEvaluatedKey" not in response:
                return DepositPaymentsPage(self._payments(refs), None)
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _arrivals(self, start: date, end: date) -> dict[str, Any]:
        return {
            "TableName": self.table,
            "IndexName": OPEN_ITEMS,
            "KeyConditionExpression": "OPK = :opk AND OSK BETWEEN :from AND :to",
            "ExpressionAttributeValues": codec.serialize(
                {":opk": payout_items.PAYOUTS, ":from": start.isoformat(), ":to": f"{end.isoformat()}#\uffff"}
            ),
        }

    def _lines(self, deposit_id: str, limit: int, after: str | None) -> tuple[list[tuple[str, str | None]], str | None]:
        """Up to ``limit`` payment lines of the deposit after line ``after``, and the last line's key if more
        may follow."""
        refs: list[tuple[str, str | None]] = []
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :line)",
            "ExpressionAttributeValues": codec.serialize({":pk": f"PAYOUT#{deposit_id}", ":line": "LINE#"}),
        }
        if after:
            request["ExclusiveStartKey"] = codec.serialize({"PK": f"PAYOUT#{deposit_id}", "SK": after})
        while True:
            with translated("read a deposit's lines"):
                response = client("dynamodb").query(**request)
            for raw in response.get("Items", []):
                line = codec.deserialize(raw)
                if line.get("payment_id") and line.get("outcome") == "settle":
                    refs.append((str(line["payment_id"]), line.get("customer_id")))
                    if len(refs) >= limit:
                        return refs, str(line["SK"])
            if "LastEvaluatedKey" not in response:
                return refs, None
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _payments(self, refs: list[tuple[str, str | None]]) -> list[Payment]:
        keys = [
            {
                "PK": customer_items.customer_pk(customer) if customer else "GUEST",
                "SK": payment_items.payment_sk(payment_id),
            }
            for payment_id, customer in refs
        ]
        found = {
            str(i["payment_id"]): entity_items.from_item(i, Payment)
            for i in batch_items(self.table, keys, consistent=False)
        }
        return [found[p] for p, _ in refs if p in found]


def _deposit(item: dict[str, Any]) -> Deposit:
    at = item.get("deposited_at")
    return Deposit(
        deposit_id=str(item["payout_id"]),
        currency=str(item["currency"]),
        arrival=date.fromisoformat(str(item["arrival_date"])),
        deposited_on=datetime.fromisoformat(str(at)).date() if at else None,
    )


def _encode(deposit_item: dict[str, Any], after_line: str | None) -> str:
    """Resume within this deposit after ``after_line``, or (None) at the deposit after it."""
    body = {"k": {k: deposit_item[k] for k in ("PK", "SK", "OPK", "OSK")}, "l": after_line}
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode()


def _decode(cursor: str | None, start: date, end: date) -> tuple[dict[str, str] | None, str | None]:
    if not cursor:
        return None, None
    try:
        body = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        key = {k: str(body["k"][k]) for k in ("PK", "SK", "OPK", "OSK")}
        arrival = date.fromisoformat(key["OSK"].split("#", 1)[0])
        line = body.get("l")
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
        raise InvalidDepositCursorError("the cursor is not one this list gave out; start again without it") from exc
    if key["OPK"] != payout_items.PAYOUTS or not start <= arrival <= end or not key["PK"].startswith("PAYOUT#"):
        raise InvalidDepositCursorError("the cursor is not one this list gave out for this range")
    return key, str(line) if line else None
