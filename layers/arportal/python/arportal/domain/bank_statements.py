"""What a bank tells the agency, in one shape whatever the file: BAI2, ISO 20022 camt.053 (statement) and camt.054
(notification), or a lockbox file (``domain/bank_files/`` parses each into this).

A **bank file** holds one or more **account statements** (an account on a day: opening and closing balance where
the format gives them) and each statement its **lines**: one movement of money, signed (credit positive), in
integer minor units of the statement's currency.

A line's ``line_key`` is its identity across files: the same movement reported in a prior-day and again in a
current-day statement, or in a camt.054 notification and then the camt.053 statement, has the same key, so it
becomes one bank transaction and is matched and applied once. It is the bank's own reference for the movement
where the format carries one (BAI2 bank reference, camt ``AcctSvcrRef``), else a hash of what identifies it (see
``line_key_of``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from arportal.domain.errors import BusinessRuleError

_CURRENCY = re.compile(r"^[A-Z]{3}$")


class BankFileFormat(StrEnum):
    BAI2 = "bai2"
    CAMT_053 = "camt.053"
    CAMT_054 = "camt.054"
    LOCKBOX_CSV = "lockbox_csv"


class LineKind(StrEnum):
    """What a line is, as far as the file says: what matching tries it against."""

    PROCESSOR_DEPOSIT = "processor_deposit"  # a card processor's payout arriving (ACH credit from the processor)
    BRANCH_DEPOSIT = "branch_deposit"  # cash and cheques paid in at the bank (a counter deposit slip)
    ACH_CREDIT = "ach_credit"  # a payer's ACH credit (CCD/CTX/PPD credit) to the agency
    WIRE = "wire"  # an incoming wire (Fedwire, SWIFT)
    LOCKBOX = "lockbox"  # a cheque the bank's lockbox received, with its remittance
    ACH_RETURN = "ach_return"  # an ACH debit the agency collected, returned by the payer's bank (NACHA R-code)
    OTHER_CREDIT = "other_credit"
    OTHER_DEBIT = "other_debit"  # bank fees, transfers out: recorded, never matched to receivables


@dataclass(frozen=True)
class BankLine:
    line_key: str
    booking_date: date
    value_date: date | None
    amount: int  # signed minor units: credit to the agency positive
    currency: str
    kind: LineKind
    type_code: str  # the bank's own code: BAI2 type code ("165"), camt "PMNT/RCDT/ESCT" or a proprietary code
    bank_reference: str | None = None  # BAI2 bank reference, camt AcctSvcrRef
    customer_reference: str | None = None  # BAI2 customer reference, camt EndToEndId / InstrId
    trace_number: str | None = None  # ACH trace, Fedwire IMAD/OMAD, a processor payout's bank trace id
    payer_name: str | None = None
    payer_account: str | None = None  # masked or as given: never used to move money
    remittance: str = ""  # the remittance text as sent (unstructured Ustrd joined, BAI2 88-continuation text)
    structured_references: tuple[str, ...] = ()  # camt Strd/CdtrRefInf/Ref (e.g. an RF creditor reference)
    invoice_numbers: tuple[str, ...] = ()  # a lockbox line's invoices as the remittance stub lists them
    return_code: str | None = None  # NACHA return reason (R01...) of an ACH_RETURN
    original_reference: str | None = None  # what a return names of the entry it returns (trace, end-to-end id)

    def __post_init__(self) -> None:
        if not _CURRENCY.match(self.currency):
            raise ValueError(f"bank line {self.line_key}: currency {self.currency!r} is not ISO 4217")
        if self.amount == 0:
            raise ValueError(f"bank line {self.line_key}: a movement of zero")


@dataclass(frozen=True)
class AccountStatement:
    account_number: str  # as the bank writes it (digits, or an IBAN)
    bank_id: str | None  # routing number (ABA) / BIC where the file gives it
    currency: str
    statement_date: date
    opening_balance: int | None  # minor units; None when the format or file does not give it
    closing_balance: int | None
    lines: tuple[BankLine, ...] = field(default_factory=tuple)

    @property
    def credits(self) -> int:
        return sum(line.amount for line in self.lines if line.amount > 0)

    @property
    def debits(self) -> int:
        return -sum(line.amount for line in self.lines if line.amount < 0)


@dataclass(frozen=True)
class BankFile:
    format: BankFileFormat
    file_reference: str | None  # BAI2 file id / camt MsgId
    created_at: datetime | None
    statements: tuple[AccountStatement, ...]

    @property
    def lines(self) -> tuple[BankLine, ...]:
        return tuple(line for statement in self.statements for line in statement.lines)


class BankFileRejected(BusinessRuleError):
    """The file is refused whole, with the reason (a control total off, truncated, a DTD, an unknown account...)."""

    code = "bank_file_rejected"


def line_key_of(
    *,
    account_number: str,
    booking_date: date,
    amount: int,
    currency: str,
    type_code: str,
    bank_reference: str | None,
    customer_reference: str | None = None,
    remittance: str = "",
) -> str:
    """A line's identity: the bank's reference for it when there is one (stable across a prior-day and a
    current-day file), else a hash of what the bank says of it."""
    if bank_reference:
        return f"{account_number}:{bank_reference}"
    basis = "|".join(
        [
            account_number,
            booking_date.isoformat(),
            str(amount),
            currency,
            type_code,
            customer_reference or "",
            remittance,
        ]
    )
    return f"{account_number}:h{hashlib.sha256(basis.encode()).hexdigest()[:24]}"
