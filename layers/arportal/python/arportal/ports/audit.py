"""The audit trail's reads and its archive: one entity's hash-chained history, and the Object Lock bucket that
keeps exported batches."""

from __future__ import annotations

from typing import Any, Protocol

from arportal.domain.audit_chain import Verification


class AuditReader(Protocol):
    def history(self, entity_type: str, entity_id: str, *, limit: int = 100) -> list[dict[str, Any]]: ...

    def verify(self, entity_type: str, entity_id: str) -> Verification: ...


class ObjectWriter(Protocol):
    """Where exported audit batches go (the Object Lock bucket): one object per name."""

    def put(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> None: ...
