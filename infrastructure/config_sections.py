"""The sections of the deployment config that are JSON values of their own: convenience fees, balance sources,
integration clients, bank accounts and bank matching (``deployment_config`` re-exports them)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from arportal.domain import integration_scopes
from arportal.domain.bank_accounts import BankAccount, Receives, aba_checksum_ok, receives_code
from arportal.domain.values import Currency

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,30}$")]


class FeeRuleConfig(BaseModel):
    """One payment method's convenience fee: ``fixed`` minor units plus ``basis_points`` (250 = 2.5 %), capped."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fixed: int = Field(default=0, ge=0)
    basis_points: int = Field(default=0, ge=0, le=1000)
    cap: int | None = Field(default=None, ge=0)


FeeMethod = Literal["card", "debit", "ach", "wallet"]
# What the payer pays on top, per method, unless the agency says otherwise: card networks' 2.5 % is passed on
# for credit cards and wallets; PIN-less debit and ACH cost the agency little, so they are free to the payer.
DEFAULT_CONVENIENCE_FEES: dict[FeeMethod, FeeRuleConfig] = {
    "card": FeeRuleConfig(basis_points=250),
    "debit": FeeRuleConfig(),
    "ach": FeeRuleConfig(),
    "wallet": FeeRuleConfig(basis_points=250),
}


DepartmentKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,31}$")]


class BalanceSourceConfig(BaseModel):
    """A department's system of record whose balances the staff console shows (the generic HTTPS connector).

    ``secret_name`` names a Secrets Manager secret holding the credentials (``{"api_key": ...}`` or the key as
    plain text), sent as a bearer token. Plain ``http://`` is accepted only for a loopback host (the local demo).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    base_url: str = Field(pattern=r"^(https://[^\s/?#]+|http://(127\.0\.0\.1|localhost)(:[0-9]{1,5})?)(/[^\s?#]*)?$")
    secret_name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$")
    timeout_ms: int = Field(default=2000, ge=100, le=10_000)


class IntegrationClientConfig(BaseModel):
    """One connected system (the agency's ERP, tax or utility billing system): an app client of the integrations
    pool, with a generated secret, the client-credentials flow only, and these scopes (short names, from
    ``arportal/domain/integration_scopes.py``). ``name`` is how the audit trail names it: ``system:<name>``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Slug
    scopes: list[str] = Field(min_length=1)

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, scopes: list[str]) -> list[str]:
        unknown = integration_scopes.unknown(scopes)
        if unknown:
            known = sorted(integration_scopes.SCOPE_NAMES)
            hints = []
            for name in unknown:
                close = difflib.get_close_matches(name, known, n=1)
                hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise ValueError(f"unknown scope {', '.join(hints)}; the scopes are {', '.join(known)}")
        return sorted(set(scopes))


BankAccountKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,31}$")]


class BankMatchingConfig(BaseModel):
    """How sure bank matching must be to apply a line without a person, and the agency's tolerance
    (``arportal/domain/bank_matches.MatchSettings``; docs/bank-files.md "Matching")."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    auto_apply_score: int = Field(default=90, alias="autoApplyScore", ge=50, le=100)
    amount_tolerance_minor: int = Field(default=0, alias="amountToleranceMinor", ge=0, le=100_000)
    deposit_window_banking_days: int = Field(default=2, alias="depositWindowBankingDays", ge=0, le=10)


class BankAccountConfig(BaseModel):
    """One of the agency's bank accounts (``arportal/domain/bank_accounts.py``): a bank file's statement must be for
    one of them, and the portal's wire and ACH-credit instructions name those that receive ``wires``/``ach_credits``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, max_length=80)
    bank_name: str = Field(alias="bankName", min_length=1, max_length=80)
    account_number: str = Field(alias="accountNumber", pattern=r"^[0-9A-Z]{4,34}$")
    routing_number: str = Field(alias="routingNumber", pattern=r"^[0-9]{9}$")
    currency: Currency
    receives: list[Receives] = Field(min_length=1)

    @field_validator("routing_number")
    @classmethod
    def _aba_check_digit(cls, routing: str) -> str:
        if not aba_checksum_ok(routing):
            raise ValueError(f"routing number {routing} fails the ABA check digit (a typo?)")
        return routing

    def as_account(self, account_id: str) -> BankAccount:
        return BankAccount(
            account_id=account_id,
            name=self.name,
            bank_name=self.bank_name,
            account_number=self.account_number,
            routing_number=self.routing_number,
            currency=self.currency,
            receives=frozenset(self.receives),
        )


def compact_bank_accounts(accounts: Mapping[str, BankAccountConfig]) -> dict[str, list[str]]:
    """``{id: [name, bankName, accountNumber, routingNumber, receives as letters]}`` (``RECEIVES_CODES``)."""
    return {
        key: [bank.name, bank.bank_name, bank.account_number, bank.routing_number, receives_code(bank.receives)]
        for key, bank in sorted(accounts.items())
    }
