"""The deployment configuration of one agency's stack, validated at synth (and by the local runtime).

Set through ``cdk.json`` context (``-c agency=...`` on the command line overrides a value):
``agency``, ``stage``, ``currency``, ``processor``, ``approvalThresholdMinor``, ``senderEmail``,
``logoUrl``, ``staffMfa``, ``convenienceFees``, ``staffConvenienceFees``, ``balanceSources``,
``integrationClients``, ``integrationLoweredAmount``, ``chartOfAccounts``, ``bankAccounts``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from arportal.domain import integration_scopes
from arportal.domain.bank_accounts import BankAccount, Receives, aba_checksum_ok, receives_code
from arportal.domain.chart_of_accounts import ChartOfAccounts
from arportal.domain.values import Currency

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,30}$")]


class DeploymentConfigError(ValueError):
    """A context value is missing or wrong; the message names the key and the reason."""


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


class DeploymentConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    agency: Slug = Field(description="Short name used in resource names, e.g. 'springfield'")
    agency_name: str = Field(alias="agencyName", min_length=1, max_length=120)
    stage: Slug = "dev"
    currency: Currency = "USD"
    processor: Literal["sandbox", "stripe"] = "sandbox"
    approval_threshold_minor: int = Field(default=50_000, alias="approvalThresholdMinor", ge=0)
    sender_email: str = Field(alias="senderEmail", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    logo_url: str | None = Field(default=None, alias="logoUrl")
    staff_mfa: bool = Field(default=True, alias="staffMfa", description="Require MFA for staff (deployed)")
    convenience_fees: dict[FeeMethod, FeeRuleConfig] = Field(
        default_factory=lambda: dict(DEFAULT_CONVENIENCE_FEES),
        alias="convenienceFees",
        description='Per method: {"fixed", "basis_points", "cap"}; a method left out costs the payer nothing',
    )
    staff_convenience_fees: bool = Field(
        default=True,
        alias="staffConvenienceFees",
        description="Whether a payment staff take (counter, phone) carries the same convenience fee as the portal's; "
        "false: staff channels charge no fee",
    )
    integration_lowered_amount: Literal["reject", "credit"] = Field(
        default="reject",
        alias="integrationLoweredAmount",
        description="When a connected system lowers an invoice below what was already paid on it: 'reject' the "
        "record, or 'credit' the difference to the customer",
    )
    balance_sources: dict[DepartmentKey, BalanceSourceConfig] = Field(
        default_factory=dict,
        alias="balanceSources",
        description='Per department: {"name", "base_url", "secret_name"?, "timeout_ms"}; others use the ledger',
    )
    integration_clients: list[IntegrationClientConfig] = Field(
        default_factory=list,
        alias="integrationClients",
        description='The connected systems: [{"name", "scopes"}], one app client each; none by default',
    )
    chart_of_accounts: ChartOfAccounts | None = Field(
        default=None,
        alias="chartOfAccounts",
        description="The GL mapping (arportal/domain/chart_of_accounts.py): funds, clearing, revenue per department "
        "and fee code, contra and expense accounts; every department and chargeable convenience fee here must map",
    )
    bank_accounts: dict[BankAccountKey, BankAccountConfig] = Field(
        default_factory=dict,
        alias="bankAccounts",
        description='The agency\'s bank accounts: {id: {"name", "bankName", "accountNumber", "routingNumber", '
        '"currency", "receives": [...]}}; a bank file for any other account is refused (docs/bank-files.md)',
    )
    bank_matching: BankMatchingConfig = Field(
        default_factory=BankMatchingConfig,
        alias="bankMatching",
        description='{"autoApplyScore" (50-100, default 90), "amountToleranceMinor" (default 0), '
        '"depositWindowBankingDays" (default 2)}',
    )
    region: str | None = None
    account: Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")] | None = None

    @model_validator(mode="after")
    def _one_client_per_name(self) -> DeploymentConfig:
        names = [client.name for client in self.integration_clients]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"integrationClients: each name once (the audit trail tells systems apart by it): {twice}")
        return self

    @model_validator(mode="after")
    def _chart_maps_what_the_config_knows(self) -> DeploymentConfig:
        if self.chart_of_accounts is None:
            return self
        chargeable = [m for m, rule in self.convenience_fees.items() if rule.fixed or rule.basis_points]
        unmapped = self.chart_of_accounts.unmapped(departments=self.balance_sources, fee_methods=chargeable)
        if unmapped:
            raise ValueError(f"chartOfAccounts: no fund and account for {'; '.join(unmapped)}")
        return self

    @model_validator(mode="after")
    def _bank_accounts_agree(self) -> DeploymentConfig:
        for key, bank in sorted(self.bank_accounts.items()):
            if bank.currency != self.currency:
                raise ValueError(
                    f"bankAccounts.{key}: currency {bank.currency} differs from the agency's {self.currency} "
                    "(payments, deposits and the GL are in the agency's currency)"
                )
        numbers = [bank.account_number.lstrip("0") for bank in self.bank_accounts.values()]
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        if twice:
            raise ValueError(f"bankAccounts: each account number once (a statement names its account by it): {twice}")
        return self

    @property
    def stack_name(self) -> str:
        return f"ArPortal-{self.agency}-{self.stage}"

    def convenience_fees_json(self) -> dict[str, dict[str, int | None]]:
        """The fee schedule as the functions' ``CONVENIENCE_FEES`` environment variable carries it."""
        return {method: rule.model_dump() for method, rule in sorted(self.convenience_fees.items())}

    def balance_sources_json(self) -> dict[str, dict[str, str | int | None]]:
        """The connected systems as the functions' ``BALANCE_SOURCES`` environment variable carries them."""
        return {department: source.model_dump() for department, source in sorted(self.balance_sources.items())}

    def chart_of_accounts_json(self) -> dict[str, object] | None:
        """The GL mapping as the functions' ``CHART_OF_ACCOUNTS`` environment variable carries it (None: unset)."""
        return self.chart_of_accounts.as_json() if self.chart_of_accounts is not None else None

    def bank_matching_json(self) -> dict[str, int]:
        return self.bank_matching.model_dump(by_alias=True)

    def bank_accounts_json(self) -> dict[str, list[str]]:
        """The bank accounts as the functions' ``BANK_ACCOUNTS`` environment variable carries them: compact, for
        Lambda's 4 KB environment (``arportal.config`` reads it back; the currency is the agency's)."""
        return compact_bank_accounts(self.bank_accounts)


def compact_bank_accounts(accounts: Mapping[str, BankAccountConfig]) -> dict[str, list[str]]:
    """``{id: [name, bankName, accountNumber, routingNumber, receives as letters]}`` (``RECEIVES_CODES``)."""
    return {
        key: [bank.name, bank.bank_name, bank.account_number, bank.routing_number, receives_code(bank.receives)]
        for key, bank in sorted(accounts.items())
    }


CONTEXT_KEYS = tuple(field.alias or name for name, field in DeploymentConfig.model_fields.items())


def load(context: Mapping[str, Any]) -> DeploymentConfig:
    """Build the config from CDK context values (strings from ``-c`` are coerced)."""
    values = {key: context[key] for key in CONTEXT_KEYS if context.get(key) is not None}
    for key in ("approvalThresholdMinor",):
        if isinstance(values.get(key), str) and re.fullmatch(r"[0-9]+", values[key]):
            values[key] = int(values[key])
    if isinstance(values.get("convenienceFees"), str):  # `-c convenienceFees='{"card": {...}}'`
        try:
            values["convenienceFees"] = json.loads(values["convenienceFees"])
        except ValueError as exc:
            raise DeploymentConfigError(f"invalid deployment configuration: convenienceFees: not JSON ({exc})") from exc
    # `-c balanceSources='{"parking": {...}}'`, `-c integrationClients='[{"name": "erp", "scopes": [...]}]'`
    for key in ("balanceSources", "integrationClients", "chartOfAccounts", "bankAccounts", "bankMatching"):
        if isinstance(values.get(key), str):
            try:
                values[key] = json.loads(values[key])
            except ValueError as exc:
                raise DeploymentConfigError(f"invalid deployment configuration: {key}: not JSON ({exc})") from exc
    for flag in ("staffMfa", "staffConvenienceFees"):  # `-c staffMfa=false` arrives as a string
        if isinstance(values.get(flag), str):
            values[flag] = values[flag].lower() in {"1", "true", "yes"}
    try:
        return DeploymentConfig.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'context'}: {err['msg']}" for err in exc.errors()
        )
        raise DeploymentConfigError(f"invalid deployment configuration: {problems}") from exc
