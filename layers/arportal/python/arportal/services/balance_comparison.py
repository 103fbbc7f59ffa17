"""Comparing a back end's invoice balances with the platform's: read the invoices it names by key, answer only what
differs (``domain/balance_comparison``)."""

from __future__ import annotations

from collections.abc import Sequence

from arportal.domain.balance_comparison import Comparison, TheirBalance, compare, invoice_key
from arportal.ports.readback import InvoiceBalanceStore


def compare_balances(store: InvoiceBalanceStore, theirs: Sequence[TheirBalance]) -> Comparison:
    return compare(theirs, store.invoices([invoice_key(held) for held in theirs]))
