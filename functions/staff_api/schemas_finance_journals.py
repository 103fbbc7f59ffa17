"""Request and response models of the GL journal routes (``routes/finance_journals.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import StringConstraints

from arportal.api.schemas import In, Out
from arportal.domain.journals import Journal, JournalLine
from arportal.ports.journals import JournalBatch, JournalCorrection

BATCH_ID = r"^GL-[a-z0-9-]{1,30}-[0-9]{8}-[0-9]{2}$"
CORRECTION_ID = r"^jfx_[0-9A-Za-z]{10,40}$"


class JournalLineOut(Out):
    line: int
    kind: str
    account: str
    fund: str
    department: str | None
    debit: int  # minor units
    credit: int  # minor units
    currency: str
    memo: str
    source: dict[str, str]

    @classmethod
    def of(cls, x: JournalLine) -> JournalLineOut:
        return cls(
            line=x.line_number,
            kind=x.kind,
            account=x.account,
            fund=x.fund,
            department=x.department,
            debit=x.debit,
            credit=x.credit,
            currency=x.currency,
            memo=x.memo,
            source=x.source.as_dict(),
        )


class ControlTotalsOut(Out):
    currency: str
    records: int
    debits: int
    credits: int


class JournalBatchOut(Out):
    batch_id: str
    business_date: date
    sequence: int
    reverses: str | None
    replaces: str | None
    csv_sha256: str
    json_sha256: str
    totals: list[ControlTotalsOut]
    created_at: datetime
    created_by: str
    imported_at: datetime | None
    imported_by: str | None
    lines: list[JournalLineOut]

    @classmethod
    def of(cls, batch: JournalBatch, journal: Journal) -> JournalBatchOut:
        return cls(
            batch_id=batch.batch_id,
            business_date=batch.business_date,
            sequence=batch.sequence,
            reverses=batch.reverses,
            replaces=batch.replaces,
            csv_sha256=batch.csv_sha256,
            json_sha256=batch.json_sha256,
            totals=[ControlTotalsOut(currency=c, records=r, debits=d, credits=k) for c, r, d, k in batch.totals],
            created_at=batch.created_at,
            created_by=batch.created_by,
            imported_at=batch.imported_at,
            imported_by=batch.imported_by,
            lines=[JournalLineOut.of(x) for x in journal.lines],
        )


class JournalDayOut(Out):
    date: date
    batches: list[JournalBatchOut]


class CorrectionIn(In):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class CorrectionDecisionIn(In):
    decision: Literal["approve", "reject"]


class JournalCorrectionOut(Out):
    correction_id: str
    batch_id: str
    reason: str
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reversal_batch_id: str | None
    new_batch_id: str | None

    @classmethod
    def of(cls, c: JournalCorrection) -> JournalCorrectionOut:
        return cls(
            correction_id=c.correction_id,
            batch_id=c.batch_id,
            reason=c.reason,
            status=c.status,
            requested_by=c.requested_by,
            requested_at=c.requested_at,
            decided_by=c.decided_by,
            decided_at=c.decided_at,
            reversal_batch_id=c.reversal_batch_id,
            new_batch_id=c.new_batch_id,
        )
