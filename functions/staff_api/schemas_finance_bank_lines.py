"""Request and response models of the unmatched queue and the return-rate monitor (``routes/finance_bank_lines.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from arportal.api.schemas import In, Out
from arportal.domain.bank_matches import Allocation, Candidate
from arportal.domain.nacha_returns import CategoryRate, ReturnRates
from arportal.domain.values import CustomerId, InvoiceId
from arportal.ports import BankLineRecord
from arportal.services.bank_application import AppliedLine
from arportal.services.bank_lines import Decision, line_id

LINE_ID = r"^bl[a-z2-7]{1,126}$"


class QueueAllocationOut(Out):
    customer_id: str
    invoice_id: str
    amount: int = Field(description="Minor units")


class QueueSuggestionOut(Out):
    n: int = Field(description="What a confirm decision names: 1 = the best")
    target: str = Field(description="deposit, invoices, account_credit or return")
    score: int = Field(description="0-100")
    reasons: list[str]
    customer_id: str | None
    deposit_ids: list[str]
    allocations: list[QueueAllocationOut]
    payment_id: str | None = Field(description="return: the payment it reverses")
    return_code: str | None
    may_represent: bool

    @classmethod
    def of(cls, n: int, c: Candidate) -> QueueSuggestionOut:
        deposits = list(c.deposit_ids) or ([c.deposit_id] if c.deposit_id else [])
        return cls(
            n=n, target=c.target.value, score=c.score, reasons=list(c.reasons), customer_id=c.customer_id,
            deposit_ids=deposits, allocations=[QueueAllocationOut(**a.__dict__) for a in c.allocations],
            payment_id=c.payment_id, return_code=c.return_code, may_represent=c.may_represent,
        )  # fmt: skip


class QueuedLineOut(Out):
    line_id: str = Field(description="What the line's routes take as {lineKey}: its key, URL-safe (base32)")
    line_key: str = Field(description="The line's identity across files: the bank's reference, or a hash")
    status: str = Field(description="matched, suggested, unmatched, ignored or decided")
    file_id: str
    account_id: str
    booking_date: date
    amount: int = Field(description="Signed minor units: money in positive")
    currency: str
    kind: str
    payer_name: str | None
    remittance: str
    references: list[str] = Field(description="The bank's, the payer's and structured references, as given")
    return_code: str | None
    outcome: str | None = Field(description="What matching found: matched, suggested, unmatched or ignored")
    suggestions: list[QueueSuggestionOut] = Field(description="Best first")
    decision: dict[str, Any] | None = Field(description="Staff's decision: action, by, at and what it named")
    applied: dict[str, Any] | None = Field(description="What applying it did: payment ids, deposit ids...")

    @classmethod
    def of(cls, r: BankLineRecord) -> QueuedLineOut:
        s, line = r.stored, r.stored.line
        refs = [x for x in (line.bank_reference, line.customer_reference, line.trace_number) if x]
        suggestions = s.match.suggestions if s.match else ()
        return cls(
            line_id=line_id(line.line_key), line_key=line.line_key, status=s.status, file_id=s.file_id,
            account_id=s.account_id,
            booking_date=line.booking_date, amount=line.amount, currency=line.currency, kind=line.kind.value,
            payer_name=line.payer_name, remittance=line.remittance,
            references=refs + list(line.structured_references), return_code=line.return_code,
            outcome=s.match.outcome.value if s.match else None,
            suggestions=[QueueSuggestionOut.of(i, c) for i, c in enumerate(suggestions, start=1)],
            decision=dict(r.decision) if r.decision else None, applied=dict(s.applied) if s.applied else None,
        )  # fmt: skip


class QueuedLinePageOut(Out):
    lines: list[QueuedLineOut] = Field(description="Latest booking date first")
    next_cursor: str | None


class QueueAllocationIn(In):
    customer_id: CustomerId
    invoice_id: InvoiceId
    amount: int = Field(gt=0, le=10**13, description="Minor units")


class LineDecisionIn(In):
    action: Literal["confirm", "split", "credit", "ignore"]
    candidate: int | None = Field(default=None, ge=1, le=20, description="confirm: the suggestion's n")
    allocations: list[QueueAllocationIn] = Field(default_factory=list, max_length=100, description="split")
    customer_id: CustomerId | None = Field(default=None, description="credit: whose; split: who holds the rest")
    note: str = Field(default="", max_length=500, description="ignore: why it is not receivables")

    @model_validator(mode="after")
    def _complete(self) -> LineDecisionIn:
        needs = {
            "confirm": self.candidate is not None, "split": bool(self.allocations),
            "credit": bool(self.customer_id), "ignore": bool(self.note.strip()),
        }  # fmt: skip
        if not needs[self.action]:
            what = {"confirm": "candidate", "split": "allocations", "credit": "customer_id", "ignore": "note"}
            raise ValueError(f"{self.action} needs {what[self.action]}")
        return self

    def decision(self) -> Decision:
        return Decision(
            action=self.action, candidate=self.candidate, customer_id=self.customer_id, note=self.note.strip(),
            allocations=tuple(Allocation(a.invoice_id, a.customer_id, a.amount) for a in self.allocations),
        )  # fmt: skip


class LineDecisionOut(Out):
    line: QueuedLineOut
    applied: dict[str, Any] | None = Field(description="What the decision applied (None for ignore)")

    @classmethod
    def of(cls, r: BankLineRecord, applied: AppliedLine | None) -> LineDecisionOut:
        return cls(line=QueuedLineOut.of(r), applied=applied.as_record() if applied else None)


class ReturnRateOut(Out):
    category: str = Field(description="unauthorized, administrative or overall")
    returns: int
    debits: int = Field(description="ACH debit entries originated in the window")
    percent: float = Field(description="returns / debits, in percent")
    limit_percent: float = Field(description="The NACHA limit")
    status: str = Field(description="ok, warning (at 80 % of the limit) or breach")

    @classmethod
    def of(cls, r: CategoryRate) -> ReturnRateOut:
        return cls(
            category=r.category.value, returns=r.returns, debits=r.debits, percent=r.percent,
            limit_percent=round(float(r.limit * 100), 3), status=r.status.value,
        )  # fmt: skip


class ReturnRatesOut(Out):
    window_start: date
    window_end: date
    debits: int
    status: str = Field(description="The worst of the rates")
    rates: list[ReturnRateOut]

    @classmethod
    def of(cls, r: ReturnRates) -> ReturnRatesOut:
        return cls(
            window_start=r.window_start, window_end=r.window_end, debits=r.debits, status=r.status.value,
            rates=[ReturnRateOut.of(v) for v in r.rates.values()],
        )  # fmt: skip
