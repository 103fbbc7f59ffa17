"""The agency's chart-of-accounts mapping: which fund and GL account each kind of money goes to.

It is part of the deployment config (``chartOfAccounts``, validated at synth by ``infrastructure/deployment_config.py``)
and reaches the functions as JSON in ``CHART_OF_ACCOUNTS`` (``arportal/config.py``). The keys are the deployment
config's, camelCase, in both places::

    clearingFund / clearing      the fund holding the undeposited funds, and a clearing account per payment method
    processorFees                the expense account of what the processor keeps (in the clearing fund)
    interfund                    dueFrom / dueTo: what one fund is owed by / owes another (same numbers in every fund)
    convenienceFees              per method that can charge one: {fund, account}, the revenue of the fee
    creditHeld                   liability: money held as a customer's credit (in the fund of its department)
    receivable                   the department's receivable: what adjustments and write-offs change
    contraRevenue                refunds / reversals / adjustments: contra-revenue accounts (in the department's fund)
    badDebt                      expense: what is written off (in the department's fund)
    departments                  per department: its fund, and per fee code the revenue account collections credit

A line's GL string is fund x department x account (``GlAccount``). Every department maps the fee codes the platform
writes itself (``PLATFORM_FEE_CODES``), and ``clearing`` covers every method money arrives by, so a valid chart
always knows those; a source system's fee code, a department or a method the chart does not know makes the lookup
raise ``UnmappedCodeError``, naming the code. There is no suspense account: a journal that cannot be mapped is not
built, and the close fails loudly rather than posting money somewhere nobody looks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import PaymentMethodType
from arportal.domain.values import DepartmentCode, FeeCode

FundCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]{0,15}$")]
AccountCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]{0,29}$")]

# Money arrives by these; "credit" is held credit applied, which clears through no account (CreditApplied).
CLEARED_METHODS = tuple(m for m in PaymentMethodType if m is not PaymentMethodType.CREDIT)
# Fee codes the platform writes on invoice lines itself: staff adjustments and amounts a connected system lowered
# ("ADJUSTMENT": domain/staff_actions.py, domain/upsert_plans.py), and a counter fee given no code ("FEE":
# services/staff_payments.py). Every department can receive them, so every department maps them.
PLATFORM_FEE_CODES = ("ADJUSTMENT", "FEE")


class UnmappedCodeError(BusinessRuleError):
    """A department, fee code or payment method the chart of accounts does not map; never posted to suspense."""

    code = "unmapped_gl_code"


class Role(StrEnum):
    """What an account is for: ``account_for`` answers one per role."""

    CLEARING = "clearing"
    REVENUE = "revenue"
    CONVENIENCE_FEE = "convenience_fee"
    PROCESSOR_FEES = "processor_fees"
    CREDIT_HELD = "credit_held"
    RECEIVABLE = "receivable"
    REFUNDS = "refunds"
    REVERSALS = "reversals"
    ADJUSTMENTS = "adjustments"
    BAD_DEBT = "bad_debt"
    DUE_FROM = "due_from"
    DUE_TO = "due_to"


@dataclass(frozen=True, slots=True, order=True)
class GlAccount:
    """Where a journal line posts: fund x department x account (department None for the clearing fund's own)."""

    fund: str
    account: str
    department: str | None = None


class _Mapping(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


class FundAccount(_Mapping):
    fund: FundCode
    account: AccountCode


class DepartmentAccounts(_Mapping):
    fund: FundCode
    revenue: dict[FeeCode, AccountCode] = Field(description="Per fee code, the revenue account collections credit")

    @model_validator(mode="after")
    def _maps_the_platform_codes(self) -> Self:
        missing = [code for code in PLATFORM_FEE_CODES if code not in self.revenue]
        if missing:
            raise ValueError(
                f"fee code {', '.join(repr(c) for c in missing)} has no revenue account "
                "(the platform writes it: staff adjustments, counter fees)"
            )
        return self


class ClearingAccounts(_Mapping):
    fund: FundCode
    accounts: dict[PaymentMethodType, AccountCode]

    @model_validator(mode="after")
    def _every_method(self) -> Self:
        missing = [m.value for m in CLEARED_METHODS if m not in self.accounts]
        if missing:
            raise ValueError(f"payment method {', '.join(repr(m) for m in missing)} has no clearing account")
        if PaymentMethodType.CREDIT in self.accounts:
            raise ValueError("'credit' is held credit applied, not money arriving: it has no clearing account")
        return self


class Interfund(_Mapping):
    due_from: AccountCode = Field(alias="dueFrom")
    due_to: AccountCode = Field(alias="dueTo")


class ContraRevenue(_Mapping):
    refunds: AccountCode
    reversals: AccountCode
    adjustments: AccountCode


class ChartOfAccounts(_Mapping):
    clearing: ClearingAccounts
    processor_fees: AccountCode = Field(alias="processorFees")
    interfund: Interfund
    convenience_fees: dict[PaymentMethodType, FundAccount] = Field(default_factory=dict, alias="convenienceFees")
    credit_held: AccountCode = Field(alias="creditHeld")
    receivable: AccountCode
    contra_revenue: ContraRevenue = Field(alias="contraRevenue")
    bad_debt: AccountCode = Field(alias="badDebt")
    departments: dict[DepartmentCode, DepartmentAccounts] = Field(min_length=1)

    def as_json(self) -> dict[str, object]:
        """The camelCase form the deployment config and ``CHART_OF_ACCOUNTS`` carry."""
        return self.model_dump(mode="json", by_alias=True)

    def account_for(
        self,
        role: Role,
        *,
        department: str | None = None,
        fee_code: str | None = None,
        method: PaymentMethodType | str | None = None,
        fund: str | None = None,
    ) -> GlAccount:
        """The account for ``role``; what a role needs: REVENUE department and fee code; CLEARING and
        CONVENIENCE_FEE the method; DUE_FROM / DUE_TO the fund the line posts in; the department's own
        (CREDIT_HELD, RECEIVABLE, REFUNDS, REVERSALS, ADJUSTMENTS, BAD_DEBT) the department."""
        if role is Role.CLEARING:
            return GlAccount(self.clearing.fund, self._clearing_account(method))
        if role is Role.CONVENIENCE_FEE:
            known = _method(method)
            rule = self.convenience_fees.get(known) if known is not None else None
            if rule is None:
                raise UnmappedCodeError(
                    f"the convenience fee of payment method {method!r} has no revenue account in the chart of "
                    "accounts (chartOfAccounts.convenienceFees)",
                    details={"method": str(method)},
                )
            return GlAccount(rule.fund, rule.account)
        if role is Role.PROCESSOR_FEES:
            return GlAccount(self.clearing.fund, self.processor_fees)
        if role in (Role.DUE_FROM, Role.DUE_TO):
            if fund is None:
                raise ValueError(f"{role.value} needs the fund the line posts in")
            return GlAccount(fund, self.interfund.due_from if role is Role.DUE_FROM else self.interfund.due_to)
        mapped = self._department(department)
        if role is Role.REVENUE:
            account = mapped.revenue.get(fee_code or "")
            if account is None:
                raise UnmappedCodeError(
                    f"fee code {fee_code!r} of department {department!r} has no revenue account in the chart of "
                    f"accounts (chartOfAccounts.departments.{department}.revenue)",
                    details={"department": department, "fee_code": fee_code},
                )
            return GlAccount(mapped.fund, account, department)
        own = {
            Role.CREDIT_HELD: self.credit_held,
            Role.RECEIVABLE: self.receivable,
            Role.REFUNDS: self.contra_revenue.refunds,
            Role.REVERSALS: self.contra_revenue.reversals,
            Role.ADJUSTMENTS: self.contra_revenue.adjustments,
            Role.BAD_DEBT: self.bad_debt,
        }
        return GlAccount(mapped.fund, own[role], department)

    def fund_of(self, department: str) -> str:
        return self._department(department).fund

    def unmapped(self, *, departments: Iterable[str] = (), fee_methods: Iterable[str] = ()) -> list[str]:
        """What of the given departments and convenience-fee methods the chart does not map, each named."""
        found = [f"department {d!r}" for d in sorted(set(departments)) if d not in self.departments]
        known = {m.value for m in self.convenience_fees}
        found += [f"convenience fee of {m!r}" for m in sorted(set(fee_methods)) if m not in known]
        return found

    def _department(self, department: str | None) -> DepartmentAccounts:
        mapped = self.departments.get(department or "")
        if mapped is None:
            raise UnmappedCodeError(
                f"department {department!r} has no fund in the chart of accounts (chartOfAccounts.departments)",
                details={"department": department},
            )
        return mapped

    def _clearing_account(self, method: PaymentMethodType | str | None) -> str:
        known = _method(method)
        account = self.clearing.accounts.get(known) if known is not None else None
        if account is None:
            raise UnmappedCodeError(
                f"payment method {method!r} has no clearing account in the chart of accounts "
                "(chartOfAccounts.clearing.accounts)",
                details={"method": str(method)},
            )
        return account


def _method(method: PaymentMethodType | str | None) -> PaymentMethodType | None:
    try:
        return PaymentMethodType(method) if method is not None else None
    except ValueError:
        return None
