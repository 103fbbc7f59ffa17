"""Request and response models of the settlement routes (``routes/finance_settlement.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from arportal.api.schemas import In, Out
from arportal.ports import PayoutRecord, ReconciliationItem

DEPOSIT_ID = r"^[A-Za-z0-9_\-]{1,128}$"
ITEM_ID = r"^rec_[0-9a-f]{20}$"


class PayoutOut(Out):
    payout_id: str = Field(description="The processor's id of the payout; also the deposit's id")
    processor: str
    amount: int = Field(description="Net, minor units; negative when the processor debits the account")
    currency: str
    arrival_date: date = Field(description="When the processor says it reaches the agency's bank account")
    bank_trace_id: str | None = Field(description="The trace number the bank statement shows")
    transactions: int
    matched: int = Field(description="Lines matched to a payment (settled it, or recorded against it)")
    unmatched: int = Field(description="Lines that became reconciliation items")
    recorded_at: datetime
    deposit_status: str = Field(description="expected -> deposited")
    deposited_by: str | None
    deposited_at: datetime | None

    @classmethod
    def of(cls, p: PayoutRecord) -> PayoutOut:
        return cls(
            payout_id=p.payout_id, processor=p.processor, amount=p.amount, currency=p.currency,
            arrival_date=p.arrival_date, bank_trace_id=p.bank_trace_id, transactions=p.transactions,
            matched=p.matched, unmatched=p.unmatched, recorded_at=p.recorded_at, deposit_status=p.deposit_status,
            deposited_by=p.deposited_by, deposited_at=p.deposited_at,
        )  # fmt: skip


class PayoutPageOut(Out):
    payouts: list[PayoutOut] = Field(description="Latest arrival first")
    next_cursor: str | None


class DepositPageOut(Out):
    deposits: list[PayoutOut] = Field(description="Latest arrival first: each processor payout is a deposit")
    next_cursor: str | None


class ReconciliationItemOut(Out):
    item_id: str
    reason: str = Field(description="unknown_transaction, amount_mismatch or missing_from_processor")
    status: str = Field(description="open or resolved")
    opened_at: datetime
    note: str = Field(description="What settlement found")
    payout_id: str | None
    transaction_id: str | None = Field(description="The processor's balance transaction or charge id")
    payment_id: str | None
    amount: int | None
    currency: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None

    @classmethod
    def of(cls, r: ReconciliationItem) -> ReconciliationItemOut:
        return cls(
            item_id=r.item_id, reason=r.reason, status=r.status, opened_at=r.opened_at, note=r.note,
            payout_id=r.payout_id, transaction_id=r.transaction_id, payment_id=r.payment_id, amount=r.amount,
            currency=r.currency, resolved_by=r.resolved_by, resolved_at=r.resolved_at, resolution=r.resolution,
        )  # fmt: skip


class ReconciliationPageOut(Out):
    items: list[ReconciliationItemOut] = Field(description="Latest opened first")
    next_cursor: str | None


class ResolveIn(In):
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = Field(
        description="What was found and done"
    )
