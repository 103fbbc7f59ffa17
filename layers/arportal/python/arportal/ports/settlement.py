"""What the settlement machine's Task states read and write (``services/settlement.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from arportal.domain.models import Payment, StatusChange
from arportal.domain.status import PaymentStatus


@dataclass(frozen=True)
class SettlementCandidate:
    payment_id: str
    customer_id: str | None
    amount: int
    currency: str
    fee: int = 0  # the convenience fee charged with it: the processor deposits it with the payment
    refunded: int = 0  # refunded before it settled: not in the deposit
    status: str = "posted"  # posted, or partially_refunded (refunded in part before it settled)


class SettlementStore(Protocol):
    """The day's payments that have not settled yet, and the conditional write that settles one."""

    def posted_payments(self, day: date, *, limit: int) -> list[Payment]:
        """Payments created on ``day`` that have not settled yet: still ``posted``, or ``partially_refunded``
        before settling (the ByActivityDay index)."""
        ...

    def append_status(self, payment: SettlementCandidate, change: StatusChange, *, expected: PaymentStatus) -> bool:
        """Set the payment's status and append ``change`` to its history if its status is still ``expected``."""
        ...

    def payment_status(self, payment: SettlementCandidate) -> PaymentStatus | None: ...
