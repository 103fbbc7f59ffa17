"""What a processor-reported status change (``status_changes.py``) and a staff money-back (``exceptions.py``)
share: finding an entity by its external key, a unit of work that may also delete, and the credit-note step.

Both give money back out of a payment: the payment's unspent credit note shrinks (or goes, when nothing of it
was used), conditioned on the ``remaining`` that was read, so a concurrent spend of that credit loses the race
instead of being counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, invoice_items, movement_items, table_layout
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.tables import BY_EXTERNAL_KEY
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.models import CreditNote
from arportal.domain.posting import InvoiceChange
from arportal.domain.search import SearchKind


def external_key_hits(
    table: str, kind: SearchKind, value: str, *, operation: str, limit: int | None = None
) -> list[dict[str, Any]]:
    """The pointer items whose external key of ``kind`` is ``value``: one query of ByExternalKey. The index is
    case-insensitive; callers that need an exact match (processors' ids) compare the item's own field."""
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": BY_EXTERNAL_KEY,
        "KeyConditionExpression": "XK = :xk AND XSK = :kind",
        "ExpressionAttributeValues": {":xk": {"S": table_layout.external_key(value)}, ":kind": {"S": kind.value}},
    }
    if limit is not None:
        request["Limit"] = limit
    with translated(operation):
        response = client("dynamodb").query(**request)
    return [codec.deserialize(raw) for raw in response.get("Items", [])]


class ChangeUnitOfWork(DynamoUnitOfWork):
    """A unit of work that can also delete an item on a condition (a credit note nothing was spent from)."""

    def delete(self, key: dict[str, str], *, condition: str, values: dict[str, Any]) -> None:
        self._actions.append(
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": codec.serialize(key),
                    "ConditionExpression": condition,
                    "ExpressionAttributeValues": {k: codec.value(v) for k, v in values.items()},
                }
            }
        )


def add_credit_change(uow: ChangeUnitOfWork, before: CreditNote | None, after: CreditNote | None) -> None:
    """Reduce or remove the payment's credit note; while some of it is unspent it stays a live (OpenItems) item."""
    if before is None:
        return
    key = {
        "PK": customer_items.customer_pk(before.customer_id),
        "SK": invoice_items.credit_note_sk(before.credit_note_id),
    }
    if after is None:
        uow.delete(key, condition="remaining = :expected", values={":expected": before.remaining})
        return
    live = entity_items.live_index_attributes(after)
    values: dict[str, Any] = {":amount": after.amount, ":remaining": after.remaining, ":expected": before.remaining}
    moved, moved_values = movement_items.moved_now(after.customer_id)  # the credit it holds changed
    values |= moved_values
    if live:
        values |= {f":{name}": value for name, value in live.items()}
        expression = f"SET amount = :amount, remaining = :remaining, OPK = :OPK, OSK = :OSK, {moved}"
    else:
        expression = f"SET amount = :amount, remaining = :remaining, {moved} REMOVE OPK, OSK"
    uow.update(key, update_expression=expression, condition="remaining = :expected", values=values)


def reopened_invoices(changes: Iterable[InvoiceChange]) -> list[dict[str, Any]]:
    """The event detail's list of invoices money back has opened again."""
    return [{"invoice_id": c.after.invoice_id, "amount": -c.amount, "balance": c.after.balance} for c in changes]
