"""Balance connectors: the built-in ledger, and the generic HTTPS connector for a department's own system.

``BalanceSources`` chooses per department by configuration (``BALANCE_SOURCES``): a configured connected
system, otherwise the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from arportal.adapters.balances.cache import ANSWERS, AnswerCache
from arportal.adapters.balances.config import sources
from arportal.adapters.balances.https import HttpsBalanceConnector
from arportal.adapters.balances.last_known import DynamoLastKnownBalances
from arportal.adapters.balances.ledger import LedgerBalanceConnector, OpenInvoices, OpenInvoicesOnce
from arportal.config import RuntimeSettings
from arportal.domain.balances import SourceBalance
from arportal.ports import BalanceConnector


class BalanceSources:
    def __init__(
        self,
        *,
        table: str,
        currency: str,
        configured: Mapping[str, Mapping[str, object]],
        open_invoices: OpenInvoices,
        last_known: Mapping[str, SourceBalance] | None = None,
        cache: AnswerCache = ANSWERS,
    ) -> None:
        self._specs = sources(configured)
        self._currency = currency
        self._open_invoices = OpenInvoicesOnce(open_invoices)
        self._last_known = DynamoLastKnownBalances(table, known=last_known)
        self._cache = cache

    def connector(self, department: str) -> BalanceConnector:
        spec = self._specs.get(department)
        if spec is None:
            return LedgerBalanceConnector(department, self._open_invoices, currency=self._currency)
        return HttpsBalanceConnector(
            department, spec, currency=self._currency, last_known=self._last_known, cache=self._cache
        )


def sources_for(settings: RuntimeSettings) -> Callable[[Mapping[str, SourceBalance], OpenInvoices], BalanceSources]:
    """The factory the services take: (last known answers, open invoices) -> the connector of each department."""

    def choose(last_known: Mapping[str, SourceBalance], open_invoices: OpenInvoices) -> BalanceSources:
        return BalanceSources(
            table=settings.ledger_table,
            currency=settings.currency,
            configured=settings.balance_sources,
            open_invoices=open_invoices,
            last_known=last_known,
        )

    return choose
