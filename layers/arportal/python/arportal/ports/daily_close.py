"""The daily close's store: one frozen close per banking day and scope (the agency, or one department), written
once together with its hash-chained audit record, and read back as written; and what the close reads of a counter
deposit's drawer close-out (its over/short)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from arportal.domain.models import AuditEvent


@dataclass(frozen=True)
class StoredClose:
    business_date: date
    scope: str  # "all", or the department's code
    document: dict[str, Any]  # the close as frozen (``domain/daily_close_document.close_document``)
    sha256: str  # of the document's canonical JSON (``domain/daily_close_document.canonical``)


class DailyCloseStore(Protocol):
    def create(self, close: StoredClose, audit: AuditEvent) -> bool:
        """The close and its audit record in one transaction, unless a close of its date and scope exists (then
        nothing is written and the answer is False)."""
        ...

    def get(self, business_date: date, scope: str) -> StoredClose | None: ...

    def day(self, business_date: date) -> list[StoredClose]:
        """Every close of the date: the agency's first, then the departments' by code."""
        ...


class CountedDrawer(Protocol):
    """A drawer close-out, as the daily close reads it (``domain/drawer_close.DrawerClose`` is one)."""

    @property
    def terminal_id(self) -> str: ...

    @property
    def over_short(self) -> Mapping[str, int]:
        """Per method, counted less expected: positive over, negative short."""
        ...


class DrawerCloseouts(Protocol):
    def close_of_deposit(self, deposit_id: str) -> CountedDrawer | None:
        """The drawer close-out whose deposit batch is ``deposit_id`` (a counter deposit's id), if any."""
        ...
