"""Where loaded records are kept (batch upserts from the agency's systems): read a batch's current state at once,
write a chunk of decisions in one transaction, and learn which records lost a race.

A store reads every item a batch needs (each record's ``SourceState``, its entity, its audit chain's head, and
the customers and accounts the records name) in as few round trips as it can, and writes a chunk of records as
one all-or-nothing transaction whose every write is conditioned on what was read. When the transaction is
refused because another writer got there first, nothing was written and ``write`` answers which records lost:
the caller reads those again, decides again, and writes the chunk again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from arportal.domain.audit_chain import Head
from arportal.domain.models import Account, AuditEvent
from arportal.domain.source_records import SourceKind
from arportal.domain.upserts import LoadedEntity, SourceState, Upsert, VersionBump

SourceKey = tuple[SourceKind, str]  # (kind, the source's id)


@dataclass(frozen=True)
class SourceTarget:
    """One record's items: its state (by the source's id), its entity and its audit chain."""

    kind: SourceKind
    source_id: str
    customer_id: str
    entity_id: str

    @property
    def key(self) -> SourceKey:
        return (self.kind, self.source_id)


@dataclass(frozen=True)
class SourceReads:
    states: Mapping[SourceKey, SourceState] = field(default_factory=dict)
    entities: Mapping[SourceKey, LoadedEntity] = field(default_factory=dict)
    heads: Mapping[SourceKey, Head] = field(default_factory=dict)
    customers: frozenset[str] = frozenset()  # of those asked about, the customer ids that have a profile
    accounts: Mapping[tuple[str, str], Account] = field(default_factory=dict)  # (customer id, account number)


@dataclass(frozen=True)
class SourceWrite:
    """One record's writes: the decision with the audit chain's head it extends, its audit record and its event
    (neither for a version bump, which changes nothing in the ledger)."""

    decision: Upsert | VersionBump
    actor: str  # system:<client name>
    at: datetime
    head: Head | None = None
    audit: AuditEvent | None = None
    event: tuple[str, dict[str, Any]] | None = None  # (detail type, detail) for the outbox


class SourceRecordStore(Protocol):
    def read(
        self,
        targets: Sequence[SourceTarget],
        *,
        customers: Collection[str],
        accounts: Collection[tuple[str, str]],
    ) -> SourceReads: ...

    def capacity(self) -> int:
        """How many write actions one transaction holds."""
        ...

    def actions(self, write: SourceWrite) -> int:
        """How many of a transaction's actions ``write`` takes."""
        ...

    def write(self, writes: Sequence[SourceWrite]) -> list[int]:
        """Write ``writes`` in one transaction (the caller keeps them within ``capacity``). Answers the positions
        of the writes that lost a race: empty when everything was written; otherwise nothing was written."""
        ...
