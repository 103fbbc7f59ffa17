"""Every change this project makes to moto, in one module, pinned to the moto minor version it was written for.

Each patch names the moto internal it replaces and why. After upgrading moto, re-read those internals and run
``tests/integration``; ``check_version`` warns when the installed minor differs from ``MOTO_MINOR``.

1. Lambda runs in-process: moto runs function code only in Docker, through
   ``moto.awslambda.models.LambdaFunction._invoke_lambda``; we route that call to our own invoker.
2. Step Functions executes ASL for real: ``default_user_config["stepfunctions"]["execute_state_machine"]``
   (the in-process equivalent of POST ``/moto-api/config``). Its ``start_execution`` names an unnamed execution
   ``None`` (so the second one is "already exists"); we give it a UUID, as AWS does.
3. Wait states and Retry intervals follow a policy (instant in tests, capped in dev): moto's parser waits in
   ``WaitFunction._wait_interval`` and sleeps in ``retrier_decl.time.sleep``.
4. SES messages get a ``sent_at`` time by the product's clock (moto keeps none; the local mailbox shows it).
5. DynamoDB speed: moto 5.2 checks an item's size in O(n^2), (de)serializes item operations through a generic
   shape walker (~12 ms per returned item), and answers every query by comparing each item's key through
   ``DynamoType.cast_value`` after sorting the whole table the same way (~35 us an item). Item operations take
   a plain-JSON fast path, two strings compare as strings, and a table whose keys are strings sorts by the
   strings: a dashboard over the seeded agency takes tens of milliseconds instead of ~1.4 s. Items and stream
   records are left out of moto's list of every model instance (``BaseModel.instances_tracked``), which kept every
   item ever replaced, deleted or copied.
6. DynamoDB requests are serialized: moto's backends are not thread-safe, and two conditional writes must not
   interleave. ``LocalMotoServer`` holds ``DYNAMODB_LOCK`` around each DynamoDB request.
7. ``import_items`` loads items straight into a moto table, as DynamoDB's import from S3 does (no stream
   records, no per-item round trip): how seed data loads in seconds.
8. DynamoDB Streams keeps every shard iterator it ever issued (~2 KB each); a relay polling for hours would grow
   without bound, so only the newest ``MAX_SHARD_ITERATORS`` are kept (AWS expires them after 15 minutes).
9. ``TransactWriteItems`` without copying tables, every condition checked before any write, all or nothing, and
   its simple updates applied without moto's expression trees: ``local/moto_transactions.py``.
10. Cognito client secrets (moto keeps one per app client), and one signing key for every user pool:
   ``local/moto_client_secrets.py``.
11. Quiet writes: ``streams_paused`` makes a table's writes leave no stream records for a while (moto's
   ``StreamShard.add`` returns at once). The seed loads the demo agency through the integration API and its
   thousands of writes must not each be relayed to the bus and archived by the audit exporter on every start,
   as the items ``import_items`` loads are not; without their stream records the seed also loads in ~40% less
   time.
12. Cognito's first sign-in, per-user TOTP secrets checked by RFC 6238, ``MFA_SETUP`` after a chosen password,
   Cognito's lockout after five failures, and invitation emails through SES: ``local/moto_cognito.py``.
13. A query reads only the partition it names, not the whole table sorted (moto's ``Table.query`` walks
   ``Table.all_items()``), kept per index as items are written: ``local/moto_indexes.py``.
14. DynamoDB Streams' ``GetRecords`` answers in plain JSON, not through moto's generic serializer (~1.7 ms a
   record, which every stream consumer paid for every record of a bulk load): ``local/moto_streams.py``.
15. A scan page starts at its ``ExclusiveStartKey`` by bisection, not by comparing every item before it (a scan
   of a large table was O(n^2 / page)): ``local/moto_scan.py``.
"""

from __future__ import annotations

import base64
import gc
import json
import threading
import time
import traceback
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import moto
from moto.awslambda.models import LambdaFunction
from moto.core.config import default_user_config
from moto.dynamodb import responses as dynamodb_responses
from moto.dynamodb.exceptions import (
    ItemSizeTooLarge,
)
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models import dynamo_type as dynamo_types
from moto.dynamodb.models.table import StreamRecord, StreamShard, Table
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodbstreams.models import DynamoDBStreamsBackend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.ses import models as ses_models
from werkzeug.serving import make_server

from arportal import clock
from local import (
    moto_client_secrets,
    moto_cognito,
    moto_imports,
    moto_indexes,
    moto_scan,
    moto_streams,
    moto_transactions,
)

if TYPE_CHECKING:
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

MOTO_MINOR = "5.2"
MAX_SHARD_ITERATORS = 1_000
DYNAMODB_LOCK = threading.RLock()

# (function_name, handler "pkg.module.func", environment, event) -> the handler's JSON-able result
Invoker = Callable[[str, str, dict[str, str], Any], Any]

_state: dict[str, Any] = {"invoker": None, "max_wait": None, "installed": False}


def check_version() -> None:
    if not moto.__version__.startswith(MOTO_MINOR + "."):
        warnings.warn(
            f"local/moto_patches.py was written for moto {MOTO_MINOR}.x, found {moto.__version__}: "
            "re-check the patched internals",
            stacklevel=2,
        )


def install(invoker: Invoker) -> None:
    """Apply every patch (idempotent) and route Lambda invocations to ``invoker``."""
    check_version()
    _state["invoker"] = invoker
    if _state["installed"]:
        return
    LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    moto_imports.import_step_functions()  # first: the interpreter, without moto's Batch and EC2 (see there)
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    parser_backend = StepFunctionsParserBackend
    parser_backend.start_execution = _named_execution(parser_backend.start_execution)  # type: ignore[method-assign]
    WaitFunction._wait_interval = _scaled_wait(WaitFunction._wait_interval)  # type: ignore[method-assign]
    retrier_decl.time = _ScaledSleep()  # type: ignore[attr-defined,assignment]
    for message_class in (ses_models.Message, ses_models.RawMessage, ses_models.TemplateMessage):
        message_class.__init__ = _stamped(message_class.__init__)  # type: ignore[method-assign]
    dynamo_types.LimitedSizeDict.__setitem__ = _sized_setitem  # type: ignore[method-assign]
    dynamo_types.Item.__init__ = _item_init  # type: ignore[method-assign]
    for model in (dynamo_types.Item, StreamRecord):
        model.__new__ = staticmethod(_untracked)  # type: ignore[assignment,method-assign]
    for name in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
        setattr(dynamo_types.DynamoType, name, _string_fast_path(getattr(dynamo_types.DynamoType, name), name))
    dynamo_types.DynamoType.__hash__ = _fast_hash(dynamo_types.DynamoType.__hash__)  # type: ignore[method-assign,assignment]
    Table.all_items = _all_items_by_string_keys(Table.all_items)  # type: ignore[method-assign,assignment]
    moto_indexes.install()  # after all_items: a query's partition stands in for the whole table
    moto_scan.install()  # after moto_indexes: a scan's remaining items stand in for the whole table
    handler = dynamodb_responses.DynamoHandler
    handler.parse_parameters = _fast_parse(handler.parse_parameters)  # type: ignore[method-assign]
    result = dynamodb_responses.DynamoResult
    result.execute_result = _fast_result(result.execute_result)  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_records = _bounded_iterators(DynamoDBStreamsBackend.get_records)  # type: ignore[method-assign]
    moto_streams.install()
    DynamoDBBackend.transact_write_items = moto_transactions.transact_write_items  # type: ignore[method-assign]
    StreamShard.add = _unless_paused(StreamShard.add)  # type: ignore[method-assign]
    moto_client_secrets.install()
    moto_cognito.install()
    _state["installed"] = True


# --- 1. Lambda in-process ---------------------------------------------------------------------------------


def _invoke_lambda(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    """Same contract as moto's: (response body, errored, logs). An error payload mirrors Lambda's, so Step
    Functions sees the exception's class name as the error (what Retry/Catch match on)."""
    if isinstance(event, str | bytes):
        event = json.loads(event or "{}")
    try:
        result = _state["invoker"](self.function_name, self.handler, dict(self.environment_vars), event or {})
    except Exception as exc:
        payload = {
            "errorType": type(exc).__name__,
            "errorMessage": str(exc),
            "stackTrace": traceback.format_tb(exc.__traceback__),
        }
        return json.dumps(payload), True, "".join(traceback.format_exception(exc))
    return json.dumps(result), False, ""


# --- 2. Step Functions ---------------------------------------------------------------------------------------


def _named_execution(original: Callable[..., Any]) -> Callable[..., Any]:
    def start_execution(self: Any, state_machine_arn: str, name: str | None = None, *args: Any, **kw: Any) -> Any:
        return original(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kw)

    return start_execution


# --- 3. Wait and Retry clock ------------------------------------------------------------------------------


def set_max_wait(seconds: float | None) -> None:
    """None: wait as long as the ASL says; 0: never wait (tests); N: wait at most N seconds (dev)."""
    _state["max_wait"] = seconds


def _scaled(seconds: float) -> float:
    cap = _state["max_wait"]
    return seconds if cap is None else min(seconds, cap)


def _scaled_wait(original: Callable[..., None]) -> Callable[..., None]:
    def _wait_interval(self: WaitFunction, env: Any, wait_seconds: int) -> None:
        original(self, env, _scaled(wait_seconds))

    return _wait_interval


class _ScaledSleep:
    """Stands in for the ``time`` module inside moto's retrier, which only calls ``time.sleep``."""

    def sleep(self, seconds: float) -> None:
        time.sleep(_scaled(seconds))

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


# --- 4. SES timestamps ------------------------------------------------------------------------------------


def _stamped(original: Callable[..., None]) -> Callable[..., None]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.sent_at = clock.now()  # the mailbox shows when the product sent it, by the product's clock

    return __init__


# --- 5. DynamoDB speed ------------------------------------------------------------------------------------

# Operations whose request and response are items and plain JSON scalars, with nothing to rename or reformat.
_ITEM_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)


def _size_of(key: str, value: Any) -> int:
    return bytesize(key) + (value.size() if type(value) is dynamo_types.DynamoType else bytesize(str(value)))


def _sized_setitem(self: dict[str, Any], key: str, value: Any) -> None:
    """moto's 400 KB item check, with each attribute's size remembered instead of recomputed on every set."""
    sizes: dict[str, tuple[int, Any]] = self.__dict__.setdefault("_sizes", {})
    current = 0
    for name, existing in dict.items(self):
        if name == key:
            continue
        cached = sizes.get(name)
        if cached is None or cached[1] is not existing:  # replaced behind our back (dict.update, del)
            cached = (_size_of(name, existing), existing)
            sizes[name] = cached
        current += cached[0]
    new = _size_of(key, value)
    if current + new > 405_000:  # moto's own threshold
        raise ItemSizeTooLarge
    sizes[key] = (new, value)
    dict.__setitem__(self, key, value)


def _item_init(self: dynamo_types.Item, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    """moto's ``Item.__init__``, its 400 KB check made once over the attributes instead of once per attribute. The
    sizes are not kept: most items are never changed, and ``_sized_setitem`` measures those that are."""
    self.hash_key = hash_key
    self.range_key = range_key
    typed = {key: dynamo_types.DynamoType(value) for key, value in attrs.items()}
    if sum(_size_of(key, value) for key, value in typed.items()) > 405_000:  # as moto's per-attribute check ends
        raise ItemSizeTooLarge
    self.attrs = dynamo_types.LimitedSizeDict()
    dict.update(self.attrs, typed)


def _untracked(cls: type, *args: Any, **kwargs: Any) -> Any:
    """moto's ``BaseModel.__new__`` without its list of every instance ever made (read only by ``/moto-api/data.json``,
    which nothing here asks): an item replaced, deleted or copied for a stream record was never freed."""
    return object.__new__(cls)


def _string_fast_path(original: Callable[[Any, Any], bool], name: str) -> Callable[[Any, Any], bool]:
    compare = getattr(str, name)

    def method(self: Any, other: Any) -> bool:
        # For two strings cast_value is the string itself; every other type keeps moto's comparison.
        if self.type == "S" and type(other) is dynamo_types.DynamoType and other.type == "S":
            return compare(self.value, other.value)  # type: ignore[no-any-return]
        return original(self, other)

    return method


def _fast_hash(original: Callable[[Any], int]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(("S", self.value)) if self.type == "S" else original(self)  # the same hash moto computes

    return __hash__


def _all_items_by_string_keys(original: Callable[[Any], list[Any]]) -> Callable[[Any], list[Any]]:
    def all_items(self: Any) -> list[Any]:
        if self.hash_key_type != "S" or self.range_key_type not in (None, "S"):
            return original(self)
        if self.range_key_attr:
            found = [item for by_range in self.items.values() for item in by_range.values()]
            return sorted(found, key=lambda x: (x.hash_key.value, x.range_key.value))
        return sorted(self.items.values(), key=lambda x: x.hash_key.value)

    return all_items


def _fast_parse(original: Callable[..., None]) -> Callable[..., None]:
    def parse_parameters(self: Any, request: Any) -> None:
        raw = getattr(request, "data", None)
        if raw is None:
            raw = getattr(request, "body", None)
        body: bytes = raw.encode() if isinstance(raw, str) else (raw or b"")
        # Binary attributes need moto's base64 handling; anything mentioning them takes the slow path.
        if self._get_action() in _ITEM_OPERATIONS and b'"B"' not in body and b'"BS"' not in body:
            self.params = json.loads(body or b"{}")
            return
        original(self, request)

    return parse_parameters


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(type(value).__name__)


def _fast_result(original: Callable[..., Any]) -> Callable[..., Any]:
    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name in _ITEM_OPERATIONS:
            try:
                body = json.dumps(self.result, default=_json_default)
            except TypeError:
                return original(self, context)
            return 200, {"Content-Type": "application/x-amz-json-1.0"}, body
        return original(self, context)

    return execute_result


def _bounded_iterators(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def get_records(self: Any, iterator_arn: str, limit: int) -> dict[str, Any]:
        result = original(self, iterator_arn, limit)
        registry: dict[str, Any] = self.shard_iterators
        for stale in list(registry)[: max(0, len(registry) - MAX_SHARD_ITERATORS)]:  # oldest first
            del registry[stale]
        return result

    return get_records


# --- 6. Serialized DynamoDB requests ----------------------------------------------------------------------


class _SerializedDynamoDB:
    """WSGI middleware: one DynamoDB request at a time; other services stay concurrent (long polls, Lambda
    invocations that call back into the server)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with DYNAMODB_LOCK:
                return list(self.app(environ, start_response))
        return self.app(environ, start_response)


class LocalMotoServer(ThreadedMotoServer):
    """moto's threaded server with DynamoDB requests serialized (replaces ``ThreadedMotoServer._server_entry``)."""

    def _server_entry(self) -> None:
        app = _SerializedDynamoDB(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()


# --- 7. Bulk import ---------------------------------------------------------------------------------------


def import_items(table_name: str, items: Iterable[dict[str, Any]], *, account: str, region: str) -> int:
    """Put items (plain values, as ``entity_items.to_item`` makes them) straight into moto's table, overwriting same-key
    items.

    Like DynamoDB's import from S3 it skips conditions and stream records, so nothing downstream (the outbox
    relay) sees them: use it for seed data only. Indexes need nothing: moto evaluates them at query time.
    """
    table = dynamodb_backends[account][region].get_table(table_name)
    hash_name, range_name = table.hash_key_attr, table.range_key_attr
    count = 0
    with DYNAMODB_LOCK, gc_paused():  # ~350,000 new objects: the collector would rescan them over and over
        for attrs in items:
            item: Any = dynamo_types.Item.__new__(dynamo_types.Item)
            # LimitedSizeDict(...) fills through dict.update, which skips the per-attribute size check.
            item.attrs = dynamo_types.LimitedSizeDict({k: _dynamo(v) for k, v in attrs.items()})
            item.hash_key = item.attrs[hash_name]
            item.range_key = item.attrs[range_name] if range_name else None
            if item.range_key is None:
                table.items[item.hash_key] = item
            else:
                table.items[item.hash_key][item.range_key] = item
            count += 1
        moto_indexes.forget(table)  # written behind put_item: the partitions are rebuilt on the next index query
    return count


# --- 11. Quiet writes ------------------------------------------------------------------------------------------

_paused_shards: set[int] = set()


@contextmanager
def streams_paused(table_names: Iterable[str], *, account: str, region: str) -> Iterator[None]:
    """Writes to these tables leave no stream records while this lasts (what the stream readers already read or
    will read of earlier writes is untouched). Only for the seed: nothing else may write these tables meanwhile."""
    backend = dynamodb_backends[account][region]
    shards = [backend.get_table(name).stream_shard for name in table_names]
    paused = {id(shard) for shard in shards if shard is not None}
    _paused_shards.update(paused)
    try:
        yield
    finally:
        _paused_shards.difference_update(paused)


def _unless_paused(original: Callable[..., None]) -> Callable[..., None]:
    def add(self: StreamShard, old: Any, new: Any) -> None:
        if id(self) not in _paused_shards:
            original(self, old, new)

    return add


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _dynamo(value: Any) -> dynamo_types.DynamoType:
    """A DynamoType built directly from a plain value (what ``DynamoType({"S": ...})`` makes, without the
    intermediate attribute-value dicts)."""
    typed = dynamo_types.DynamoType.__new__(dynamo_types.DynamoType)
    if isinstance(value, str):
        typed.type, typed.value = "S", value
    elif isinstance(value, bool):
        typed.type, typed.value = "BOOL", value
    elif isinstance(value, int | Decimal):
        typed.type, typed.value = "N", str(value)
    elif isinstance(value, dict):
        typed.type, typed.value = "M", {k: _dynamo(v) for k, v in value.items()}
    elif isinstance(value, list):
        typed.type, typed.value = "L", [_dynamo(v) for v in value]
    elif value is None:
        typed.type, typed.value = "NULL", True
    else:
        raise TypeError(f"cannot import a {type(value).__name__}")
    return typed


def sent_messages(account: str, region: str) -> Iterator[Any]:
    """Messages moto's SES backend accepted (SES v1 and v2 share it)."""
    yield from list(ses_models.ses_backends[account][region].sent_messages)
