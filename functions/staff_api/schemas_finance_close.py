"""Request and response models of the daily close routes (``routes/finance_close.py``). Amounts are integers of
minor units; a close is shown as frozen (``arportal/domain/daily_close.py``, ``close_document``)."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime

from arportal.api.schemas import In, Out
from arportal.domain.values import DepartmentCode
from arportal.ports.daily_close import StoredClose


class DailyCloseIn(In):
    date: Date
    department: DepartmentCode | None = None


class DailyCloseSidesOut(Out):
    subledger: int
    gl: int


class DailyCloseDepartmentOut(Out):
    department: str
    subledger: int
    gl: int


class DailyCloseMoneyBackOut(Out):
    refund: int
    void: int
    reversal: int


class DailyCloseGlOut(Out):
    records: int
    debits: int
    credits: int
    clearing: int | None  # the agency's close only: debits less credits of the clearing accounts


class DailyCloseDepositsOut(Out):
    expected: int
    confirmed: int
    unconfirmed: int
    by_processor: dict[str, int]
    drawers_over_short: int  # the counter deposits' drawers: counted less expected


class DailyCloseCurrencyOut(Out):
    currency: str
    collected: DailyCloseSidesOut
    by_department: list[DailyCloseDepartmentOut]
    convenience_fees: DailyCloseSidesOut | None
    money_back: DailyCloseMoneyBackOut
    given_back_of_collections: int
    processor_fees: int | None
    gl: DailyCloseGlOut
    deposits: DailyCloseDepositsOut | None


class DailyCloseVarianceOut(Out):
    reason: str
    currency: str
    department: str | None
    amount: int
    words: str
    refs: list[str]


class DailyCloseBatchOut(Out):
    batch_id: str
    json_sha256: str


class DailyCloseOut(Out):
    business_date: Date
    department: str | None
    scope: str
    covered_from: Date
    covered_to: Date
    currencies: list[DailyCloseCurrencyOut]
    variances: list[DailyCloseVarianceOut]
    journal_batches: list[DailyCloseBatchOut]
    closed_at: datetime
    closed_by: str
    sha256: str

    @classmethod
    def of(cls, close: StoredClose) -> DailyCloseOut:
        return cls.model_validate({**close.document, "sha256": close.sha256})


class DailyClosesOut(Out):
    date: Date
    closes: list[DailyCloseOut]
