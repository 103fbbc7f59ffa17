"""How a payer sends money by wire or bank transfer: the agency's accounts that take wires or ACH credits, and the
payer's own remittance reference to quote, so the incoming line matches their account without anyone reading it.

One rule for every place that shows it (the portal, the statement PDF), so they never disagree about which
accounts to name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from arportal.domain.bank_accounts import BankAccount, Receives
from arportal.domain.remittance_reference import formatted, reference_for

BANK_TRANSFERS = frozenset({Receives.WIRES, Receives.ACH_CREDITS})


@dataclass(frozen=True)
class BankTransferInstructions:
    accounts: tuple[BankAccount, ...]  # the accounts that take wires or ACH credits, in the config's order
    reference: str  # the payer's ISO 11649 reference, electronic form ("RF18ABC123")
    reference_display: str  # the same in groups of four, as people read it out ("RF18 ABC1 23")


def transfer_accounts(accounts: Iterable[BankAccount], currency: str | None = None) -> tuple[BankAccount, ...]:
    """The accounts a payer may wire or send an ACH credit to (in ``currency`` when given)."""
    return tuple(a for a in accounts if a.receives & BANK_TRANSFERS and (currency is None or a.currency == currency))


def instructions_for(
    accounts: Iterable[BankAccount], customer_id: str, currency: str | None = None
) -> BankTransferInstructions | None:
    """What to show a customer; None when the agency takes no wires or ACH credits (then nothing is shown)."""
    chosen = transfer_accounts(accounts, currency)
    if not chosen:
        return None
    reference = reference_for(customer_id)
    return BankTransferInstructions(chosen, reference, formatted(reference))
