"""moto patch 9 (see ``moto_patches``): ``TransactWriteItems`` without copying tables, and its simple updates
applied without moto's update-expression machinery.

moto deep-copies every table a transaction names (once per action) so it can roll back, which costs seconds per
payment against the seeded agency, and a rollback put the copies back with a stale stream shard (the outbox relay
and the audit exporter went deaf after the first conflict). Here, as in DynamoDB, every condition is evaluated
against the state before the transaction; only if all hold are the writes applied, and should one still fail (an
invalid update expression) the items already written are put back and their stream records dropped.

An update whose expression only sets, adds a number to, or removes top-level attributes, with values given as
placeholders (``ADD net :d SET #type = :t, customer_id = :c``: each customer's balance checkpoint the door's
loads touch), is applied by ``_simple_update``: what moto's ``update_item`` makes of it (same values, same
numbers, a new item holding only its key first, the same stream records), without parsing the expression into
a tree, deep-copying the tree and walking it ten times (~2.5 ms an update, ~40% of the seed's time through the
door). Anything else, or anything moto would refuse (a key attribute, a reserved word, a missing placeholder, a
type the table defines otherwise, an empty string, a number added to a non-number), goes to moto's ``update_item``.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    IncorrectDataType,
    ItemSizeTooLarge,
    ItemSizeToUpdateTooLarge,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import Table
from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

from local import moto_indexes

_Planned = tuple[str, dict[str, Any], Table, dict[str, Any], Any]  # op type, op, table, key, current item
_Action = tuple[str, str, str | None]  # SET / ADD / REMOVE, the attribute (or its #placeholder), the :value
_TOKEN = re.compile(r"\s*(?:([#:]?[A-Za-z0-9_]+)|([=,]))")
_CLAUSES = ("SET", "ADD", "REMOVE")


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    planned: list[_Planned] = []
    errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    seen: set[tuple[str, str]] = set()
    for entry in transact_items:
        if len(entry) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(entry.items()))
        old_image: dict[str, Any] | None = None
        try:
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table = self.get_table(op["TableName"])
            key = op["Key"] if op_type != "Put" else _key_of(table, op["Item"])
            marker = (str(op["TableName"]), str(dict(sorted(key.items()))))
            if marker in seen:
                raise MultipleTransactionsException()
            seen.add(marker)
            current = self.get_item(op["TableName"], key)
            if op.get("ConditionExpression") is not None:
                condition = _condition(
                    op["ConditionExpression"], op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                )
                if not condition.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        old_image = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=old_image)
            planned.append((op_type, op, table, key, current))
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            raise
        except ConditionalCheckFailed as exc:
            errors.append(("ConditionalCheckFailed", str(exc.message), old_image))
        except Exception as exc:  # reported per action, as DynamoDB's CancellationReasons are
            errors.append((type(exc).__name__, str(exc), old_image))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    _apply_all_or_nothing(self, planned)


def _condition(expression: str, names: dict[str, str] | None, values: dict[str, Any] | None) -> Any:
    """moto's parsed condition; one without values (``attribute_not_exists(PK)``, most of a load's) parsed once."""
    if values:
        return get_filter_expression(expression, names, values)
    return _valueless_condition(expression, None if names is None else tuple(sorted(names.items())), values is None)


@lru_cache(maxsize=256)
def _valueless_condition(expression: str, names: tuple[tuple[str, str], ...] | None, no_values: bool) -> Any:
    return get_filter_expression(expression, None if names is None else dict(names), None if no_values else {})


def _key_of(table: Table, attrs: dict[str, Any]) -> dict[str, Any]:
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _apply_all_or_nothing(backend: DynamoDBBackend, planned: list[_Planned]) -> None:
    shards = {
        id(t.stream_shard): (t.stream_shard, len(t.stream_shard.items)) for _, _, t, _, _ in planned if t.stream_shard
    }
    undo: list[tuple[Table, dict[str, Any], Any]] = []
    try:
        for op_type, op, table, key, current in planned:
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if op_type == "Put":
                undo.append((table, key, current))
                backend.put_item(op["TableName"], op["Item"], expression_attribute_names=names,
                                 expression_attribute_values=values)  # fmt: skip
            elif op_type == "Delete":
                undo.append((table, key, current))
                backend.delete_item(op["TableName"], key)
            elif op_type == "Update":
                simple = _simple_actions(table, op)
                if simple is not None:
                    before = _snapshot(current)  # the simple update replaces values, never changes one in place
                    undo.append((table, key, before))
                    _simple_update(backend, table, key, simple, before)
                    continue
                undo.append((table, key, copy.deepcopy(current)))  # moto updates the item in place
                # None when the request has none, as moto's own transact_write_items passes them (its hint says dict)
                backend.update_item(op["TableName"], key, update_expression=op["UpdateExpression"],
                                    expression_attribute_names=names,  # type: ignore[arg-type]
                                    expression_attribute_values=values)  # type: ignore[arg-type]  # fmt: skip
    except Exception:
        for table, key, previous in reversed(undo):
            _put_back(table, key, previous)
        for shard, count in shards.values():
            del shard.items[count:]  # records of writes that never happened
        raise


def _put_back(table: Table, key: dict[str, Any], previous: Any) -> None:
    hash_value = DynamoType(key[table.hash_key_attr])
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    home: dict[Any, Any] = table.items[hash_value] if range_value is not None else table.items  # type: ignore[assignment]
    slot = range_value if range_value is not None else hash_value
    if previous is None:
        home.pop(slot, None)
    else:
        home[slot] = previous
    moto_indexes.refile(table, hash_value, range_value)


# --- simple updates ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _parsed(expression: str) -> tuple[_Action, ...] | None:
    """``SET a = :v, ...``, ``ADD n :v, ...`` and ``REMOVE a, ...`` clauses (each at most once) on top-level
    attributes; None for anything else."""
    tokens: list[str] = []
    position = 0
    while position < len(expression.rstrip()):
        match = _TOKEN.match(expression, position)
        if match is None:
            return None  # a path, a function, arithmetic...: moto's way
        tokens.append(match.group(1) or match.group(2))
        position = match.end()
    reserved = set(ReservedKeywords.get_reserved_keywords())
    actions: list[_Action] = []
    clauses: set[str] = set()
    i = 0
    while i < len(tokens):
        clause = tokens[i].upper()
        if clause not in _CLAUSES or clause in clauses:
            return None
        clauses.add(clause)
        i += 1
        while True:
            wanted = {"SET": 3, "ADD": 2, "REMOVE": 1}[clause]
            part = tokens[i : i + wanted]
            if len(part) < wanted:
                return None
            name, value = part[0], part[-1] if wanted > 1 else None
            if name[0] == ":" or (name[0] != "#" and (name.upper() in reserved or name[0].isdigit())):
                return None
            if (clause == "SET" and part[1] != "=") or (value is not None and value[0] != ":"):
                return None
            actions.append((clause, name, value))
            i += wanted
            if i < len(tokens) and tokens[i] == ",":
                i += 1
                continue
            break
    return tuple(actions) or None


def _simple_actions(table: Table, op: dict[str, Any]) -> list[tuple[str, str, DynamoType | None]] | None:
    """The update's actions, resolved, if it is simple and moto would take it (else None: moto decides)."""
    actions = _parsed(op["UpdateExpression"])
    if actions is None:
        return None
    names = op.get("ExpressionAttributeNames") or {}
    values = op.get("ExpressionAttributeValues") or {}
    defined = {a["AttributeName"]: a["AttributeType"] for a in table.attr}
    resolved: list[tuple[str, str, DynamoType | None]] = []
    for clause, path, placeholder in actions:
        name = names.get(path) if path[0] == "#" else path
        if name is None or name in table.table_key_attrs:
            return None
        value = None
        if placeholder is not None:
            if placeholder not in values:
                return None
            value = DynamoType(values[placeholder])
            if value.type in ("S", "B") and not value.value:
                return None
            if (clause == "ADD" and value.type != "N") or defined.get(name, value.type) != value.type:
                return None
        resolved.append((clause, name, value))
    if len({name for _, name, _ in resolved}) != len(resolved):
        return None
    # moto's order: the removes after the rest
    return [a for a in resolved if a[0] != "REMOVE"] + [a for a in resolved if a[0] == "REMOVE"]


def _snapshot(item: Item | None) -> Item | None:
    if item is None:
        return None
    copied = copy.copy(item)
    copied.attrs = LimitedSizeDict.__new__(LimitedSizeDict)  # without the size cache moto_patches keeps on it
    dict.update(copied.attrs, item.attrs)
    return copied


def _simple_update(
    backend: DynamoDBBackend,
    table: Table,
    key: dict[str, Any],
    actions: list[tuple[str, str, DynamoType | None]],
    before: Item | None,
) -> None:
    hash_value, range_value = backend.get_keys_value(table, key)
    item = table.get_item(hash_value, range_value)
    for clause, name, _ in actions:
        existing = item.attrs.get(name) if item is not None else None
        if clause == "ADD" and existing is not None and existing.type != "N":
            raise IncorrectDataType()  # moto's answer (it would have changed the item half-way; nothing here)
    if item is None:  # as moto does: a new item holding its key, then the update
        data = {table.hash_key_attr: {hash_value.type: hash_value.value}}
        if range_value is not None:
            data[table.range_key_attr] = {range_value.type: range_value.value}  # type: ignore[index]
        table.put_item(data)
        item = table.get_item(hash_value, range_value)
        assert item is not None
    try:
        for clause, name, value in actions:
            if clause == "SET":
                item.attrs[name] = value
            elif clause == "REMOVE":
                item.attrs.pop(name, None)
            else:
                assert value is not None
                item.attrs[name] = item.attrs.get(name, DynamoType({"N": "0"})) + value
    except ItemSizeTooLarge:
        raise ItemSizeToUpdateTooLarge() from None
    finally:
        moto_indexes.refile(table, hash_value, range_value)
    if table.stream_shard is not None:
        table.stream_shard.add(before, item)
