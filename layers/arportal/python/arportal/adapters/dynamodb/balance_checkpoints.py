"""Balance checkpoints in the ledger: ``CUST#<id>`` / ``BAL#<currency>#<yyyy-mm>``, what each month (the agency's
calendar) moved the customer's statement balance (``net``), and ``BAL#<currency>#0000-00``, the mark that the
customer's months are complete (written by ``backfill`` or by a load that writes whole histories: ``items_for``).

Every write that changes what a record adds to a month adds the difference (``ADD net``) in its own transaction
(``DynamoUnitOfWork.add_to_balance``: merged per item, so one transaction touches each month once). A statement
reads the months before its range with one Query (the mark included: without it, the reader replays the history).
The rules of what a record adds: ``domain/balance_checkpoints.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from arportal.adapters.dynamodb import codec, customer_items
from arportal.domain.balance_checkpoints import (
    Months,
    add,
    adjustment_months,
    credit_note_months,
    invoice_months,
    payment_months,
    previous_month,
)
from arportal.domain.models import CreditNote, Invoice, Payment
from arportal.domain.statement import DayOf

PREFIX = "BAL#"
READY = "0000-00"  # sorts before every month: the months' Query reads the mark with them


def checkpoint_sk(currency: str, month: str) -> str:
    return f"{PREFIX}{currency}#{month}"


def checkpoint_key(customer_id: str, currency: str, month: str) -> dict[str, str]:
    return {"PK": customer_items.customer_pk(customer_id), "SK": checkpoint_sk(currency, month)}


def agency_day() -> DayOf:
    """The agency's calendar, which every writer dates months by (the same ``TIME_ZONE`` the reader is given)."""
    from arportal.config import settings

    return settings().agency_time.day


def record_months(record: Any, *, day: DayOf) -> Months:
    match record:
        case Invoice():
            return invoice_months(record)
        case Payment():
            return payment_months(record, day=day)
        case CreditNote():
            return credit_note_months(record)
    return {}


def add_action(table: str, customer_id: str, currency: str, month: str, delta: int) -> dict[str, Any]:
    """``ADD net :delta`` to the month (created by the first write that touches it)."""
    return {
        "Update": {
            "TableName": table,
            "Key": codec.serialize(checkpoint_key(customer_id, currency, month)),
            "UpdateExpression": "ADD net :delta SET #type = :type, customer_id = :cid, currency = :cur, #month = :m",
            "ExpressionAttributeNames": {"#type": "type", "#month": "month"},
            "ExpressionAttributeValues": {
                k: codec.value(v)
                for k, v in {
                    ":delta": delta,
                    ":type": "balance_checkpoint",
                    ":cid": customer_id,
                    ":cur": currency,
                    ":m": month,
                }.items()
            },
        }
    }


def opening_request(table: str, customer_id: str, currency: str, before_month: str) -> dict[str, Any]:
    """One Query of the mark and every month before ``before_month``."""
    return {
        "TableName": table,
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :ready AND :last",
        "ExpressionAttributeValues": codec.serialize(
            {
                ":pk": customer_items.customer_pk(customer_id),
                ":ready": checkpoint_sk(currency, READY),
                ":last": checkpoint_sk(currency, previous_month(before_month)),
            }
        ),
        "ConsistentRead": True,  # a write's ADD and its records are one transaction: read what it committed
    }


def opening_of(items: Iterable[Mapping[str, Any]]) -> int | None:
    """The balance before the months read, or None when the customer's months are not complete (no mark)."""
    ready, total = False, 0
    for item in items:
        if str(item["SK"]).endswith(f"#{READY}"):
            ready = True
        else:
            total += int(item.get("net", 0))
    return total if ready else None


def items_for(customer_id: str, currency: str, records: Iterable[Any], *, day: DayOf) -> list[dict[str, Any]]:
    """The months and the mark of a customer whose whole history is ``records`` (a load that writes it at once,
    like the local seed): adjustments are not among them (``months_of_adjustment`` for those)."""
    months = add(*(record_months(r, day=day) for r in records if getattr(r, "currency", currency) == currency))
    return month_items(customer_id, currency, months)


def new_customer_mark(customer_id: str) -> dict[str, Any]:
    """The mark of a customer created now, in the agency's currency: every record of theirs is written from here
    on, each adding to its months as it is written, so their months are complete from the start (without it their
    statements would replay the whole history until the backfill job reached them)."""
    from arportal.config import settings

    return month_items(customer_id, settings().currency, {})[0]


def month_items(customer_id: str, currency: str, months: Mapping[str, int]) -> list[dict[str, Any]]:
    """The mark, then each month's item."""
    mark = {**checkpoint_key(customer_id, currency, READY), "type": "balance_checkpoint", "ready": True}
    return [mark, *(month_item(customer_id, currency, m, net) for m, net in sorted(months.items()))]


def month_item(customer_id: str, currency: str, month: str, net: int) -> dict[str, Any]:
    return {
        **checkpoint_key(customer_id, currency, month),
        "type": "balance_checkpoint",
        "customer_id": customer_id,
        "currency": currency,
        "month": month,
        "net": net,
    }


def months_of_adjustment(kind: str, amount: int, *, on_day: Any, invoice: Invoice) -> Months:
    if invoice.voided:
        return {}
    return adjustment_months(kind=kind, amount=amount, on=on_day, invoice_issued=invoice.issue_date)
