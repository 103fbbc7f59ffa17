"""A scan page starts where the last one stopped: ``moto_patches`` patch 15.

moto 5.2's ``Table.scan`` reads ``Table.all_items()`` (the whole table, sorted by its keys) and, to find where a page
after ``ExclusiveStartKey`` begins, compares every item before it with that key. Reading a table of n items page by
page so costs O(n^2 / page): a scan of everything a worker's tests wrote took a minute. Here the first item after the
key is found by bisection, with moto's own comparison (``_item_comes_before_dct``), and moto's ``scan`` runs
unchanged over the items from there on (``moto_indexes``' candidates stand in for ``all_items()``), so its answer is
moto's. Scans of an index, or in parallel segments, keep moto's path. ``tests/unit/test_moto_scan.py`` compares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.dynamodb.models.table import Table

from local import moto_indexes


def install() -> None:
    """Idempotent; after ``moto_indexes.install()``. ``Table.scan.__wrapped__`` is moto's own."""
    if getattr(Table.scan, "_starts_at_key", False):
        return
    Table.scan = _starting_at_key(Table.scan)  # type: ignore[method-assign]


def _starting_at_key(original: Callable[..., Any]) -> Callable[..., Any]:
    def scan(self: Table, filters: Any, limit: Any, exclusive_start_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[1] if len(args) > 1 else None)
        segments = kwargs.get("segments", args[4] if len(args) > 4 else (None, None))
        if exclusive_start_key is None or index_name or segments != (None, None):
            return original(self, filters, limit, exclusive_start_key, *args, **kwargs)
        items = self.all_items()
        keys = [self.hash_key_attr], [self.range_key_attr]
        low, high = 0, len(items)
        while low < high:  # the first item that does not come before (or at) the start key
            middle = (low + high) // 2
            if self._item_comes_before_dct(items[middle], exclusive_start_key, *keys, True):
                low = middle + 1
            else:
                high = middle
        moto_indexes.read_instead(self, items[low:])
        try:
            return original(self, filters, limit, exclusive_start_key, *args, **kwargs)
        finally:
            moto_indexes.done_reading()

    scan.__wrapped__ = original  # type: ignore[attr-defined]
    scan._starts_at_key = True  # type: ignore[attr-defined]
    return scan
