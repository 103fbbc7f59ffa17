"""Response model of a payment's trail (``routes/payment_trail.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from arportal.api.schemas import MoneyOut, Out
from arportal.domain.payment_trail import GlBatch, MoneyBack, PaymentTrail, Stage
from staff_api.schemas_finance_journals import JournalLineOut

StageName = Literal["authorized", "posted", "settled", "paid_out", "deposited", "in_gl", "bank_line"]
StageStatus = Literal["done", "pending", "not_applicable"]


class TrailReferenceOut(Out):
    kind: str = Field(
        description="invoice, receipt, transaction, audit, payout, payout_line, bank_trace, deposit, journal_batch"
    )
    id: str


class TrailStageOut(Out):
    stage: StageName
    status: StageStatus
    at: datetime | None
    on: date | None = Field(description="A business date: the payout's arrival, the journal's day")
    by: str | None = Field(description="Who or what did it: a staff id, customer, processor:<name>, system:<job>")
    note: str
    references: list[TrailReferenceOut]
    amounts: dict[str, int] = Field(description="Minor units, in the payment's currency")

    @classmethod
    def of(cls, s: Stage) -> TrailStageOut:
        return cls(
            stage=s.stage.value,
            status=s.status.value,
            at=s.at,
            on=s.on,
            by=s.by,
            note=s.note,
            references=[TrailReferenceOut(kind=k, id=i) for k, i in s.references],
            amounts=dict(s.amounts),
        )


class TrailBatchOut(Out):
    batch_id: str
    business_date: date
    created_at: datetime
    created_by: str
    reverses: str | None
    replaces: str | None
    imported_at: datetime | None
    imported_by: str | None
    lines: list[JournalLineOut] = Field(description="Only this payment's lines")

    @classmethod
    def of(cls, b: GlBatch) -> TrailBatchOut:
        return cls(
            batch_id=b.batch_id,
            business_date=b.business_date,
            created_at=b.created_at,
            created_by=b.created_by,
            reverses=b.reverses,
            replaces=b.replaces,
            imported_at=b.imported_at,
            imported_by=b.imported_by,
            lines=[JournalLineOut.of(x) for x in b.lines],
        )


class TrailMoneyBackOut(Out):
    status: str
    at: datetime
    by: str
    amount: MoneyOut | None
    note: str | None

    @classmethod
    def of(cls, m: MoneyBack, currency: str) -> TrailMoneyBackOut:
        amount = MoneyOut.of(m.amount, currency) if m.amount is not None else None
        return cls(status=m.status, at=m.at, by=m.by, amount=amount, note=m.note)


class PaymentTrailOut(Out):
    payment_id: str
    status: str
    amount: MoneyOut
    fee: MoneyOut
    stages: list[TrailStageOut] = Field(
        description="In order: authorized, posted, settled, paid_out, deposited, in_gl, bank_line"
    )
    money_back: list[TrailMoneyBackOut] = Field(description="Refunds, voids and reversals, oldest first")
    gl_batches: list[TrailBatchOut] = Field(description="The journal batches that hold this payment's lines")
    bank_line: None = Field(
        default=None, description="Always null: the bank line is named by the bank_line stage's references"
    )

    @classmethod
    def of(cls, t: PaymentTrail) -> PaymentTrailOut:
        p = t.payment
        return cls(
            payment_id=p.payment_id,
            status=p.status.value,
            amount=MoneyOut.of(p.amount, p.currency),
            fee=MoneyOut.of(p.fee_amount, p.currency),
            stages=[TrailStageOut.of(s) for s in t.stages],
            money_back=[TrailMoneyBackOut.of(m, p.currency) for m in t.money_back],
            gl_batches=[TrailBatchOut.of(b) for b in t.gl_batches if b.lines],
        )
