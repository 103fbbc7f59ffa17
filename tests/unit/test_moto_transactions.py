"""``local/moto_transactions.py``: a transaction's simple update leaves what moto's ``update_item`` leaves.

Each case is applied twice from the same starting item: in a ``TransactWriteItems`` (the fast path for the
expressions it takes, moto's ``update_item`` for the rest) and by moto's ``update_item`` itself. The items, the
stream records (kind, keys, images) and the error, if any, must be the same; a refused transaction leaves the item
as it was; and the simple expressions must not have reached moto's ``update_item`` at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends

from local import moto_indexes, moto_transactions

ACCOUNT = "100000000043"
REGION = "us-east-1"
TABLES = ("viatransaction", "viamoto")
KEY = {"PK": {"S": "p"}, "SK": {"S": "s"}}
CHECKPOINT = "ADD net :delta SET #type = :type, customer_id = :cid, currency = :cur, #month = :m"
CHECKPOINT_VALUES = {":delta": {"N": "-12.50"}, ":type": {"S": "M"}, ":cid": {"S": "c1"}, ":cur": {"S": "USD"},
                     ":m": {"S": "2026-11"}}  # fmt: skip
EXISTING = {**KEY, "net": {"N": "100"}, "b": {"S": "bee"}, "c": {"L": [{"S": "x"}]}, "note": {"S": "t"}}

# (expression, names, values, starting item or None, taken by the fast path)
CASES: list[tuple[str, dict[str, str], dict[str, Any], dict[str, Any] | None, bool]] = [
    (CHECKPOINT, {"#type": "type", "#month": "month"}, CHECKPOINT_VALUES, None, True),
    (CHECKPOINT, {"#type": "type", "#month": "month"}, CHECKPOINT_VALUES, EXISTING, True),
    ("SET a = :v REMOVE b", {}, {":v": {"M": {"k": {"L": [{"N": "1"}, {"NULL": True}]}}}}, EXISTING, True),
    ("remove b, c  set a=:v", {}, {":v": {"SS": ["x", "y"]}}, EXISTING, True),
    ("ADD net :d", {}, {":d": {"N": "0.5"}}, EXISTING, True),
    ("ADD fresh :d", {}, {":d": {"N": "7"}}, EXISTING, True),
    ("ADD note :d", {}, {":d": {"N": "1"}}, EXISTING, True),  # a number added to a string: refused
    ("SET SK = :v", {}, {":v": {"S": "other"}}, EXISTING, False),  # a key attribute
    ("SET #a = :v", {}, {":v": {"S": "x"}}, EXISTING, False),  # an undefined name
    ("SET a = :missing", {}, {":v": {"S": "x"}}, EXISTING, False),
    ("SET name = :v", {}, {":v": {"S": "x"}}, EXISTING, False),  # a reserved word
    ("SET a = :v, a = :w", {}, {":v": {"S": "x"}, ":w": {"S": "y"}}, EXISTING, False),
    ("SET GK = :v", {}, {":v": {"N": "1"}}, EXISTING, False),  # the table defines GK as a string
    ("SET a = :v", {}, {":v": {"S": ""}}, EXISTING, False),
    ("SET a = :v + :w", {}, {":v": {"N": "1"}, ":w": {"N": "2"}}, EXISTING, False),
    ("SET a.b = :v", {}, {":v": {"S": "x"}}, EXISTING, False),
    ("ADD s :v", {}, {":v": {"SS": ["q"]}}, EXISTING, False),
    ("SET a = :v SET b = :v", {}, {":v": {"S": "x"}}, EXISTING, False),
]


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoDBBackend]:
    """moto in an account of its own, neither reset nor wiped (other tests' runtimes share the backends)."""
    moto_indexes.install()
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    mock = mock_aws()
    mock.start(reset=False)
    client = boto3.client("dynamodb", region_name=REGION)
    try:
        for name in TABLES:
            client.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
                AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("PK", "SK", "GK")],
                GlobalSecondaryIndexes=[
                    {
                        "IndexName": "ByGK",
                        "KeySchema": [{"AttributeName": "GK", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            )
        yield dynamodb_backends[ACCOUNT][REGION]
    finally:
        for name in TABLES:
            with contextlib.suppress(client.exceptions.ResourceNotFoundException):
                client.delete_table(TableName=name)
        mock.stop(remove_data=False)


def _start(backend: DynamoDBBackend, item: dict[str, Any] | None) -> None:
    for name in TABLES:
        backend.delete_item(name, KEY)
        if item is not None:
            backend.put_item(name, item)
        backend.get_table(name).stream_shard.items.clear()  # type: ignore[union-attr]


def _outcome(run: Any) -> str | None:
    try:
        run()
    except Exception as exc:
        return type(exc).__name__
    return None


def _state(backend: DynamoDBBackend, name: str) -> tuple[Any, list[Any]]:
    item = backend.get_item(name, KEY)
    shown = {"Keys", "NewImage", "OldImage"}
    records = [
        {k: v for k, v in r.record["dynamodb"].items() if k in shown} | {"event": r.record["eventName"]}
        for r in backend.get_table(name).stream_shard.items  # type: ignore[union-attr]
    ]
    return (None if item is None else item.to_json()), records


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_a_transaction_updates_as_moto_does(
    backend: DynamoDBBackend, monkeypatch: pytest.MonkeyPatch, case: tuple[Any, ...]
) -> None:
    expression, names, values, start, fast = case
    _start(backend, start)
    before = _state(backend, TABLES[0])
    update: dict[str, Any] = {"TableName": TABLES[0], "Key": KEY, "UpdateExpression": expression,
                              "ExpressionAttributeValues": values}  # fmt: skip
    if names:
        update["ExpressionAttributeNames"] = names
    reached_moto: list[str] = []
    update_item = DynamoDBBackend.update_item

    def spied(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        reached_moto.append(expression)
        return update_item(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "update_item", spied)
    in_transaction = _outcome(lambda: moto_transactions.transact_write_items(backend, [{"Update": update}]))
    assert bool(reached_moto) is not fast
    monkeypatch.setattr(DynamoDBBackend, "update_item", update_item)
    by_moto = _outcome(
        lambda: backend.update_item(TABLES[1], KEY, expression, names or None, values)  # type: ignore[arg-type]
    )

    assert in_transaction == by_moto
    if in_transaction is None:
        assert _state(backend, TABLES[0]) == _state(backend, TABLES[1])
    else:
        assert _state(backend, TABLES[0]) == before  # all or nothing


def test_a_transaction_refused_half_way_undoes_its_simple_updates(backend: DynamoDBBackend) -> None:
    _start(backend, EXISTING)
    before = _state(backend, TABLES[0])
    other_key = {"PK": {"S": "p"}, "SK": {"S": "other"}}
    actions = [
        {"Update": {"TableName": TABLES[0], "Key": KEY, "UpdateExpression": "ADD net :d REMOVE b",
                    "ExpressionAttributeValues": {":d": {"N": "1"}}}},
        {"Update": {"TableName": TABLES[0], "Key": other_key, "UpdateExpression": "SET a = :v",
                    "ExpressionAttributeValues": {":v": {"S": "x"}}}},
        {"Update": {"TableName": TABLES[0], "Key": {"PK": {"S": "q"}, "SK": {"S": "s"}},
                    "UpdateExpression": "SET a = list_append(a, :v)", "ExpressionAttributeValues": {":v": {"L": []}}}},
    ]  # fmt: skip

    assert _outcome(lambda: moto_transactions.transact_write_items(backend, actions)) is not None
    assert _state(backend, TABLES[0]) == before
    assert backend.get_item(TABLES[0], other_key) is None
