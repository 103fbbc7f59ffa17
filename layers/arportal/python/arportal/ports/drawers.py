"""What the drawer close-out reads and writes (``services/drawer_close.py``): the drawer's state and its unclosed
payments, the close with its deposit and per-payment links, and the deposit slip's file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from arportal.domain.drawer_close import DrawerClose
from arportal.domain.models import AuditEvent, Payment
from arportal.ports.settlement import PayoutRecord, ReconciliationItem


@dataclass(frozen=True)
class DrawerState:
    """Where a drawer stands: its last close (None before the first) and the version every close is written on."""

    version: int
    last_close: DrawerClose | None
    pending: DrawerClose | None = None  # a close whose chunked write did not finish: completed before the next


class DrawerStore(Protocol):
    def state(self, terminal_id: str, drawer_id: str) -> DrawerState: ...

    def drawer_payments(self, terminal_id: str, drawer_id: str, since: datetime, through: datetime) -> list[Payment]:
        """Counter payments of the drawer created in [since, through]; ``since`` may reach back before the last
        close (a payment whose posting committed after the close read), so callers drop the deposited ones."""
        ...

    def deposited(self, payment_ids: list[str]) -> set[str]:
        """Those of ``payment_ids`` already in a deposit (``DEPOSITED#<payment_id>``)."""
        ...

    def record_close(self, close: DrawerClose, deposit: PayoutRecord, audit: AuditEvent, *, version: int) -> bool:
        """The close, its deposit, a ``DEPOSITED#`` link per payment (each only if absent) and the audit record,
        on the drawer's state at ``version``. False when another close of the drawer was written first."""
        ...

    def complete_close(self, close: DrawerClose, deposit: PayoutRecord, audit: AuditEvent) -> None:
        """Finish a pending close (links written again only where absent); nothing when it is complete."""
        ...

    def close_of_deposit(self, deposit_id: str) -> DrawerClose | None: ...

    def open_item(self, item: ReconciliationItem) -> bool:
        """The reconciliation item, unless one of its id exists."""
        ...


class SlipFiles(Protocol):
    """Where deposit slips are kept (the documents bucket)."""

    def put(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> None: ...

    def get(self, key: str) -> bytes: ...

    def url(self, key: str, *, filename: str, expires_in: int = 300) -> str:
        """A short-lived download link; issue only after checking the caller may see the slip."""
        ...


class DepositSlipRenderer(Protocol):
    def render(self, close: DrawerClose, *, agency_name: str, bank_account: str | None) -> bytes: ...
