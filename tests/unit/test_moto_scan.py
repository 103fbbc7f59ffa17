"""``local/moto_scan.py`` pages through a scan exactly as moto does.

A table of items with string and number keys, some deleted, is scanned page by page with small limits and with
filters, through the bisecting scan and through moto's own ``Table.scan`` (``__wrapped__``): every page, and every
``LastEvaluatedKey``, must be the same."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table

from local import moto_indexes, moto_scan


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto in an account of its own, neither reset when it starts nor wiped when it stops: an xdist worker runs
    these beside the integration tests, whose local runtime keeps its whole state in the same moto backends."""
    moto_indexes.install()
    moto_scan.install()
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "100000000044")
    mock = mock_aws()
    mock.start(reset=False)
    client = boto3.client("dynamodb", region_name="us-east-1")
    try:
        for name, range_type in (("scanned_s", "S"), ("scanned_n", "N")):
            client.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": range_type},
                ],
                BillingMode="PAY_PER_REQUEST",
            )
        yield client
    finally:
        for name in ("scanned_s", "scanned_n"):
            with contextlib.suppress(client.exceptions.ResourceNotFoundException):
                client.delete_table(TableName=name)
        mock.stop(remove_data=False)


def _pages(client: Any, table: str, **request: Any) -> list[tuple[list[Any], Any]]:
    pages, start = [], None
    while True:
        answer = client.scan(TableName=table, **request, **({"ExclusiveStartKey": start} if start else {}))
        start = answer.get("LastEvaluatedKey")
        pages.append((answer["Items"], start))
        if not start:
            return pages


@pytest.mark.parametrize(("table", "range_type"), [("scanned_s", "S"), ("scanned_n", "N")])
def test_every_page_is_moto_s_own(dynamodb: Any, table: str, range_type: str) -> None:
    rng = random.Random(7)
    keys = [(f"p{rng.randrange(12):02}", str(rng.randrange(1, 500))) for _ in range(150)]
    for pk, sk in keys:
        item = {"pk": {"S": pk}, "sk": {range_type: sk}, "v": {"N": str(rng.randrange(10))}}
        dynamodb.put_item(TableName=table, Item=item)
    for pk, sk in rng.sample(keys, 25):
        dynamodb.delete_item(TableName=table, Key={"pk": {"S": pk}, "sk": {range_type: sk}})
    requests = [
        {"Limit": 7},
        {"Limit": 1},
        {"Limit": 20, "FilterExpression": "v < :v", "ExpressionAttributeValues": {":v": {"N": "4"}}},
    ]
    patched = Table.scan
    for request in requests:
        fast = _pages(dynamodb, table, **request)
        Table.scan = patched.__wrapped__  # type: ignore[attr-defined,method-assign]
        try:
            slow = _pages(dynamodb, table, **request)
        finally:
            Table.scan = patched  # type: ignore[method-assign]
        assert len(fast) > 5
        assert fast == slow, request
