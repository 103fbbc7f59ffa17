"""A customer's balance in each department, from whichever source answers for that department.

The connected systems are asked side by side (each may take up to its timeout); the ledger's departments are
answered from the customer's open invoices, read once however many departments it serves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from arportal.domain.balances import LEDGER_SOURCE, BalanceSummary, SourceBalance, summarise
from arportal.domain.errors import NotFoundError
from arportal.domain.models import Account, Invoice
from arportal.ports import ConnectorChooser, StaffCustomerQueries

MAX_PARALLEL_SOURCES = 8


OpenInvoices = Callable[[str], Sequence[Invoice]]
ChooserFactory = Callable[[Mapping[str, SourceBalance], OpenInvoices], ConnectorChooser]


def customer_balances(
    chooser: ConnectorChooser, customer_id: str, accounts: Sequence[Account], *, currency: str
) -> BalanceSummary:
    """Every department the customer has an account in (closed accounts too: they may still owe)."""
    numbers: dict[str, list[str]] = {}
    for account in accounts:
        numbers.setdefault(account.department, []).append(account.account_number)
    connectors = {department: chooser.connector(department) for department in sorted(numbers)}
    remote = [d for d, c in connectors.items() if c.source != LEDGER_SOURCE]
    answers: dict[str, SourceBalance] = {}
    if len(remote) > 1:
        with ThreadPoolExecutor(max_workers=min(len(remote), MAX_PARALLEL_SOURCES)) as pool:
            futures = {d: pool.submit(connectors[d].balance, customer_id, numbers[d]) for d in remote}
            answers = {d: f.result() for d, f in futures.items()}
    for department, connector in connectors.items():
        if department not in answers:
            answers[department] = connector.balance(customer_id, numbers[department])
    return summarise(answers.values(), currency)


def balances(
    queries: StaffCustomerQueries, choose: ChooserFactory, customer_id: str, *, currency: str
) -> BalanceSummary:
    """One query for the accounts and the last known answers, one for open invoices if the ledger answers for
    any department, and the connected systems (from cache when asked in the last half minute)."""
    header = queries.header(customer_id)
    if header is None:
        raise NotFoundError(f"no customer {customer_id}")
    chooser = choose(header.last_known, lambda cid: queries.open_items(cid).open_invoices)
    return customer_balances(chooser, customer_id, header.accounts, currency=currency)
