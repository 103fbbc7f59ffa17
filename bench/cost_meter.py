"""Counting what the product asks of AWS in this process, and pricing it (``bench/payment_cost.py``).

Every AWS call made through botocore (``BaseClient._make_api_call``, below every client) is recorded with its
parameters and answer, and attributed to whoever made it: the product (its handlers, run in-process by the local
runtime), the local runtime's stand-ins for AWS's own plumbing (``local/``: the Pipe's relay, the stream and
queue pollers, which are priced as the AWS features they stand for) or moto's Step Functions interpreter (its
service integrations). Lambda invocations are counted where the local runtime runs a handler
(``local.invoke.invoke``), with their local duration.

DynamoDB request units from the items' sizes:
- reads: ceil(size / 4 KB) per item (GetItem, BatchGetItem) or per query (Query); 1 RRU strongly consistent,
  0.5 eventually consistent;
- writes: ceil(size / 1 KB) WRU per item (updates: the item as it is afterwards), doubled inside a transaction;
  plus one index write per ledger index whose entry the write puts or removes (ALL projection: the entry is the
  item's size), not doubled.
"""

from __future__ import annotations

import json
import math
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient

from arportal.adapters.dynamodb import tables

# --- published prices (USD, us-east-1, on-demand, x86) ------------------------------------------------------------
LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_REQUEST = 0.20 / 1_000_000
API_GATEWAY_REST_REQUEST = 3.50 / 1_000_000  # first 333 million a month
DYNAMODB_WRU = 0.625 / 1_000_000
DYNAMODB_RRU = 0.125 / 1_000_000
EVENTBRIDGE_EVENT = 1.00 / 1_000_000  # custom events put on the bus (the Pipe's, and the state machines')
EVENTBRIDGE_PIPE_REQUEST = 0.40 / 1_000_000  # one request per event the Pipe relays (64 KB chunks)
SQS_REQUEST = 0.40 / 1_000_000  # standard queue, per request (64 KB chunks)
SES_EMAIL = 0.10 / 1_000
S3_PUT = 0.005 / 1_000
S3_GET = 0.0004 / 1_000
STEP_FUNCTIONS_TRANSITION = 0.025 / 1_000  # Standard workflows

# Each table's global secondary indexes by their partition key attribute, from the table specs the stack is built
# from: an item in an index costs a write unit more each time it is written (every index projects ALL).
INDEX_KEYS = {spec.logical_id: tuple(i.partition_key for i in spec.indexes) for spec in tables.TABLES}
_HARNESS = ("/local/relay.py", "/local/stream_poller.py", "/local/aggregate_poller.py", "/local/audit_export.py",
            "/local/webhook_dispatch.py", "/local/bank_file_drop.py", "/bench/")  # fmt: skip


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (numbers ~1 byte per 2 digits + 1)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Any) -> int:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, inner),) = value.items()
        if kind == "S":
            return len(str(inner).encode())
        if kind == "N":
            return math.ceil(len(str(inner).lstrip("-").replace(".", "")) / 2) + 1
        if kind in {"BOOL", "NULL"}:
            return 1
        if kind == "M":
            return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in inner.items())
        if kind == "L":
            return 3 + sum(_value_size(v) + 1 for v in inner)
        if kind in {"SS", "NS"}:
            return sum(len(str(v).encode()) for v in inner)
        if kind == "B":
            return len(inner)
    return len(json.dumps(value, default=str))


@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any]
    answer: dict[str, Any]
    by: str  # "product", "harness" (a local stand-in for AWS plumbing) or "moto" (Step Functions' integrations)


@dataclass
class Recorder:
    calls: list[Call] = field(default_factory=list)
    by_item: Counter[str] = field(default_factory=Counter)  # write units by "<operation> <table> <SK prefix>"
    invocations: list[tuple[str, float]] = field(default_factory=list)  # (function, local ms)
    _quiet: threading.local = field(default_factory=threading.local)

    def __enter__(self) -> Recorder:
        from local import invoke

        self._original_call, self._original_invoke = BaseClient._make_api_call, invoke.invoke
        recorder = self

        def recording(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            answer = recorder._original_call(client, operation, params)
            if not getattr(recorder._quiet, "on", False):
                service = client.meta.service_model.service_name
                plain = json.loads(json.dumps(params, default=str))
                recorder.calls.append(Call(service, operation, plain, dict(answer), _caller()))
            return answer

        def invoking(function_name: str, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return recorder._original_invoke(function_name, *args, **kwargs)
            finally:
                recorder.invocations.append((function_name, (time.perf_counter() - started) * 1000))

        BaseClient._make_api_call = recording  # type: ignore[method-assign]
        invoke.invoke = invoking  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        from local import invoke

        BaseClient._make_api_call = self._original_call  # type: ignore[method-assign]
        invoke.invoke = self._original_invoke  # type: ignore[assignment]

    def mark(self) -> tuple[int, int]:
        return len(self.calls), len(self.invocations)

    def since(self, mark: tuple[int, int]) -> tuple[list[Call], list[tuple[str, float]]]:
        return self.calls[mark[0] :], self.invocations[mark[1] :]

    def units(self, calls: list[Call], ledger_table: str) -> tuple[float, float]:
        """(RRU, WRU) of the product's DynamoDB calls among ``calls``."""
        rru = wru = 0.0
        for call in calls:
            if call.service != "dynamodb" or call.by != "product":
                continue
            params, answer = call.params, call.answer
            strong = 1.0 if params.get("ConsistentRead") else 0.5
            if call.operation == "GetItem":  # a read of an item that is not there is charged too
                rru += max(1, math.ceil(item_size(answer.get("Item") or {}) / 4096)) * strong
            elif call.operation == "Query":
                rru += max(1, math.ceil(sum(item_size(i) for i in answer.get("Items", [])) / 4096)) * strong
            elif call.operation == "BatchGetItem":
                for table, request in params.get("RequestItems", {}).items():
                    factor = 1.0 if request.get("ConsistentRead") else 0.5
                    found = answer.get("Responses", {}).get(table, [])
                    rru += sum(math.ceil(item_size(i) / 4096) * factor for i in found)
            elif call.operation in {"PutItem", "UpdateItem", "DeleteItem"}:
                wru += self._write(params, ledger_table, transactional=False)
            elif call.operation == "BatchWriteItem":
                for table, requests in params.get("RequestItems", {}).items():
                    for request in requests:
                        put = request.get("PutRequest") or {}
                        wru += self._write({"TableName": table, "Item": put.get("Item") or {}}, ledger_table)
            elif call.operation == "TransactWriteItems":
                for action in params.get("TransactItems", []):
                    ((kind, request),) = action.items()
                    wru += self._write(request, ledger_table, transactional=True, kind=kind)
        return rru, wru

    def _write(
        self, request: dict[str, Any], ledger_table: str, *, transactional: bool = False, kind: str | None = None
    ) -> float:
        if kind == "ConditionCheck":
            return 1.0  # a read unit's worth: priced as one write unit, as DynamoDB bills a check in a transaction
        item = request.get("Item") or self._current(request)
        size_units = max(1, math.ceil(item_size(item) / 1024))
        base = size_units * (2 if transactional else 1)
        table = str(request.get("TableName", ""))
        sk = str((item.get("SK") or {}).get("S", "")).split("#", 1)[0]
        label = f"{kind or 'Single'} {table.rsplit('-', 1)[-1]} {sk}"
        update = str(request.get("UpdateExpression", ""))
        touched = sum(
            1
            for pk in _indexes_of(table, ledger_table)
            if pk in item or (kind in {"Update", None} and pk in update) or kind == "Delete"
        )
        self.by_item[label] += base + touched * size_units
        return base + touched * size_units

    def _current(self, request: dict[str, Any]) -> dict[str, Any]:
        from arportal.adapters.aws import client

        key = request.get("Key")
        if not key:
            return {}
        self._quiet.on = True
        try:
            found = client("dynamodb").get_item(TableName=request["TableName"], Key=key).get("Item")
        finally:
            self._quiet.on = False
        return found or dict(key)


def _caller() -> str:
    """Who made the call: the first frame outside botocore and boto3."""
    for frame in reversed(traceback.extract_stack(limit=40)[:-2]):
        name = frame.filename.replace("\\", "/")
        if "/botocore/" in name or "/boto3/" in name or name.endswith("/bench/cost_meter.py"):
            continue
        if "/moto/" in name:
            return "moto"
        return "harness" if any(part in name for part in _HARNESS) else "product"
    return "product"


def operations(calls: list[Call], by: str = "product") -> Counter[str]:
    return Counter(f"{c.service}.{c.operation}" for c in calls if c.by == by)


def _indexes_of(table: str, ledger_table: str) -> tuple[str, ...]:
    """The index keys of a table named ``<stack>-<logical id>`` (the ledger by its configured name)."""
    return INDEX_KEYS["Ledger"] if table == ledger_table else INDEX_KEYS.get(table.rsplit("-", 1)[-1], ())
