"""A connected system's records, by the source's own id: the state item that says which entity a source record
loaded, for which customer, at which version.

    SOURCE#<kind>#<source id>   SOURCE   the record's state: customer_id, entity_id, source_version, content_hash,
                                         the system that last loaded it

The state is keyed by the source's id alone, so a batch reads each record's state (and, from the record itself,
its entity's key) with BatchGetItem and no lookup; a record that names another customer than its state is
refused, which is what keeps one invoice number from becoming two invoices. The entities stay where every
reader finds them (``CUST#<id>`` / ``#PROFILE``, ``ACCT#``, ``INV#``, ``CN#``, ``SO#``, ``DOC#``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arportal.adapters.dynamodb import customer_items, document_items, invoice_items
from arportal.domain.source_identity import SourceState
from arportal.domain.source_records import SourceKind

SOURCE = "SOURCE"


def source_key(kind: SourceKind, source_id: str) -> dict[str, str]:
    return {"PK": f"{SOURCE}#{kind.value}#{source_id}", "SK": SOURCE}


def source_item(state: SourceState, *, system: str, at: datetime) -> dict[str, Any]:
    return {
        **source_key(state.kind, state.source_id),
        "type": "source_record",
        "kind": state.kind.value,
        "source_id": state.source_id,
        "customer_id": state.customer_id,
        "entity_id": state.entity_id,
        "source_version": state.version,
        "content_hash": state.content_hash,
        "system": system,
        "channel": "integration",
        "loaded_at": at.isoformat(),
    }


def source_state_from_item(item: dict[str, Any]) -> SourceState:
    return SourceState(
        kind=SourceKind(str(item["kind"])),
        source_id=str(item["source_id"]),
        customer_id=str(item["customer_id"]),
        entity_id=str(item["entity_id"]),
        version=int(item["source_version"]),
        content_hash=str(item["content_hash"]),
    )


def entity_key(kind: SourceKind, customer_id: str, entity_id: str) -> dict[str, str]:
    """Where the entity a source record loads lives (the same key ``entity_items.primary_key`` gives it)."""
    pk = customer_items.customer_pk(customer_id)
    match kind:
        case SourceKind.CUSTOMER:
            return customer_items.profile_key(customer_id)
        case SourceKind.ACCOUNT:
            return {"PK": pk, "SK": customer_items.account_sk(entity_id)}
        case SourceKind.INVOICE:
            return {"PK": pk, "SK": invoice_items.invoice_sk(entity_id)}
        case SourceKind.CREDIT_NOTE:
            return {"PK": pk, "SK": invoice_items.credit_note_sk(entity_id)}
        case SourceKind.SALES_ORDER:
            return {"PK": pk, "SK": invoice_items.sales_order_sk(entity_id)}
        case SourceKind.DOCUMENT:
            return document_items.document_key(customer_id, entity_id)
    raise ValueError(f"no key for {kind}")
