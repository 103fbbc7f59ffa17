"""Queries that read one partition: ``moto_patches`` patch 13.

moto 5.2's ``Table.query`` finds its candidates by walking ``Table.all_items()``, every item of the table sorted by
its keys, and keeping those whose key attributes equal the query's: each query on an index (or on the table) costs
O(n log n) in the table's size, whatever the partition holds. Here a query's candidates are only the items of the
partition it names, and moto's own ``query`` does everything else unchanged (the key checks again, the sort, paging,
Limit, ScanIndexForward, filters, projections), so the answers are moto's.

A table's partitions by index are kept per table, built on its first index query and maintained on every write:
``Table.put_item`` and ``Table.delete_item`` (where moto's PutItem, DeleteItem, BatchWriteItem, PartiQL and
``moto_patches``' TransactWriteItems end), ``DynamoDBBackend.update_item`` (which changes the stored item in place),
and the writes ``moto_patches`` makes itself (``import_items`` drops the partitions, ``_put_back`` re-files a key).
A partition holds primary keys, not items: candidates are looked up in ``Table.items`` when read, so a key whose
item has gone or changed behind the map's back is dropped by moto's own key check; only an item that gains an index
key through a path not listed here would be missed (``tests/unit/test_moto_index_queries.py`` compares with moto).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

_STATE = "_arportal_partitions"
_SCALARS = frozenset({"S", "N", "B"})  # the only key types; items holding anything else match no key condition
_candidates = threading.local()  # the partition a query in progress reads instead of all_items()

PrimaryKey = tuple[Any, Any]  # (hash DynamoType, range DynamoType or None), as Table.items is keyed


def install() -> None:
    """Idempotent. ``Table.query.__wrapped__`` is the query it wraps (what the tests compare with)."""
    if not getattr(Table.all_items, "_reads_partitions", False):  # again if all_items was wrapped since
        Table.all_items = _candidates_first(Table.all_items)  # type: ignore[method-assign]
    if getattr(Table.query, "_reads_partitions", False):
        return
    Table.query = _partition_query(Table.query)  # type: ignore[method-assign]
    Table.put_item = _refiling(Table.put_item)  # type: ignore[method-assign]
    Table.delete_item = _refiling(Table.delete_item)  # type: ignore[method-assign]
    DynamoDBBackend.update_item = _refiling_update(DynamoDBBackend.update_item)  # type: ignore[method-assign]


def read_instead(table: Table, items: list[Item]) -> None:
    """The next ``table.all_items()`` on this thread answers ``items`` (``moto_scan``: a scan's remaining items)."""
    _candidates.by_table = (table, items)


def done_reading() -> None:
    """Drop what ``read_instead`` left, should the call that was to read it have failed before it did."""
    _candidates.by_table = None


def forget(table: Table) -> None:
    """Drop the table's partitions (rebuilt on the next index query): after writing ``Table.items`` directly."""
    table.__dict__.pop(_STATE, None)


def refile(table: Table, hash_value: DynamoType, range_value: DynamoType | None) -> None:
    """File one primary key again, after its item was written, changed or removed."""
    state: _Partitions | None = table.__dict__.get(_STATE)
    if state is not None:
        state.refile(table, (hash_value, range_value))


def _bucket_key(item: Item, names: list[str]) -> tuple[Any, ...] | None:
    """What moto's key check compares (type and cast value: "1" and "1.0" are the same N), None if absent."""
    found = []
    for name in names:
        value = item.attrs.get(name)
        if value is None or value.type not in _SCALARS:
            return None
        found.append((value.type, value.cast_value))
    return tuple(found)


class _Partitions:
    """Per index: bucket key -> primary keys (insertion-ordered), and each key's current bucket."""

    def __init__(self, table: Table) -> None:
        self.hash_names = {
            index.name: [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            for index in table.all_indexes()
        }
        self.buckets: dict[str, dict[tuple[Any, ...], dict[PrimaryKey, None]]] = {n: {} for n in self.hash_names}
        self.filed: dict[str, dict[PrimaryKey, tuple[Any, ...]]] = {n: {} for n in self.hash_names}
        for item in _stored_items(table):
            self._file(_primary_key(item), item)

    def refile(self, table: Table, key: PrimaryKey) -> None:
        for name in self.hash_names:
            old = self.filed[name].pop(key, None)
            if old is not None:
                bucket = self.buckets[name][old]
                bucket.pop(key, None)
                if not bucket:
                    del self.buckets[name][old]
        item = _lookup(table, key)
        if item is not None:
            self._file(key, item)

    def _file(self, key: PrimaryKey, item: Item) -> None:
        for name, names in self.hash_names.items():
            bucket_key = _bucket_key(item, names)
            if bucket_key is not None:
                self.buckets[name].setdefault(bucket_key, {})[key] = None
                self.filed[name][key] = bucket_key

    def candidates(self, table: Table, index_name: str, values: dict[str, DynamoType]) -> list[Item] | None:
        names = self.hash_names.get(index_name)
        if names is None or set(names) != set(values):
            return None  # not a query this map answers: moto's own walk
        probe = tuple((values[n].type, values[n].cast_value) for n in names)
        keys = self.buckets[index_name].get(probe, {})
        return [item for item in (_lookup(table, k) for k in keys) if item is not None]


def _index_names(table: Table) -> set[str]:
    return {index.name for index in table.all_indexes()}


def _stored_items(table: Table) -> list[Item]:
    if table.range_key_attr:
        return [item for by_range in table.items.values() for item in by_range.values()]
    return list(table.items.values())  # type: ignore[arg-type]


def _primary_key(item: Item) -> PrimaryKey:
    return (item.hash_key, item.range_key)


def _lookup(table: Table, key: PrimaryKey) -> Item | None:
    hash_value, range_value = key
    # .get, never [...]: items is a defaultdict
    found = table.items.get(hash_value) if range_value is None else table.items.get(hash_value, {}).get(range_value)
    return found if isinstance(found, Item) else None


def _table_partition(table: Table, hash_key: DynamoType | None) -> list[Item] | None:
    if hash_key is None:
        return None
    if table.range_key_attr:
        return list(table.items.get(hash_key, {}).values())
    found = table.items.get(hash_key)
    return [found] if isinstance(found, Item) else []


def _partition_query(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name:
            conditions = kwargs.get("hash_key_conditions") or []
            state = self.__dict__.get(_STATE)
            if (state is None or index_name not in state.hash_names) and index_name in _index_names(self):
                state = self.__dict__[_STATE] = _Partitions(self)  # first index query, or an index added since
            found = state.candidates(self, index_name, dict(conditions)) if state is not None else None
        else:
            found = _table_partition(self, hash_key)
        if found is None:
            return original(self, hash_key, *args, **kwargs)
        _candidates.by_table = (self, found)
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            _candidates.by_table = None

    query._reads_partitions = True  # type: ignore[attr-defined]
    return query


def _candidates_first(original: Callable[[Table], list[Item]]) -> Callable[[Table], list[Item]]:
    def all_items(self: Table) -> list[Item]:
        pending = getattr(_candidates, "by_table", None)
        if pending is not None and pending[0] is self:
            _candidates.by_table = None  # one query reads it once; anything else sees the whole table
            return pending[1]  # type: ignore[no-any-return]
        return original(self)

    all_items._reads_partitions = True  # type: ignore[attr-defined]
    return all_items


def _refiling(original: Callable[..., Item | None]) -> Callable[..., Item | None]:
    def write(self: Table, *args: Any, **kwargs: Any) -> Item | None:
        written = original(self, *args, **kwargs)  # the item put, or the item deleted (None: nothing was there)
        if written is not None:
            refile(self, written.hash_key, written.range_key)
        return written

    return write


def _refiling_update(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_item(self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, table_name, key, *args, **kwargs)
        finally:  # moto changes the item in place, and an expression failing half-way leaves it half-changed
            table = self.get_table(table_name)
            if table.__dict__.get(_STATE) is not None:
                hash_value, range_value = self.get_keys_value(table, key)
                refile(table, hash_value, range_value)

    return update_item
