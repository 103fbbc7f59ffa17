"""DynamoDB Streams' GetRecords answered as plain JSON: ``moto_patches`` patch 14.

moto 5.2 answers GetRecords through its generic, shape-driven response serializer, which walks every attribute of
every record's old and new image against botocore's service model: about 1.7 ms a record, 1.7 s for a page of
1,000. Every stream consumer of the local runtime (the outbox relay, the aggregate builder, the search pointers)
reads every record written to the ledger, so a bulk load (the seed, a test's 15,000 invoices) made each of them
spend minutes serializing records they mostly skip.

A stream record as moto keeps it (``StreamRecord.record``) is already in the wire format: images are DynamoDB JSON,
and the one timestamp is a ``datetime``, which the protocol sends as epoch seconds (to the millisecond). So the
answer is ``json.dumps`` of moto's own result with that conversion, as ``moto_patches`` already does for the item
operations of DynamoDB.
``tests/unit/test_moto_streams.py`` compares what botocore parses from both answers.
"""

from __future__ import annotations

import base64
import calendar
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

_CONTENT_TYPE = "application/x-amz-json-1.0"  # the service's jsonVersion


def install() -> None:
    """Idempotent. ``DynamoDBStreamsHandler.get_records.__wrapped__`` is moto's own (what the test compares)."""
    if getattr(DynamoDBStreamsHandler.get_records, "_plain_json", False):
        return
    DynamoDBStreamsHandler.get_records = _plain_json(DynamoDBStreamsHandler.get_records)  # type: ignore[method-assign]


def _plain_json(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_records(self: DynamoDBStreamsHandler) -> Any:
        limit = self._get_param("Limit")
        result = self.backend.get_records(self._get_param("ShardIterator"), 1000 if limit is None else limit)
        try:
            body = json.dumps(result, default=_wire_value)
        except TypeError:  # something the wire format does not take as it is: moto's serializer knows
            return original(self)
        return 200, {"Content-Type": _CONTENT_TYPE}, body

    get_records.__wrapped__ = original  # type: ignore[attr-defined]
    get_records._plain_json = True  # type: ignore[attr-defined]
    return get_records


def _wire_value(value: Any) -> Any:
    if isinstance(value, datetime):  # epoch seconds to the millisecond, truncated, as the protocol says
        whole = calendar.timegm(value.timetuple())
        return whole + (value.microsecond // 1000) / 1000 if value.microsecond else whole
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(type(value).__name__)
