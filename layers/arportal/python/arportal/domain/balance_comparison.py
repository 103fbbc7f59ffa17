"""Which of a back end's invoice balances differ from the platform's: only the differences, and what it does not know.

A back end sends what it holds per invoice, named as it knows it (its customer id, its invoice number). The
invoice the platform loaded under that number has an id derived from the number
(``source_identity.invoice_id_for``), so each one is found by its key in the customer's partition, with no lookup:
a number the platform never loaded for that customer is ``unknown``.

What the platform says an invoice owes (``owed``) is its balance, or nothing once it is voided. An invoice differs
when the back end holds another amount (``reason: balance``) or another currency (``reason: currency``). Invoices
that agree are left out of the answer.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from arportal.domain.models import Invoice
from arportal.domain.source_identity import invoice_id_for

MAX_INVOICES = 500  # a request


@dataclass(frozen=True)
class TheirBalance:
    customer_id: str
    invoice_number: str
    balance: int  # minor units
    currency: str


@dataclass(frozen=True)
class BalanceDifference:
    customer_id: str
    invoice_number: str
    theirs: int
    ours: int
    currency: str  # the platform's
    status: str  # the platform's invoice status (open, partially_paid, paid, voided)
    reason: str  # balance | currency


@dataclass(frozen=True)
class Comparison:
    differences: list[BalanceDifference]
    unknown: list[TheirBalance]
    compared: int  # invoices sent


def invoice_key(theirs: TheirBalance) -> tuple[str, str]:
    """(customer id, the platform's invoice id) of the invoice the back end means."""
    return theirs.customer_id, invoice_id_for(theirs.invoice_number)


def owed(invoice: Invoice) -> int:
    return 0 if invoice.voided else invoice.balance


def compare(theirs: Sequence[TheirBalance], ours: Mapping[tuple[str, str], Invoice]) -> Comparison:
    """``ours``: the invoices found, by ``invoice_key``. In the order sent."""
    differences: list[BalanceDifference] = []
    unknown: list[TheirBalance] = []
    for held in theirs:
        invoice = ours.get(invoice_key(held))
        if invoice is None or invoice.invoice_number != held.invoice_number:
            unknown.append(held)
            continue
        amount = owed(invoice)
        reason = "currency" if held.currency != invoice.currency else "balance" if held.balance != amount else None
        if reason is None:
            continue
        status = "voided" if invoice.voided else invoice.status.value
        differences.append(
            BalanceDifference(
                held.customer_id, held.invoice_number, held.balance, amount, invoice.currency, status, reason
            )
        )
    return Comparison(differences, unknown, len(theirs))
