"""Where a payment's money goes, worked out from the ledger's reads before and while it is posted.

``plan_allocation`` is the plan a payment is charged for: the invoices the payer chose (each capped at its
balance) or the oldest due first, the rest held as credit. When the plan has to be made again after the charge
(a racing payment paid the same invoices; a retry after a crash found them paid), it tolerates what closed
meanwhile: the charge stands, so its money goes to what is still open and the rest is held as credit on the
account it was meant for (``holding_account``): nothing charged is ever left unposted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal.domain.allocation import AllocationPlan, allocate_chosen, allocate_oldest_first
from arportal.domain.errors import BusinessRuleError, NotFoundError
from arportal.domain.models import Account, Invoice
from arportal.ports import PaymentPosting

if TYPE_CHECKING:
    from arportal.services.payments import PayCommand


def chosen_account(command: PayCommand, ledger: PaymentPosting) -> Account | None:
    """The account the payer named to pay against and hold any rest on (None when none was named)."""
    if command.account_number is None or command.customer_id is None:
        return None
    account = ledger.account(command.customer_id, command.account_number)
    if account is None:
        raise NotFoundError(f"account {command.account_number} is not one of yours")
    return account


def plan_allocation(
    command: PayCommand, ledger: PaymentPosting, *, fresh: bool = False, tolerate_closed: bool = False
) -> AllocationPlan:
    if command.hold_as_credit:
        return AllocationPlan((), command.amount)
    if command.invoices:
        # each once: an invoice named twice is refused below (422), never a read of duplicate keys
        wanted = list(dict.fromkeys(invoice_id for invoice_id, _ in command.invoices))
        found = ledger.invoices(command.customer_id, wanted)
        found = [*found, *command.new_invoices]  # a staff cart's new fees: not in the ledger until posted
        missing = set(wanted) - {i.invoice_id for i in found}
        if missing:
            raise NotFoundError("some invoices are not yours or do not exist", details=sorted(missing))
        if tolerate_closed:
            # Someone else paid part of them meanwhile: pay what is still open; the rest becomes credit.
            still_open = [(i, a) for i, a in command.invoices if _balance(found, i) > 0]
            return allocate_chosen(command.amount, command.currency, found, still_open)
        try:
            return allocate_chosen(command.amount, command.currency, found, list(command.invoices))
        except ValueError as exc:
            raise BusinessRuleError(str(exc)) from exc
    if command.customer_id is None:
        raise BusinessRuleError("a payment must name the customer or the invoice it pays")
    invoices: list[Invoice] = ledger.open_invoices(command.customer_id)
    if fresh:  # the index may lag a moment behind the write that beat us: read the invoices themselves
        invoices = ledger.invoices(command.customer_id, [i.invoice_id for i in invoices])
    if command.account_number:
        invoices = [i for i in invoices if i.account_number == command.account_number]
    plan = allocate_oldest_first(command.amount, command.currency, invoices)
    if plan.unapplied and command.account_number is None and not plan.parts and not tolerate_closed:
        raise BusinessRuleError(
            "there is nothing open to pay; to pay ahead, choose the account to hold the credit",
            details=[{"field": "account_number", "reason": "required when nothing is owed"}],
        )
    return plan


def holding_account(command: PayCommand, ledger: PaymentPosting, meant_for: str | None) -> Account | None:
    """Where a charged payment's money is held when nothing it was for is open any more: the account it was
    meant for (``meant_for``), else the first invoice the payer chose, else the customer's first account."""
    if command.customer_id is None:
        return None
    number = meant_for
    if number is None and command.invoices:
        found = ledger.invoices(command.customer_id, [command.invoices[0][0]])
        number = found[0].account_number if found else None
    if number is not None:
        return ledger.account(command.customer_id, number)
    accounts = ledger.customer_accounts(command.customer_id)
    return accounts[0] if accounts else None


def _balance(invoices: list[Invoice], invoice_id: str) -> int:
    return next((i.balance for i in invoices if i.invoice_id == invoice_id), 0)
