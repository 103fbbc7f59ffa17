"""DynamoDB implementation of ``SourceRecordStore``: a batch's reads in BatchGetItem calls of 100 keys, a chunk's
writes in one conditional ``TransactWriteItems``.

Reads (strongly consistent: the versions decide what is written): for each record its state
(``source_items``), its entity and its audit chain's head (audit table), and the customers' profiles and the
accounts the records name, all in the same calls (a BatchGetItem may span both tables); keys asked twice are read
once. So a batch of N records costs about ceil(3N / 100) calls.

Writes, per record (``actions`` counts them, so the service can fill a transaction up to ``capacity``):
- its state: new (``attribute_not_exists``) or moved on from the version read (``source_version = :read``);
- its entity, conditioned on what the platform owns being as read: an invoice on its ``version`` (a payment in
  between fails it), a credit note on its ``remaining``, a notice on not having been read; a customer is an
  ``UpdateItem`` of the source's fields only (the portal's settings and login link are never rewritten), with
  its email/phone search pointers (``search_pointers.pointer_actions``);
- an invoice lowered below what was paid, where the agency allows it: the credit note holding the difference;
- its outbox event and the next record of the entity's hash-chained audit trail (record and head, the head
  conditioned on the seq read).
A version bump (same content, newer version) is its state alone.

A refused transaction wrote nothing; its ``CancellationReasons`` (one per action) say which actions failed, and
so which records lost a race: those are answered, the others are written again by the caller.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    audit,
    codec,
    customer_items,
    entity_items,
    search_items,
    search_pointers,
    source_items,
)
from arportal.adapters.dynamodb.balance_checkpoints import agency_day, new_customer_mark, record_months
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.outbox import outbox_item
from arportal.adapters.dynamodb.unit_of_work import MAX_ITEMS, DynamoUnitOfWork
from arportal.domain import event_entities
from arportal.domain.audit_chain import Head
from arportal.domain.balance_checkpoints import change as months_change
from arportal.domain.errors import ConflictError
from arportal.domain.models import Account, CreditNote, Customer, Document, Invoice, Payment, SalesOrder
from arportal.domain.source_records import SourceKind
from arportal.domain.upserts import LoadedEntity, SourceState, Upsert, VersionBump
from arportal.ports import SourceReads, SourceTarget, SourceWrite
from arportal.ports.source_loads import SourceKey

_BATCH_GET = 100
_RACES = frozenset({"ConditionalCheckFailed", "TransactionConflict"})
# The profile fields a source owns (with the name index they drive); everything else on a profile is the platform's.
_CUSTOMER_FIELDS = ("kind", "name", "email", "phone", "address", "NPK", "NSK")


class DynamoSourceRecords:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.audit_table = audit_table_name
        self.trail = audit.DynamoAuditTrail(audit_table_name)

    # --- reads -------------------------------------------------------------------------------------------------

    def read(
        self,
        targets: Sequence[SourceTarget],
        *,
        customers: Collection[str],
        accounts: Collection[tuple[str, str]],
    ) -> SourceReads:
        wanted: dict[tuple[str, str, str], list[tuple[str, Any]]] = {}

        def want(table: str, key: dict[str, str], tag: tuple[str, Any]) -> None:
            wanted.setdefault((table, key["PK"], key["SK"]), []).append(tag)

        for target in targets:
            want(self.table, source_items.source_key(target.kind, target.source_id), ("state", target.key))
            key = source_items.entity_key(target.kind, target.customer_id, target.entity_id)
            want(self.table, key, ("entity", target.key))
            head_pk = audit.entity_pk(target.kind.value, target.entity_id)
            want(self.audit_table, {"PK": head_pk, "SK": audit.HEAD}, ("head", target.key))
        for customer_id in customers:
            want(self.table, customer_items.profile_key(customer_id), ("customer", customer_id))
        for customer_id, number in accounts:
            key = source_items.entity_key(SourceKind.ACCOUNT, customer_id, number)
            want(self.table, key, ("account", (customer_id, number)))
        states: dict[SourceKey, SourceState] = {}
        entities: dict[SourceKey, LoadedEntity] = {}
        heads: dict[SourceKey, Head] = {}
        known: set[str] = set()
        found_accounts: dict[tuple[str, str], Account] = {}
        for table, item in self._get(list(wanted)):
            for tag, subject in wanted[(table, str(item["PK"]), str(item["SK"]))]:
                if tag == "state":
                    states[subject] = source_items.source_state_from_item(item)
                elif tag == "head":
                    heads[subject] = Head(int(item["seq"]), str(item["hash"]))
                elif tag == "entity":
                    entity = entity_items.entity_of(item)
                    if isinstance(entity, Customer | Account | Invoice | CreditNote | SalesOrder | Document):
                        entities[subject] = entity
                elif tag == "customer":
                    known.add(subject)
                elif tag == "account":
                    found_accounts[subject] = entity_items.from_item(item, Account)
        return SourceReads(states, entities, heads, frozenset(known), found_accounts)

    def _get(self, keys: list[tuple[str, str, str]]) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every item of ``keys`` ((table, PK, SK)) that exists, 100 keys a call across both tables."""
        for start in range(0, len(keys), _BATCH_GET):
            pending: dict[str, Any] = {}
            for table, pk, sk in keys[start : start + _BATCH_GET]:
                request = pending.setdefault(table, {"Keys": [], "ConsistentRead": True})
                request["Keys"].append(codec.serialize({"PK": pk, "SK": sk}))
            while pending:
                with translated("read loaded records"):
                    response = client("dynamodb").batch_get_item(RequestItems=pending)
                for table, items in response.get("Responses", {}).items():
                    for raw in items:
                        yield table, codec.deserialize(raw)
                pending = response.get("UnprocessedKeys") or {}

    # --- writes ------------------------------------------------------------------------------------------------

    def capacity(self) -> int:
        return MAX_ITEMS

    def actions(self, write: SourceWrite) -> int:
        decision = write.decision
        if isinstance(decision, VersionBump):
            return 1
        pointers = len(search_items.SEARCH_POINTERS) if isinstance(decision.after, Customer) else 0
        if isinstance(decision.after, Customer) and decision.before is None:
            pointers += 1  # a new customer's balance checkpoint mark
        credit = 1 if decision.credit is not None else 0
        months = sum(len(changed) for changed in self._months(decision))  # merged per chunk: at most this many
        # state, entity, pointers, credit, outbox, audit record and head, balance checkpoint months
        return 1 + 1 + pointers + credit + 1 + 2 + months

    def write(self, writes: Sequence[SourceWrite]) -> list[int]:
        uow = DynamoUnitOfWork(self.table)
        spans: list[tuple[int, int]] = []
        for write in writes:
            start = uow.size
            self._add(uow, write)
            spans.append((start, uow.size))
        try:
            uow.commit("load records")
        except ConflictError as exc:
            reasons = list((exc.details or {}).get("reasons") or [])
            lost = [pos for pos, (start, end) in enumerate(spans) if any(r in _RACES for r in reasons[start:end])]
            if not lost:  # refused, but no record is named: nothing to retry selectively
                raise
            return lost
        return []

    def _add(self, uow: DynamoUnitOfWork, write: SourceWrite) -> None:
        decision = write.decision
        self._state(uow, decision.state, decision.before_state, system=write.actor, at=write.at)
        if isinstance(decision, VersionBump):
            return
        if write.audit is None or write.event is None:
            raise ValueError("an entity is written with its audit record and its event")
        self._entity(uow, decision)
        self._balance(uow, decision)
        if decision.credit is not None:
            uow.create(entity_items.to_item(decision.credit))
        detail_type, detail = write.event
        entity = event_entities.loaded(decision.state.kind.value, decision.state.entity_id, decision.after, write.head)
        uow.create(outbox_item(detail_type, detail, at=write.at, entity=entity))
        self.trail.append(uow, write.audit, head=write.head)

    def _state(
        self, uow: DynamoUnitOfWork, state: SourceState, before: SourceState | None, *, system: str, at: datetime
    ) -> None:
        item = source_items.source_item(state, system=system, at=at)
        if before is None:
            uow.create(item)
        else:
            uow.put_if(item, condition="source_version = :read", values={":read": before.version})

    def _entity(self, uow: DynamoUnitOfWork, decision: Upsert) -> None:
        after, before = decision.after, decision.before
        if before is None:
            uow.create(entity_items.to_item(after))
            if isinstance(after, Customer):
                self._pointers(uow, after)
                uow.put(new_customer_mark(after.customer_id))
            return
        match after:
            case Customer():
                self._customer_update(uow, after)
                self._pointers(uow, after)
            case Invoice() if isinstance(before, Invoice):
                uow.replace(entity_items.to_item(after), expected_version=before.version)
            case CreditNote() if isinstance(before, CreditNote):
                values = {":read": before.remaining}
                uow.put_if(entity_items.to_item(after), condition="remaining = :read", values=values)
            case Document() if after.read_at is None:
                condition = "attribute_exists(PK) AND attribute_not_exists(read_at)"
                uow.put_if(entity_items.to_item(after), condition=condition)
            case _:
                uow.put_if(entity_items.to_item(after), condition="attribute_exists(PK)")

    def _balance(self, uow: DynamoUnitOfWork, decision: Upsert) -> None:
        """What the record (and the credit it leaves) now adds to the customer's months, less what it added."""
        for record, moved in zip((decision.after, decision.credit), self._months(decision), strict=True):
            if isinstance(record, (Invoice, CreditNote, Payment)):
                uow.add_to_balance(record.customer_id, record.currency, moved)

    @staticmethod
    def _months(decision: Upsert) -> tuple[dict[str, int], dict[str, int]]:
        day = agency_day()
        out: list[dict[str, int]] = []
        for record, before in ((decision.after, decision.before), (decision.credit, None)):
            money = isinstance(record, (Invoice, CreditNote, Payment))
            out.append(months_change(record_months(record, day=day), record_months(before, day=day)) if money else {})
        return out[0], out[1]

    def _customer_update(self, uow: DynamoUnitOfWork, customer: Customer) -> None:
        item = entity_items.to_item(customer)
        names = {f"#f{i}": name for i, name in enumerate(_CUSTOMER_FIELDS)}
        sets = [f"#f{i} = :f{i}" for i, name in enumerate(_CUSTOMER_FIELDS) if name in item]
        removes = [f"#f{i}" for i, name in enumerate(_CUSTOMER_FIELDS) if name not in item]
        expression = f"SET {', '.join(sets)}" + (f" REMOVE {', '.join(removes)}" if removes else "")
        uow.update(
            customer_items.profile_key(customer.customer_id),
            update_expression=expression,
            condition="attribute_exists(PK)",
            names=names,
            values={f":f{i}": item[name] for i, name in enumerate(_CUSTOMER_FIELDS) if name in item},
        )

    def _pointers(self, uow: DynamoUnitOfWork, customer: Customer) -> None:
        uow.add(search_pointers.pointer_actions(self.table, customer))
