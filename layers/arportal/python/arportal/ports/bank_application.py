"""What applying bank lines needs from storage: the unmatched queue's lines and their decisions, the payer names
staff taught the matcher, and the ACH returns counted for the return-rate monitor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from arportal.domain.models import AuditEvent
from arportal.ports.bank_files import StoredLine


@dataclass(frozen=True)
class BankLineRecord:
    """A bank transaction as the import stored it (``adapters/dynamodb/bank_line_items.py``), with staff's
    decision on it, if any (action, by, at, and what applying it did)."""

    stored: StoredLine
    decision: Mapping[str, Any] | None = None

    @property
    def line_key(self) -> str:
        return self.stored.line.line_key


@dataclass(frozen=True)
class BankLinePage:
    lines: list[BankLineRecord]
    cursor: str | None


class BankLineQueue(Protocol):
    def lines(self, status: str, *, limit: int, cursor: str | None) -> BankLinePage:
        """The lines with this status, newest first (OpenItems ``BANKLINES#<status>``)."""
        ...

    def line(self, line_key: str) -> BankLineRecord | None: ...

    def decide(
        self, line_key: str, *, decision: Mapping[str, Any], applied: Mapping[str, Any] | None, audit: AuditEvent
    ) -> bool:
        """The line becomes ``decided`` with the decision, in one transaction with its audit record, on condition
        that no decision is recorded on it yet; False when one is (the first stands)."""
        ...

    def record_applied(self, line_key: str, applied: Mapping[str, Any], *, at: datetime) -> None:
        """What applying the decision did, on the line."""
        ...


class PayerAliases(Protocol):
    def learn(self, name: str, customer_id: str, *, at: datetime) -> None:
        """One more confirmation that the payer name ``name`` is this customer (``PAYERALIAS#<normalised>``)."""
        ...

    def aliases(self) -> dict[str, tuple[str, ...]]:
        """customer id -> the names staff confirmed it pays under (for ``KnownPayer.aliases``)."""
        ...


@dataclass(frozen=True)
class RecordedReturn:
    """An ACH return as the bank file reported it, counted once per line for the return-rate monitor."""

    line_key: str
    returned_on: date
    code: str  # the NACHA return reason (R01...): ``domain/nacha_returns.py`` says what it counts in
    payment_id: str | None
    amount: int
    representable: bool  # R01/R09 within the NACHA limits: staff may present the debit again (never automatic)


@dataclass(frozen=True)
class DayReturns:
    day: date
    by_code: dict[str, int] = field(default_factory=dict)


class ReturnCounts(Protocol):
    def record(self, returned: RecordedReturn, *, at: datetime) -> bool:
        """Count the return on its day, once per line key; False when it was counted already."""
        ...

    def days(self, start: date, end: date) -> list[DayReturns]:
        """The days of the range with returns (one item per day), oldest first."""
        ...


class ReturnRateAlerts(Protocol):
    def warning(self, category: str, percent: float) -> None:
        """A return rate reached its warning level or passed its limit (the ``AchReturnRateWarning`` metric)."""
        ...
