"""Convenience fees: what a payment method costs the payer, configured per agency, shown before paying.

A fee is a fixed amount plus basis points of the payment (250 bp = 2.5 %), rounded half up to the minor unit,
with an optional cap. Methods with no entry cost nothing, and money that reaches the agency's bank on its own (a
wire, an ACH credit) never carries one: nobody was shown a fee before sending it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from arportal.domain.models import PaymentMethodType

NO_FEE_METHODS = frozenset({PaymentMethodType.WIRE, PaymentMethodType.ACH_CREDIT})


class FeeRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fixed: int = Field(default=0, ge=0)
    basis_points: int = Field(default=0, ge=0, le=1000)
    cap: int | None = Field(default=None, ge=0)


class FeeSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: dict[PaymentMethodType, FeeRule] = Field(default_factory=dict)

    def fee_for(self, method: PaymentMethodType, amount: int) -> int:
        rule = self.rules.get(method)
        if rule is None or amount <= 0 or method in NO_FEE_METHODS:
            return 0
        proportional = (amount * rule.basis_points + 5_000) // 10_000  # half up, in integers
        fee = rule.fixed + proportional
        return min(fee, rule.cap) if rule.cap is not None else fee
