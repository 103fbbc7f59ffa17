"""Every write of an invoice's money figures: a payment's (``posting``) and a change of its status
(``status_changes``), a staff action's (``staff_actions``), a credit application's (``credit_applications``).
Each is one update in the writer's transaction, conditioned on the invoice version the figures were computed
from, that keeps the invoice's sparse index entries (open items, due date) in line with whether it is live.
"""

from __future__ import annotations

from typing import Any

from arportal.adapters.dynamodb import customer_items, entity_items, invoice_items, movement_items, table_layout
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.models import Invoice
from arportal.domain.posting import InvoiceChange


def add_invoice_update(uow: DynamoUnitOfWork, change: InvoiceChange) -> None:
    """A payment's effect on an invoice (see ``update_invoice_figures``)."""
    update_invoice_figures(uow, change.before.version, change.after, ("paid", "balance"))


def update_invoice_figures(
    uow: DynamoUnitOfWork,
    expected_version: int,
    after: Invoice,
    fields: tuple[str, ...],
    *,
    condition: str | None = None,
    values: dict[str, Any] | None = None,
) -> None:
    """Write an invoice's new ``fields`` (plus status and version), conditioned on the version they were computed
    from and on ``condition`` if given; its open/due index entries follow whether it is still live (a reversal
    puts them back). Every writer of an invoice's money figures goes through here."""
    names = {"#status": "status"} | {f"#{name}": name for name in fields}
    figures = {f":{name}": _figure(after, name) for name in fields}
    sets = [f"#{name} = :{name}" for name in fields] + ["#status = :status", "version = :next"]
    merged: dict[str, Any] = {
        **figures,
        ":status": after.status.value,
        ":next": after.version,
        ":expected": expected_version,
        **(values or {}),
    }
    moved, moved_values = movement_items.moved_now(after.customer_id)  # what it owes changed: a statement reads it
    sets.append(moved)
    merged |= moved_values
    live = entity_items.live_index_attributes(after)
    sets += [f"{name} = :{name}" for name in live]
    merged |= {f":{name}": value for name, value in live.items()}
    update = f"SET {', '.join(sets)}"
    if not live:
        update += f" REMOVE {', '.join(table_layout.SPARSE_ATTRIBUTES)}"
    uow.update(
        {"PK": customer_items.customer_pk(after.customer_id), "SK": invoice_items.invoice_sk(after.invoice_id)},
        update_expression=update,
        condition="version = :expected" + (f" AND {condition}" if condition else ""),
        names=names,
        values=merged,
    )


def _figure(invoice: Invoice, name: str) -> Any:
    value = getattr(invoice, name)
    return [line.model_dump(mode="json") for line in value] if name == "lines" else value
