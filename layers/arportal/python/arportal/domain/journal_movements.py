"""The movements of money one banking day's GL journal is built from (``domain/journals.py``).

The ledger's records, reduced to what the journal needs: who paid what, by which method, onto which department's
invoice and fee code, and which records it came from. The close (a later wave) reads them from the ledger; the
journal builder knows nothing of storage. Amounts are positive minor units; each movement's parts add up to it.

- ``PaymentPosted``: a payment that posted, its allocations split by fee code (``revenue_parts``), the overpayment
  held as credit, and the convenience fee on top.
- ``PaymentReturned``: money going back out of a payment: a refund, a void (cancels the posting, fee included) or a
  reversal (the bank took it back: NSF, a chargeback; reported by staff or by the processor). ``parts`` and
  ``credit`` say where it came from (``domain/staff_actions.py``: the held credit first, then the invoices), ``fee``
  the convenience fee given back with it.
- ``ProcessorFee``: what a processor payout kept (per currency and method, from the payout).
- ``InvoiceAdjusted``: a staff adjustment (signed: > 0 raises what is owed, < 0 lowers it) or a write-off (> 0).
- ``CreditApplied``: held credit applied to invoices: an overpayment hold (money the agency already has) or a credit
  note the agency issued (no money: it lowers what is owed).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from arportal.domain.allocation import PRIORITY
from arportal.domain.models import Invoice, PaymentMethodType
from arportal.domain.staff_actions import AdjustmentKind


class ReturnKind(StrEnum):
    REFUND = "refund"
    VOID = "void"
    REVERSAL = "reversal"


class CreditSource(StrEnum):
    OVERPAYMENT = "overpayment"  # a payment's rest, held as a liability: applying it recognises revenue
    CREDIT_NOTE = "credit_note"  # issued by the agency: applying it lowers what is owed, no money moves


@dataclass(frozen=True, slots=True)
class RevenuePart:
    """``amount`` of a movement on ``fee_code`` of ``department``'s invoice ``invoice_id``."""

    invoice_id: str
    department: str
    fee_code: str
    amount: int

    def __post_init__(self) -> None:
        _positive(self.amount, "a revenue part")


@dataclass(frozen=True, slots=True)
class HeldCredit:
    """Credit held on (or taken back from) an account of ``department``."""

    department: str
    amount: int
    credit_note_id: str | None = None

    def __post_init__(self) -> None:
        _positive(self.amount, "held credit")


@dataclass(frozen=True, slots=True)
class PaymentPosted:
    payment_id: str
    currency: str
    method: PaymentMethodType
    parts: tuple[RevenuePart, ...] = ()
    credit: HeldCredit | None = None
    fee: int = 0

    def __post_init__(self) -> None:
        _cleared(self.method)
        _not_negative(self.fee, "a convenience fee")
        _something(self.parts, self.credit)

    @property
    def total(self) -> int:
        """What reaches the clearing account: the invoices, the credit held and the fee on top."""
        return sum(p.amount for p in self.parts) + (self.credit.amount if self.credit else 0) + self.fee


@dataclass(frozen=True, slots=True)
class PaymentReturned:
    kind: ReturnKind
    payment_id: str
    currency: str
    method: PaymentMethodType
    parts: tuple[RevenuePart, ...] = ()
    credit: HeldCredit | None = None
    fee: int = 0
    refund_id: str | None = None  # the processor's refund, or the approval that carried it out
    reported_by: str = "staff"  # "staff" or "processor" (a return the processor reported)

    def __post_init__(self) -> None:
        _cleared(self.method)
        _not_negative(self.fee, "a convenience fee")
        _something(self.parts, self.credit, self.fee)

    @property
    def total(self) -> int:
        return sum(p.amount for p in self.parts) + (self.credit.amount if self.credit else 0) + self.fee


@dataclass(frozen=True, slots=True)
class ProcessorFee:
    payout_id: str
    currency: str
    method: PaymentMethodType  # whose clearing account the payout netted it from
    amount: int

    def __post_init__(self) -> None:
        _cleared(self.method)
        _positive(self.amount, "a processor fee")


@dataclass(frozen=True, slots=True)
class InvoiceAdjusted:
    adjustment_id: str
    invoice_id: str
    department: str
    currency: str
    kind: AdjustmentKind
    amount: int  # signed for an adjustment; a write-off is > 0 (the part not collected)

    def __post_init__(self) -> None:
        if self.amount == 0 or (self.kind is AdjustmentKind.WRITE_OFF and self.amount < 0):
            raise ValueError(f"{self.kind.value} {self.adjustment_id}: amount {self.amount} moves nothing")


@dataclass(frozen=True, slots=True)
class CreditApplied:
    application_id: str
    currency: str
    source: CreditSource
    credit_note_id: str
    credit_department: str  # whose account held the credit
    parts: tuple[RevenuePart, ...]

    def __post_init__(self) -> None:
        _something(self.parts, None)


Movement = PaymentPosted | PaymentReturned | ProcessorFee | InvoiceAdjusted | CreditApplied


def revenue_parts(invoice: Invoice, amount: int) -> tuple[RevenuePart, ...]:
    """How ``amount`` applied to ``invoice`` now divides by fee code.

    The order is the allocation's (``domain/allocation.py``: fees, penalties, adjustments, principal; lines in their
    order within a kind), and what ``paid + credited`` already covers is taken to have been covered first, as
    ``split_by_line_kind`` does. Money taken back (a refund's share of this invoice) is the same slice of the invoice
    *after* the take-back: ``revenue_parts(after, taken)``.
    """
    if amount <= 0 or amount > invoice.amount - invoice.paid - invoice.credited:
        raise ValueError(f"invoice {invoice.invoice_number} cannot take {amount}")
    covered = invoice.paid + invoice.credited
    by_code: dict[str, int] = {}
    for kind in PRIORITY:
        for line in (x for x in invoice.lines if x.kind is kind):
            used = min(covered, line.amount)
            covered -= used
            take = min(amount, line.amount - used)
            if take:
                by_code[line.fee_code] = by_code.get(line.fee_code, 0) + take
                amount -= take
    return tuple(RevenuePart(invoice.invoice_id, invoice.department, code, part) for code, part in by_code.items())


def _cleared(method: PaymentMethodType) -> None:
    if method is PaymentMethodType.CREDIT:
        raise ValueError("held credit applied is a CreditApplied movement, not a payment by method 'credit'")


def _positive(amount: int, what: str) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError(f"{what} is a positive number of minor units, not {amount!r}")


def _not_negative(amount: int, what: str) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"{what} is zero or more minor units, not {amount!r}")


def _something(parts: tuple[RevenuePart, ...], credit: HeldCredit | None, fee: int = 0) -> None:
    if not parts and credit is None and not fee:
        raise ValueError("a movement moves something: parts, held credit or a fee")
