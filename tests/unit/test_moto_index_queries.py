"""``local/moto_indexes.py`` answers every query exactly as moto does.

Random writes (put, update that sets, changes or removes index keys, delete, transactions, batches) against tables
with indexes of every shape; after each, random queries, every page of them, are asked twice: through the partition
maps, and through moto's own ``Table.query`` (``__wrapped__``), which walks the whole table. The answers must be
identical, pagination keys included.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table

from local import moto_indexes

RANGE_TABLE = "ranged"
HASH_TABLE = "hashed"
KEYS = ["a", "b", "c", "d"]
INDEX_VALUES = ["x", "y", "z"]
SORT_VALUES = ["1", "2", "3", "10", "20"]
# (index, its hash key, its range key) of each table; None: the table itself
SHAPES = {
    RANGE_TABLE: [
        (None, "pk", "sk"),
        ("ByG1", "g1", "g1s"),
        ("ByG2", "g2", None),
        ("ByG3", "g3", "g3s"),
        ("ByL1", "pk", "l1"),
    ],
    HASH_TABLE: [(None, "pk", None), ("ByG1", "g1", None)],
}


def _s(value: str) -> dict[str, str]:
    return {"S": value}


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto in an account of its own, neither reset when it starts nor wiped when it stops: an xdist worker runs
    these beside the integration tests, whose local runtime keeps its whole state in the same moto backends."""
    moto_indexes.install()
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "100000000042")
    mock = mock_aws()
    mock.start(reset=False)
    try:
        yield from _tables()
    finally:
        mock.stop(remove_data=False)


def _tables() -> Iterator[Any]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    try:
        _create(client)
        yield client
    finally:
        for name in (RANGE_TABLE, HASH_TABLE):
            with contextlib.suppress(client.exceptions.ResourceNotFoundException):
                client.delete_table(TableName=name)


def _create(client: Any) -> None:
    client.create_table(
        TableName=RANGE_TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "N" if name.startswith("g3") else "S"}
            for name in ("pk", "sk", "g1", "g1s", "g2", "g3", "g3s", "l1")
        ],
        GlobalSecondaryIndexes=[
            _index("ByG1", "g1", "g1s", {"ProjectionType": "ALL"}),
            _index("ByG2", "g2", None, {"ProjectionType": "KEYS_ONLY"}),
            _index("ByG3", "g3", "g3s", {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["amount"]}),
        ],
        LocalSecondaryIndexes=[_index("ByL1", "pk", "l1", {"ProjectionType": "ALL"})],
        BillingMode="PAY_PER_REQUEST",
    )
    client.create_table(
        TableName=HASH_TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "g1")],
        GlobalSecondaryIndexes=[_index("ByG1", "g1", None, {"ProjectionType": "ALL"})],
        BillingMode="PAY_PER_REQUEST",
    )


def _index(name: str, hash_name: str, range_name: str | None, projection: dict[str, Any]) -> dict[str, Any]:
    schema = [{"AttributeName": hash_name, "KeyType": "HASH"}]
    if range_name:
        schema.append({"AttributeName": range_name, "KeyType": "RANGE"})
    return {"IndexName": name, "KeySchema": schema, "Projection": projection}


def _random_item(rng: random.Random, table: str) -> dict[str, Any]:
    item: dict[str, Any] = {"pk": _s(rng.choice(KEYS)), "amount": {"N": str(rng.randint(0, 50))}}
    if table == RANGE_TABLE:
        item["sk"] = _s(rng.choice(SORT_VALUES))
        for name, chance in [("g1", 0.7), ("g1s", 0.7), ("g2", 0.5), ("l1", 0.5)]:
            if rng.random() < chance:
                item[name] = _s(rng.choice(INDEX_VALUES if name in ("g1", "g2") else SORT_VALUES))
        if rng.random() < 0.5:
            item["g3"] = {"N": rng.choice(["1", "1.0", "2", "3"])}  # "1" and "1.0" are the same number
            item["g3s"] = {"N": rng.choice(SORT_VALUES)}
    elif rng.random() < 0.7:
        item["g1"] = _s(rng.choice(INDEX_VALUES))
    return item


def _key(rng: random.Random, table: str) -> dict[str, Any]:
    key = {"pk": _s(rng.choice(KEYS))}
    if table == RANGE_TABLE:
        key["sk"] = _s(rng.choice(SORT_VALUES))
    return key


def _random_update(rng: random.Random, table: str) -> dict[str, Any]:
    names = ["g1", "g1s", "g2", "l1"] if table == RANGE_TABLE else ["g1"]
    name = rng.choice(names)
    update: dict[str, Any] = {"TableName": table, "Key": _key(rng, table)}
    if rng.random() < 0.35:
        update["UpdateExpression"] = f"REMOVE {name}"  # the item leaves the index
    else:
        values = INDEX_VALUES if name in ("g1", "g2") else SORT_VALUES
        update["UpdateExpression"] = f"SET {name} = :v, amount = :a"
        update["ExpressionAttributeValues"] = {":v": _s(rng.choice(values)), ":a": {"N": str(rng.randint(0, 50))}}
    return update


def _write(client: Any, rng: random.Random) -> None:
    table = rng.choice([RANGE_TABLE, RANGE_TABLE, HASH_TABLE])
    kind = rng.choice(["put", "put", "update", "update", "delete", "transact", "batch"])
    if kind == "put":
        client.put_item(TableName=table, Item=_random_item(rng, table))
    elif kind == "update":
        client.update_item(**_random_update(rng, table))
    elif kind == "delete":
        client.delete_item(TableName=table, Key=_key(rng, table))
    elif kind == "batch":
        requests = {}
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.6:
                item = _random_item(rng, table)
                requests[str(_key_of(item))] = {"PutRequest": {"Item": item}}
            else:
                key = _key(rng, table)
                requests[str(key)] = {"DeleteRequest": {"Key": key}}
        client.batch_write_item(RequestItems={table: list(requests.values())})
    else:
        _transact(client, rng, table)


def _key_of(item: dict[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name in ("pk", "sk") if name in item}


def _transact(client: Any, rng: random.Random, table: str) -> None:
    actions: dict[str, dict[str, Any]] = {}
    for _ in range(rng.randint(1, 3)):
        choice = rng.random()
        if choice < 0.4:
            item = _random_item(rng, table)
            actions.setdefault(str(_key_of(item)), {"Put": {"TableName": table, "Item": item}})
        elif choice < 0.8:
            update = _random_update(rng, table)
            actions.setdefault(str(update["Key"]), {"Update": update})
        else:
            key = _key(rng, table)
            actions.setdefault(str(key), {"Delete": {"TableName": table, "Key": key}})
    with contextlib.suppress(client.exceptions.TransactionCanceledException):  # a condition failed: nothing written
        client.transact_write_items(TransactItems=list(actions.values()))


def _random_query(rng: random.Random) -> dict[str, Any]:
    table = rng.choice([RANGE_TABLE, HASH_TABLE])
    index, hash_name, range_name = rng.choice(SHAPES[table])
    values = {":h": _hash_value(rng, hash_name)}
    condition = "#h = :h"
    names = {"#h": hash_name}
    if range_name and rng.random() < 0.5:
        names["#r"] = range_name
        low = rng.choice(SORT_VALUES)
        values[":r"] = {"N": low} if range_name == "g3s" else _s(low)
        condition += rng.choice([" AND #r > :r", " AND #r <= :r", " AND #r = :r"])
    query: dict[str, Any] = {"TableName": table, "KeyConditionExpression": condition,
                             "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}  # fmt: skip
    if index:
        query["IndexName"] = index
    if rng.random() < 0.5:
        query["Limit"] = rng.randint(1, 4)
    if rng.random() < 0.4:
        query["ScanIndexForward"] = False
    if rng.random() < 0.3:
        query["FilterExpression"] = "amount > :min"
        values[":min"] = {"N": "20"}
    elif rng.random() < 0.2:
        query["ProjectionExpression"] = "pk, amount"
    return query


def _hash_value(rng: random.Random, name: str) -> dict[str, str]:
    if name == "g3":
        return {"N": rng.choice(["1", "1.00", "2", "3"])}
    return _s(rng.choice(KEYS if name == "pk" else INDEX_VALUES))


def _pages(client: Any, query: dict[str, Any]) -> list[dict[str, Any]]:
    pages, start = [], None
    while True:
        page = client.query(**query, **({"ExclusiveStartKey": start} if start else {}))
        page.pop("ResponseMetadata")
        pages.append(page)
        start = page.get("LastEvaluatedKey")
        if not start or len(pages) > 60:
            return pages


def _moto_pages(client: Any, query: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Table, "query", Table.query.__wrapped__)  # type: ignore[attr-defined]
        return _pages(client, query)


@pytest.mark.parametrize("seed", range(6))
def test_every_query_answers_as_moto_does(dynamodb: Any, seed: int) -> None:
    rng = random.Random(seed)
    compared = non_empty = 0
    for _ in range(120):
        _write(dynamodb, rng)
        for _ in range(3):
            query = _random_query(rng)
            expected = _moto_pages(dynamodb, query)
            assert _pages(dynamodb, query) == expected, query
            compared += 1
            non_empty += any(page["Items"] for page in expected)
    assert non_empty > compared // 3  # the queries found something often enough to mean something


def test_an_update_moves_the_item_between_partitions_and_out_of_the_index(dynamodb: Any) -> None:
    item = {"pk": _s("a"), "sk": _s("1"), "g1": _s("x"), "g1s": _s("1")}
    dynamodb.put_item(TableName=RANGE_TABLE, Item=item)

    def keys_under(value: str) -> list[dict[str, Any]]:
        return dynamodb.query(TableName=RANGE_TABLE, IndexName="ByG1", KeyConditionExpression="g1 = :v",
                              ExpressionAttributeValues={":v": _s(value)})["Items"]  # fmt: skip

    assert [i["pk"] for i in keys_under("x")] == [_s("a")]
    dynamodb.update_item(TableName=RANGE_TABLE, Key=_key_of(item), UpdateExpression="SET g1 = :v",
                         ExpressionAttributeValues={":v": _s("y")})  # fmt: skip
    assert keys_under("x") == [] and [i["pk"] for i in keys_under("y")] == [_s("a")]
    dynamodb.update_item(TableName=RANGE_TABLE, Key=_key_of(item), UpdateExpression="REMOVE g1s")
    assert keys_under("y") == []  # sparse: an item without the index's sort key is not in the index
    dynamodb.update_item(TableName=RANGE_TABLE, Key=_key_of(item), UpdateExpression="SET g1s = :v",
                         ExpressionAttributeValues={":v": _s("2")})  # fmt: skip
    assert [i["g1s"] for i in keys_under("y")] == [_s("2")]
    dynamodb.delete_item(TableName=RANGE_TABLE, Key=_key_of(item))
    assert keys_under("y") == []


def test_a_query_reads_only_its_partition(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(200):
        dynamodb.put_item(TableName=RANGE_TABLE, Item={"pk": _s(f"p{n}"), "sk": _s("1"), "g1": _s(f"v{n % 50}"),
                                                       "g1s": _s(str(n))})  # fmt: skip
    walked: list[int] = []
    original = Table.all_items

    def counting(self: Table) -> Any:
        found = original(self)
        walked.append(len(found))
        return found

    monkeypatch.setattr(Table, "all_items", counting)
    moto_indexes.install()  # all_items was wrapped since: the partitions stand in for it again
    answer = dynamodb.query(TableName=RANGE_TABLE, IndexName="ByG1", KeyConditionExpression="g1 = :v",
                            ExpressionAttributeValues={":v": _s("v7")})  # fmt: skip
    assert [i["g1s"]["S"] for i in answer["Items"]] == ["107", "157", "57", "7"]
    assert walked == [], "the partition stood in for the whole table"
