"""What bank matching takes and gives (``domain/bank_matching.py`` holds the rules).

Matching is one pure function: ``match(lines, book, settings) -> list[LineMatch]``. The **book** is what the
ledger expects or holds open, loaded by the caller (``services/bank_files.py``) for the lines at hand: expected
deposits (processor payouts and counter deposit slips), open invoices, customers with their remittance reference
and the names they have paid under, and the ACH payments a return could name. Every result carries a score
(0-100) and the reasons that produced it; ``settings.auto_apply_score`` decides what is applied without a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class MatchTarget(StrEnum):
    DEPOSIT = "deposit"  # an expected deposit (processor payout or counter deposit) -> deposited
    INVOICES = "invoices"  # a payer's money -> a payment allocated to these invoices
    ACCOUNT_CREDIT = "account_credit"  # a payer known, no invoice to take it: held as the customer's credit
    RETURN = "return"  # an ACH return -> the original payment reversed
    NONE = "none"


class MatchOutcome(StrEnum):
    MATCHED = "matched"  # score >= auto_apply_score: applied without a person
    SUGGESTED = "suggested"  # candidates found, below the threshold: the unmatched queue, with suggestions
    UNMATCHED = "unmatched"  # nothing found: the unmatched queue
    IGNORED = "ignored"  # not receivables (bank fees, transfers out): recorded only


@dataclass(frozen=True)
class ExpectedDeposit:
    deposit_id: str  # a payout id, or a counter deposit's dep_ id
    source: str  # the processor's name, or "counter"
    amount: int
    currency: str
    expected_on: date
    bank_trace_id: str | None = None


@dataclass(frozen=True)
class OpenInvoice:
    customer_id: str
    invoice_id: str
    invoice_number: str
    account_number: str | None
    balance: int  # minor units still owed
    currency: str
    due_date: date


@dataclass(frozen=True)
class KnownPayer:
    customer_id: str
    name: str
    remittance_reference: str  # the customer's stable reference (RF creditor reference, with check digits)
    account_numbers: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # names staff confirmed this payer pays under (learned from decisions)


@dataclass(frozen=True)
class ReturnableDebit:
    """An ACH debit the agency collected, which a return may name."""

    customer_id: str
    payment_id: str
    amount: int
    currency: str
    collected_on: date
    trace_number: str | None  # the ACH trace the agency's bank gave it
    transaction_id: str | None  # the processor's id
    presentments: int = 1  # 1 for the first presentment; a re-presented debit counts each
    first_presented_on: date | None = None  # the original's day (the 180 days count from it); None: collected_on


@dataclass(frozen=True)
class MatchBook:
    deposits: tuple[ExpectedDeposit, ...] = ()
    invoices: tuple[OpenInvoice, ...] = ()
    payers: tuple[KnownPayer, ...] = ()
    debits: tuple[ReturnableDebit, ...] = ()


@dataclass(frozen=True)
class MatchSettings:
    auto_apply_score: int = 90  # at or above: applied; below, with candidates: suggested
    deposit_window_banking_days: int = 2  # a deposit may arrive this many banking days either side of expected
    amount_tolerance: int = 0  # minor units a one-to-many / many-to-one sum may differ by (the agency's setting)
    max_suggestions: int = 3


@dataclass(frozen=True)
class Allocation:
    invoice_id: str
    customer_id: str
    amount: int


@dataclass(frozen=True)
class Candidate:
    target: MatchTarget
    score: int  # 0-100
    reasons: tuple[str, ...]  # words a person reads, e.g. "reference RF18 5390 0754 7034 matches Jordan Rivera"
    deposit_id: str | None = None
    deposit_ids: tuple[str, ...] = ()  # many-to-one: one bank line for several deposits
    customer_id: str | None = None
    allocations: tuple[Allocation, ...] = ()
    payment_id: str | None = None  # RETURN: the payment to reverse
    return_code: str | None = None
    may_represent: bool = False  # RETURN of R01/R09 within the NACHA limits: the debit may be presented again


@dataclass(frozen=True)
class LineMatch:
    line_key: str
    outcome: MatchOutcome
    best: Candidate | None  # what is applied when MATCHED; the first suggestion otherwise
    suggestions: tuple[Candidate, ...] = field(default_factory=tuple)  # best first, at most max_suggestions
