"""One query on a secondary index of a 50,000-item table in the local runtime's moto, with and without
``local/moto_indexes.py`` (moto's own ``Table.query``, which walks and sorts the whole table, is its
``__wrapped__``): the time of each and how many items each looks at. Paired: the two alternate, ``RUNS`` each; the
first query with the partitions builds them (one pass over the table) and is reported apart.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import boto3
from moto import mock_aws
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from local import moto_patches

ITEMS = 50_000
DEPARTMENTS = 1_000  # so the partition queried holds 50 items
RUNS = 8
ACCOUNT, REGION = "123456789012", "us-east-1"


def _table(client: Any) -> Table:
    key = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    by_department = [{"AttributeName": "dept", "KeyType": "HASH"}, {"AttributeName": "due", "KeyType": "RANGE"}]
    client.create_table(
        TableName="bench",
        KeySchema=key,
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "dept", "due")],
        GlobalSecondaryIndexes=[
            {"IndexName": "ByDepartment", "KeySchema": by_department, "Projection": {"ProjectionType": "ALL"}}
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    items = (
        {"pk": f"CUST#{n:06d}", "sk": f"INV#{n:06d}", "dept": f"DEPT#{n % DEPARTMENTS}", "due": f"2026-{n:06d}"}
        for n in range(ITEMS)
    )
    moto_patches.import_items("bench", items, account=ACCOUNT, region=REGION)
    return dynamodb_backends[ACCOUNT][REGION].get_table("bench")


def run() -> dict[str, object]:
    moto_patches.install(lambda *_: None)  # nothing here invokes a Lambda
    partitioned = Table.query
    whole_table = partitioned.__wrapped__  # type: ignore[attr-defined]
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        table = _table(client)

        def query() -> float:
            started = time.perf_counter()
            answer = client.query(
                TableName="bench",
                IndexName="ByDepartment",
                KeyConditionExpression="dept = :d",
                ExpressionAttributeValues={":d": {"S": "DEPT#7"}},
            )
            assert answer["Count"] == ITEMS // DEPARTMENTS
            return (time.perf_counter() - started) * 1000

        Table.query = partitioned  # type: ignore[method-assign]
        first = query()  # builds the partitions
        times: dict[str, list[float]] = {"whole_table": [], "partition": []}
        try:
            for _ in range(RUNS):
                for name, method in (("whole_table", whole_table), ("partition", partitioned)):
                    Table.query = method  # type: ignore[method-assign]
                    times[name].append(query())
        finally:
            Table.query = partitioned  # type: ignore[method-assign]
        state = table.__dict__["_arportal_partitions"]
        partition = len(state.buckets["ByDepartment"][(("S", "DEPT#7"),)])
    medians = {f"{name}_ms": {"median": round(statistics.median(t), 1), "runs": [round(x, 1) for x in t]}
               for name, t in times.items()}  # fmt: skip
    return {
        "items": ITEMS,
        "answer_items": ITEMS // DEPARTMENTS,
        "runs": RUNS,
        "first_query_with_partitions_ms": round(first, 1),
        **medians,
        "items_looked_at": {"whole_table": ITEMS, "partition": partition},  # moto walks all_items(): every item
    }
