"""The integration door, in process: the adapters the seed hands the batch service so that loading the demo agency
through it costs what the service does, not what HTTP to moto does.

The batch service (``services/source_loads``) decides and builds every item exactly as for a request to
``POST /v1/integrations/<kind>:batch``: ``DynamoSourceRecords`` builds the same reads and the same transactions.
Only the transport differs: its BatchGetItem keys are read from moto's tables, and its transactions go to moto's
``transact_write_items`` (``moto_patches`` 9: every condition checked first, all or nothing), in this process.
Over HTTP each call paid botocore's validation and serialization, a socket round trip and moto's JSON parsing:
about 70% of the seed's time through the door. A transaction moto refuses is sent again over HTTP, so a lost
race is reported with its reasons exactly as the real adapter reports it (the refused one wrote nothing). The
documents' files go straight into moto's bucket, as ``moto_patches.import_items`` puts items into a table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.s3.models import s3_backends

from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb.source_loads import DynamoSourceRecords
from arportal.adapters.dynamodb.unit_of_work import MAX_ITEMS, DynamoUnitOfWork
from arportal.adapters.s3 import S3DocumentStore
from arportal.domain.errors import BusinessRuleError
from arportal.ports import SourceWrite
from local.moto_patches import DYNAMODB_LOCK


class _Refused(Exception):
    """moto refused the transaction (nothing was written): it is sent again the ordinary way."""


class InProcessSourceRecords(DynamoSourceRecords):
    def __init__(self, table_name: str, audit_table_name: str, *, account: str, region: str) -> None:
        super().__init__(table_name, audit_table_name)
        self._backend = dynamodb_backends[account][region]

    def _get(self, keys: list[tuple[str, str, str]]) -> Iterator[tuple[str, dict[str, Any]]]:
        with DYNAMODB_LOCK:
            found = [(t, self._backend.get_item(t, {"PK": {"S": pk}, "SK": {"S": sk}})) for t, pk, sk in keys]
        for table, item in found:
            if item is not None:
                yield table, codec.deserialize(item.to_json()["Attributes"])

    def write(self, writes: Sequence[SourceWrite]) -> list[int]:
        uow = _InProcessUnitOfWork(self.table, self._backend)
        for write in writes:
            self._add(uow, write)
        try:
            uow.commit("load records")
        except _Refused:
            return super().write(writes)
        return []


class _InProcessUnitOfWork(DynamoUnitOfWork):
    def __init__(self, table_name: str, backend: Any) -> None:
        super().__init__(table_name)
        self._backend = backend

    def commit(self, operation: str) -> None:
        # DynamoUnitOfWork.commit's request, to moto's backend instead of its API.
        from arportal.adapters.dynamodb.balance_checkpoints import add_action

        balance, self._balance = self._balance, {}
        self._actions += [add_action(self._table, *key, delta) for key, delta in sorted(balance.items()) if delta]
        if not self._actions:
            return
        if len(self._actions) > MAX_ITEMS:
            raise BusinessRuleError(f"{operation} touches {len(self._actions)} records; at most {MAX_ITEMS} at once")
        try:
            with DYNAMODB_LOCK:
                self._backend.transact_write_items(self._actions)
        except Exception as exc:
            raise _Refused from exc
        self._actions = []


class InProcessItems:
    """``DynamoCustomerRecords.get_many``, read from moto's table in this process."""

    def __init__(self, table_name: str, *, account: str, region: str) -> None:
        self.table = table_name
        self._backend = dynamodb_backends[account][region]

    def get_many(self, keys: Sequence[dict[str, str]]) -> list[dict[str, Any]]:
        with DYNAMODB_LOCK:
            found = [self._backend.get_item(self.table, {n: {"S": v} for n, v in key.items()}) for key in keys]
        return [codec.deserialize(item.to_json()["Attributes"]) for item in found if item is not None]


class InProcessFiles:
    """Documents' files put straight into moto's bucket (~0.02 ms a file instead of ~5 ms through S3's API)."""

    def __init__(self, bucket: str, *, account: str) -> None:
        self.bucket = bucket
        self._backend = s3_backends[account]["aws"]

    def put(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> None:
        stored = self._backend.put_object(self.bucket, key, body)
        meta = {f"x-amz-meta-{name}": value for name, value in (metadata or {}).items()}
        stored.set_metadata({"Content-Type": content_type, **meta})

    def put_new(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> bool:
        if self._backend.get_object(self.bucket, key) is not None:
            return False
        self.put(key, body, content_type=content_type, metadata=metadata)
        return True

    def url(self, key: str, *, filename: str, expires_in: int = 300) -> str:
        return S3DocumentStore(self.bucket).url(key, filename=filename, expires_in=expires_in)
