"""An in-memory ``SourceRecordStore`` for unit and property tests of batch upserts: the DynamoDB store's conditions
(a state moves on only from the version read, an entity only from what was read) and its answers (which writes lost
a race), with a hook to play another writer between a read and a write."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from arportal.domain.audit_chain import Head
from arportal.domain.models import Account, Customer, Invoice
from arportal.domain.source_records import SourceKind
from arportal.domain.upserts import LoadedEntity, SourceState, Upsert, VersionBump
from arportal.ports import SourceReads, SourceTarget, SourceWrite
from arportal.ports.source_loads import SourceKey

EntityKey = tuple[SourceKind, str, str]  # (kind, customer id, entity id)


@dataclass
class InMemorySourceRecords:
    transaction_actions: int = 100
    states: dict[SourceKey, SourceState] = field(default_factory=dict)
    entities: dict[EntityKey, LoadedEntity] = field(default_factory=dict)
    heads: dict[tuple[SourceKind, str], Head] = field(default_factory=dict)
    events: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    transactions: list[list[SourceWrite]] = field(default_factory=list)  # every write call, committed or not
    reads: int = 0
    # Another writer, played right before a write call is checked (it may change states and entities).
    interfere: Callable[[InMemorySourceRecords, Sequence[SourceWrite]], None] | None = None
    always_lose: set[str] = field(default_factory=set)  # source ids another writer always beats

    def add(self, entity: LoadedEntity) -> None:
        """A record the platform made (no source state), e.g. a customer created by staff."""
        kind = SourceKind.CUSTOMER if isinstance(entity, Customer) else SourceKind.ACCOUNT
        entity_id = entity.customer_id if isinstance(entity, Customer) else entity.account_number  # type: ignore[union-attr]
        self.entities[(kind, entity.customer_id, entity_id)] = entity

    def read(
        self,
        targets: Sequence[SourceTarget],
        *,
        customers: Collection[str],
        accounts: Collection[tuple[str, str]],
    ) -> SourceReads:
        self.reads += 1
        found: dict[SourceKey, LoadedEntity] = {}
        for t in targets:
            entity = self.entities.get((t.kind, t.customer_id, t.entity_id))
            if entity is not None:
                found[t.key] = entity
        known = {c for c in customers if (SourceKind.CUSTOMER, c, c) in self.entities}
        found_accounts = {
            (c, a): e for c, a in accounts if isinstance(e := self.entities.get((SourceKind.ACCOUNT, c, a)), Account)
        }
        return SourceReads(
            states={t.key: self.states[t.key] for t in targets if t.key in self.states},
            entities=found,
            heads={t.key: self.heads[(t.kind, t.entity_id)] for t in targets if (t.kind, t.entity_id) in self.heads},
            customers=frozenset(known),
            accounts=found_accounts,
        )

    def capacity(self) -> int:
        return self.transaction_actions

    def actions(self, write: SourceWrite) -> int:
        if isinstance(write.decision, VersionBump):
            return 1
        return 5 + (2 if isinstance(write.decision.after, Customer) else 0) + (1 if write.decision.credit else 0)

    def write(self, writes: Sequence[SourceWrite]) -> list[int]:
        self.transactions.append(list(writes))
        if self.interfere is not None:
            self.interfere(self, writes)
        assert sum(self.actions(w) for w in writes) <= self.transaction_actions, "over a transaction's actions"
        lost = [
            position
            for position, write in enumerate(writes)
            if write.decision.state.source_id in self.always_lose or not self._holds(write)
        ]
        if lost:
            return lost
        for write in writes:
            self._apply(write)
        return []

    def _holds(self, write: SourceWrite) -> bool:
        decision = write.decision
        key = (decision.state.kind, decision.state.source_id)
        current = self.states.get(key)
        if decision.before_state is None:
            if current is not None:
                return False
        elif current is None or current.version != decision.before_state.version:
            return False
        if isinstance(decision, VersionBump):
            return True
        entity = self.entities.get(self._entity_key(decision))
        if decision.before is None:
            return entity is None
        if isinstance(decision.before, Invoice):
            return isinstance(entity, Invoice) and entity.version == decision.before.version
        return entity is not None

    def _apply(self, write: SourceWrite) -> None:
        decision = write.decision
        self.states[(decision.state.kind, decision.state.source_id)] = decision.state
        if isinstance(decision, Upsert):
            self.entities[self._entity_key(decision)] = decision.after
            if decision.credit is not None:
                note = decision.credit
                self.entities[(SourceKind.CREDIT_NOTE, note.customer_id, note.credit_note_id)] = note
            head = self.heads.get((decision.state.kind, decision.state.entity_id))
            assert head == write.head, "the audit chain moved on from the head read"
            self.heads[(decision.state.kind, decision.state.entity_id)] = Head((head.seq if head else 0) + 1, "h")
            assert write.event is not None and write.audit is not None
            self.events.append(write.event)

    @staticmethod
    def _entity_key(decision: Upsert) -> EntityKey:
        return (decision.state.kind, decision.state.customer_id, decision.state.entity_id)


class NoFiles:
    """A documents bucket that keeps what it is given."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> None:
        self.objects[key] = body

    def url(self, key: str, *, filename: str, expires_in: int = 300) -> str:
        return f"https://files.example/{key}"
