"""Request and response models of the portal's saved payment methods, autopay and payment plan routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import Field, StringConstraints, model_validator

from arportal.api.record_schemas import ScheduleOut
from arportal.api.schemas import In, MoneyOut, Out
from arportal.domain import models as m
from arportal.domain.plans import MAX_INSTALMENTS, MAX_PLAN_INVOICES, MIN_INSTALMENTS, PlanQuote
from arportal.domain.values import AccountNumber, InvoiceId, MinorAmount

MethodId = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,4}_[0-9A-Za-z]{1,40}$")]  # a saved method: pm_...


# --- saved payment methods ------------------------------------------------------------------------------------


class MethodIn(In):
    """What the payment form's secure fields returned, plus how the customer wants to call it."""

    type: Literal["card", "debit", "ach", "wallet"]
    token: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{3,200}$")] = Field(
        description="The processor's token from the hosted fields (never a card or account number)"
    )
    last4: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
    brand: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)] | None = None
    exp_month: int | None = Field(default=None, ge=1, le=12)
    exp_year: int | None = Field(default=None, ge=2000, le=2100)
    nickname: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] | None = None
    is_default: bool = False

    @model_validator(mode="after")
    def _expiry_whole(self) -> Self:
        # The saved method keeps both or neither: one alone would fail there (a 500), so it fails here (a 422).
        if (self.exp_month is None) != (self.exp_year is None):
            raise ValueError("exp_month and exp_year go together: send both or neither")
        return self


class SavedMethodOut(Out):
    payment_method_id: str
    type: str
    brand: str | None
    last4: str
    exp_month: int | None
    exp_year: int | None
    nickname: str | None
    is_default: bool
    expired: bool
    created_at: datetime

    @classmethod
    def of(cls, method: m.SavedPaymentMethod, today: date) -> SavedMethodOut:
        return cls(
            payment_method_id=method.method_id,
            type=method.method_type.value,
            brand=method.brand,
            last4=method.last4,
            exp_month=method.exp_month,
            exp_year=method.exp_year,
            nickname=method.nickname,
            is_default=method.is_default,
            expired=method.expired(today),
            created_at=method.created_at,
        )


class MethodListOut(Out):
    items: list[SavedMethodOut]
    next_cursor: str | None


# --- schedules ------------------------------------------------------------------------------------------------


class PlanChoice(In):
    """What a plan pays and how: the same fields quote it and accept it."""

    account_number: AccountNumber
    invoice_ids: list[InvoiceId] = Field(min_length=1, max_length=MAX_PLAN_INVOICES)
    instalment_count: int = Field(ge=MIN_INSTALMENTS, le=MAX_INSTALMENTS)
    frequency: m.PlanFrequency = m.PlanFrequency.MONTHLY
    first_due_date: date | None = Field(default=None, description="1-31 days from today; 7 days when left out")


class QuoteIn(PlanChoice):
    kind: Literal["plan"] = "plan"


class InstalmentIn(In):
    due_date: date
    amount: MinorAmount


class AutopayIn(In):
    kind: Literal["autopay"]
    account_number: AccountNumber
    payment_method_id: MethodId
    days_before_due: int = Field(default=0, ge=0, le=30, description="0: on the due date")


class PlanIn(PlanChoice):
    kind: Literal["plan"]
    payment_method_id: MethodId | None = Field(
        default=None, description="Pay by autopay with it; leave out to pay by hand"
    )
    accept: Literal[True] = Field(description="The customer accepts the quoted schedule")
    instalments: list[InstalmentIn] = Field(
        min_length=MIN_INSTALMENTS, max_length=MAX_INSTALMENTS, description="Exactly the quote's instalments"
    )


ScheduleIn = Annotated[AutopayIn | PlanIn, Field(discriminator="kind")]


class QuotedInstalmentOut(Out):
    due_date: date
    amount: int


class PlanQuoteOut(Out):
    account_number: str
    invoice_ids: list[str]
    frequency: str
    currency: str
    total: MoneyOut
    instalments: list[QuotedInstalmentOut] = Field(description="Send these back, as they are, to accept the plan")

    @classmethod
    def of(cls, quote: PlanQuote) -> PlanQuoteOut:
        return cls(
            account_number=quote.account_number,
            invoice_ids=list(quote.invoice_ids),
            frequency=quote.frequency.value,
            currency=quote.currency,
            total=MoneyOut.of(quote.total, quote.currency),
            instalments=[QuotedInstalmentOut(due_date=i.due_date, amount=i.amount) for i in quote.instalments],
        )


# The name the route modules import. The class's own name is the contract's component name, unique across the
# three APIs (/openapi.json merges them: two different schemas may not share a name).
MethodOut = SavedMethodOut
QuoteOut = PlanQuoteOut


class ScheduleListOut(Out):
    schedules: list[ScheduleOut]
    next_cursor: str | None
