"""Who a loaded record is on the platform: the ids of the entities a connected system's records load, and the state
the platform keeps of each source record.

The source's own id is the key: a customer is its ``customer_id``, an account its number; an invoice, credit note
or sales order gets a platform id that is a digest of its number (``inv_``/``cn_``/``so_`` + 26 characters of
Crockford base32, within the ``InvoiceId`` pattern of ``domain/values.py``), so loading the same number twice lands
on the same item with no lookup table. A document's id leads with its ``document_date`` in the 10 characters a
ULID keeps for time (documents list newest first by id), then 16 characters of a digest of the source's id.

``SourceState`` is what the platform keeps per source record: the customer it belongs to, its entity id, the
version and the digest of the content it last took.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from arportal.domain.models import Invoice
from arportal.domain.source_records import SourceDocument, SourceKind, SourceRecord

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PREFIXES = {SourceKind.INVOICE: "inv", SourceKind.CREDIT_NOTE: "cn", SourceKind.SALES_ORDER: "so"}


@dataclass(frozen=True)
class SourceState:
    """What the platform keeps of a source record: whose it is, which entity, and the version it last took."""

    kind: SourceKind
    source_id: str
    customer_id: str
    entity_id: str
    version: int
    content_hash: str


def _digest(*parts: str, length: int) -> str:
    number = int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest(), "big")
    return "".join(_CROCKFORD[(number >> (5 * i)) & 31] for i in range(length))


def _time_part(day: date) -> str:
    millis = int(datetime.combine(day, time(), tzinfo=UTC).timestamp() * 1000)
    return "".join(_CROCKFORD[(millis >> (5 * i)) & 31] for i in reversed(range(10)))


def entity_id_for(record: SourceRecord) -> str:
    """The platform id of the entity a source record loads (a pure function of the record)."""
    kind = record.record_kind
    if kind is SourceKind.CUSTOMER or kind is SourceKind.ACCOUNT:
        return record.source_id
    if isinstance(record, SourceDocument):
        return f"doc_{_time_part(record.document_date)}{_digest(kind.value, record.source_id, length=16)}"
    return f"{_PREFIXES[kind]}_{_digest(kind.value, record.source_id, length=26)}"


def credit_note_for_lowered(invoice: Invoice, *, version: int) -> tuple[str, str]:
    """The id and number of the credit note holding what an invoice lowered at ``version`` had been paid over."""
    digest = _digest("lowered", invoice.invoice_id, str(version), length=26)
    return f"cn_{digest}", f"CR-{digest[:12]}"


def state_of(record: SourceRecord) -> SourceState:
    return SourceState(
        kind=record.record_kind,
        source_id=record.source_id,
        customer_id=record.customer_ref,
        entity_id=entity_id_for(record),
        version=record.version,
        content_hash=record.content_hash(),
    )


def invoice_id_for(invoice_number: str) -> str:
    """The platform id of the invoice loaded under the source's ``invoice_number`` (``entity_id_for`` of its
    record): how a back end's invoice number finds the invoice with no lookup (the balances comparison)."""
    return f"{_PREFIXES[SourceKind.INVOICE]}_{_digest(SourceKind.INVOICE.value, invoice_number, length=26)}"
