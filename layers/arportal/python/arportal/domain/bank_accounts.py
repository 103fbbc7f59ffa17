"""The agency's bank accounts, as its deployment config lists them (``bankAccounts``, validated at synth and
carried to the functions as ``BANK_ACCOUNTS``): where each kind of money arrives, so a bank file for an account
the agency has not configured is refused and the portal can tell payers where to send a wire or an ACH credit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

_ROUTING = re.compile(r"^[0-9]{9}$")
_ACCOUNT = re.compile(r"^[0-9A-Z]{4,34}$")  # US account numbers (digits) or an IBAN
_ID = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class Receives(StrEnum):
    PROCESSOR_PAYOUTS = "processor_payouts"  # the card/ACH processor pays out here
    COUNTER_DEPOSITS = "counter_deposits"  # the cashiers' deposit slips are paid in here
    WIRES = "wires"  # payers' incoming wires: shown on the portal's instructions
    ACH_CREDITS = "ach_credits"  # payers' ACH credits: shown on the portal's instructions
    LOCKBOX = "lockbox"  # the bank's lockbox service deposits mailed cheques here
    ACH_DEBITS = "ach_debits"  # ACH debits are collected into it (so their returns are debited from it)


@dataclass(frozen=True)
class BankAccount:
    account_id: str  # the config's key, e.g. "operating"
    name: str  # e.g. "Operating account, First Bank of Springfield"
    bank_name: str
    account_number: str
    routing_number: str  # ABA routing number
    currency: str
    receives: frozenset[Receives]

    def __post_init__(self) -> None:
        if not _ID.match(self.account_id):
            raise ValueError(f"bank account id {self.account_id!r}: lower case letters, digits and _")
        if not _ROUTING.match(self.routing_number) or not aba_checksum_ok(self.routing_number):
            raise ValueError(
                f"bank account {self.account_id}: routing number {self.routing_number!r} is not a valid ABA number"
            )
        if not _ACCOUNT.match(self.account_number):
            raise ValueError(f"bank account {self.account_id}: account number must be 4-34 digits or capitals")
        if not _CURRENCY.match(self.currency):
            raise ValueError(f"bank account {self.account_id}: currency {self.currency!r} is not ISO 4217")
        if not self.receives:
            raise ValueError(f"bank account {self.account_id}: say what it receives")

    @property
    def masked_number(self) -> str:
        return f"••••{self.account_number[-4:]}"


# One letter per kind, for the functions' BANK_ACCOUNTS environment variable: Lambda allows 4 KB of environment in
# all, and the chart of accounts takes most of it (infrastructure/deployment_config.py writes it, config.py reads it).
RECEIVES_CODES: dict[Receives, str] = {
    Receives.PROCESSOR_PAYOUTS: "P",
    Receives.COUNTER_DEPOSITS: "C",
    Receives.WIRES: "W",
    Receives.ACH_CREDITS: "A",
    Receives.LOCKBOX: "L",
    Receives.ACH_DEBITS: "D",
}


def receives_code(receives: Iterable[Receives]) -> str:
    return "".join(RECEIVES_CODES[r] for r in Receives if r in set(receives))


def receives_of(code: str) -> frozenset[Receives]:
    kinds = {letter: kind for kind, letter in RECEIVES_CODES.items()}
    return frozenset(kinds[letter] for letter in code)


def aba_checksum_ok(routing: str) -> bool:
    """The ABA routing number's check digit: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10)."""
    d = [int(c) for c in routing]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10 == 0


def account_for(accounts: Iterable[BankAccount], account_number: str) -> BankAccount | None:
    """The configured account a statement is for (an account number as a bank writes it: leading zeros and spaces
    do not count)."""
    wanted = account_number.replace(" ", "").lstrip("0").upper()
    return next((a for a in accounts if a.account_number.lstrip("0") == wanted), None)


def receiving(accounts: Iterable[BankAccount], kind: Receives) -> list[BankAccount]:
    return [a for a in accounts if kind in a.receives]
