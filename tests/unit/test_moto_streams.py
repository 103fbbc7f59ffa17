"""``local/moto_streams.py`` answers GetRecords as moto does: botocore parses the same records from both answers.

Items with every attribute type (binary ones too) are put, changed and deleted; the stream is then read from its
start twice, in pages, through the plain-JSON answer and through moto's own (``__wrapped__``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.server import ThreadedMotoServer

from local import moto_streams

ACCOUNT = "100000000043"
TABLE = "streamed"


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    """A moto server (as the local runtime runs; in-process moto answers DescribeStream and GetShardIterator 404) in
    an account of its own, never reset: an xdist worker runs this beside the integration tests, whose local runtime
    keeps its whole state in the same moto backends."""
    moto_streams.install()
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    options = {
        "region_name": "us-east-1",
        "endpoint_url": f"http://{host}:{port}",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    dynamodb = boto3.client("dynamodb", **options)
    try:
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        yield dynamodb, boto3.client("dynamodbstreams", **options)
    finally:
        with contextlib.suppress(dynamodb.exceptions.ResourceNotFoundException):
            dynamodb.delete_table(TableName=TABLE)
        server.stop()


def _every_type(n: int) -> dict[str, Any]:
    return {
        "pk": {"S": "P"},
        "sk": {"S": f"{n:03}"},
        "s": {"S": f"é words {n}"},
        "n": {"N": str(n * 1.5)},
        "b": {"B": bytes([n, 0, 255])},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"\x00\x01", b"\xff"]},
        "t": {"BOOL": n % 2 == 0},
        "none": {"NULL": True},
        "l": {"L": [{"S": "x"}, {"N": "3"}, {"M": {"deep": {"L": [{"BOOL": False}]}}}]},
        "m": {"M": {"a": {"S": "b"}, "empty": {"M": {}}, "list": {"L": []}}},
    }


def _read_all(dynamodb: Any, streams: Any, page: int) -> list[dict[str, Any]]:
    arn = dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    position, records = iterator["ShardIterator"], []
    while True:
        answer = streams.get_records(ShardIterator=position, Limit=page)
        position = answer["NextShardIterator"]
        if not answer["Records"]:
            return records
        records += answer["Records"]


def test_get_records_parses_the_same_as_moto_s_own_answer(clients: tuple[Any, Any]) -> None:
    dynamodb, streams = clients
    for n in range(12):
        dynamodb.put_item(TableName=TABLE, Item=_every_type(n))
    dynamodb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "P"}, "sk": {"S": "003"}},
        UpdateExpression="SET s = :s REMOVE b",
        ExpressionAttributeValues={":s": {"S": "changed"}},
    )
    dynamodb.delete_item(TableName=TABLE, Key={"pk": {"S": "P"}, "sk": {"S": "004"}})

    plain = _read_all(dynamodb, streams, page=5)
    patched = DynamoDBStreamsHandler.get_records
    DynamoDBStreamsHandler.get_records = patched.__wrapped__  # type: ignore[attr-defined,method-assign]
    try:
        mine = _read_all(dynamodb, streams, page=5)
    finally:
        DynamoDBStreamsHandler.get_records = patched  # type: ignore[method-assign]

    assert len(plain) == 14
    assert [r["eventName"] for r in plain[-2:]] == ["MODIFY", "REMOVE"]
    assert plain[0]["dynamodb"]["NewImage"]["b"] == {"B": bytes([0, 0, 255])}
    for mine_record, plain_record in zip(mine, plain, strict=True):
        assert plain_record == mine_record
