"""The built-in ledger as a balance source: the sum of a customer's open invoices, from the OpenItems index."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from arportal import clock
from arportal.domain.balances import LEDGER_SOURCE, SourceBalance, ledger_balance
from arportal.domain.models import Invoice

OpenInvoices = Callable[[str], Sequence[Invoice]]


class OpenInvoicesOnce:
    """A customer's open invoices read at most once, however many departments the ledger answers for."""

    def __init__(self, load: OpenInvoices) -> None:
        self._load = load
        self._found: dict[str, Sequence[Invoice]] = {}
        self._lock = threading.Lock()

    def __call__(self, customer_id: str) -> Sequence[Invoice]:
        with self._lock:
            if customer_id not in self._found:
                self._found[customer_id] = self._load(customer_id)
            return self._found[customer_id]


class LedgerBalanceConnector:
    source = LEDGER_SOURCE

    def __init__(
        self,
        department: str,
        open_invoices: OpenInvoices,
        *,
        currency: str,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.department = department
        self._open_invoices = open_invoices
        self.currency = currency
        self._now = now

    def balance(self, customer_id: str, account_numbers: Sequence[str]) -> SourceBalance:
        return ledger_balance(
            self.department,
            account_numbers,
            self._open_invoices(customer_id),
            currency=self.currency,
            as_of=self._now(),
        )
