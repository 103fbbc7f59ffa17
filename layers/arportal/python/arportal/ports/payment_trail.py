"""What the trail of a payment reads beyond the payment itself (``PaymentStatusReader``) and the stored journals
(``JournalStore``, ``JournalFiles``): where its money went after it posted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from arportal.domain.payment_trail import DrawerDeposit, Payout


@dataclass(frozen=True)
class PaymentMoneyOut:
    payout: Payout | None  # the processor's payout named by the payment, or the counter deposit it was closed into
    drawer_deposit: DrawerDeposit | None  # a counter payment's close-out into a deposit


class PaymentTrailStore(Protocol):
    def money_out(self, payment_id: str, *, payout_id: str | None) -> PaymentMoneyOut:
        """Key reads only: the payout (when ``payout_id`` is known), the payment's drawer close-out and the
        deposit it names."""
        ...
