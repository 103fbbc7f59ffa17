"""Request and response models shared by several APIs (one model per boundary; mapped from the domain explicitly).

Amounts in requests are integers of minor units, strictly: ``"100"`` or ``100.0`` are refused rather than guessed at.
Their bounds, like every identifier's pattern, are ``arportal.domain.values``'s; only the strictness is the edge's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

from arportal.domain import models as m
from arportal.domain.remittance_reference import formatted, reference_for
from arportal.domain.values import MinorAmount, PositiveMinorAmount, SignedMinorAmount

StrictCents = Annotated[PositiveMinorAmount, Strict(), Field(description="Minor units (cents), more than zero")]
StrictSignedCents = Annotated[SignedMinorAmount, Strict(), Field(description="Minor units, signed")]
StrictMinorAmount = Annotated[MinorAmount, Strict()]  # may be 0: a fee, say
# An email address a request gives us to write to: one the mail service can take. ASCII only (SES takes no
# internationalized local part; a domain in punycode), no spaces or control characters, a dot in the domain.
# Anything else is refused with a 422 here rather than failing at the send (a 503, or a 500 for a line break).
DeliverableEmail = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=254,
        pattern=r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
        r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$",
    ),
]


class In(BaseModel):
    """A request body: unknown fields are refused (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class MoneyOut(Out):
    amount: int
    currency: str

    @classmethod
    def of(cls, amount: int, currency: str) -> MoneyOut:
        return cls(amount=amount, currency=currency)


class AddressOut(Out):
    line1: str
    line2: str | None
    city: str
    region: str
    postal_code: str
    country: str

    @classmethod
    def of(cls, a: m.PostalAddress) -> AddressOut:
        return cls(
            line1=a.line1, line2=a.line2, city=a.city, region=a.region, postal_code=a.postal_code, country=a.country
        )


class PreferencesOut(Out):
    email_receipts: bool
    due_date_reminders: bool
    reminder_days_before: int
    overdue_notices: bool
    sms: bool


class ProfileOut(Out):
    customer_id: str
    kind: str
    name: str
    email: str | None
    phone: str | None
    address: AddressOut | None
    preferences: PreferencesOut
    remittance_reference: str = Field(
        description="ISO 11649 creditor reference to quote on a wire or bank transfer, in groups of four "
        "(RF, two check digits, the customer id); derived from the id, so it never changes"
    )

    @classmethod
    def of(cls, c: m.Customer) -> ProfileOut:
        return cls(
            customer_id=c.customer_id,
            kind=c.kind.value,
            name=c.name,
            email=c.email,
            phone=c.phone,
            address=AddressOut.of(c.address) if c.address else None,
            preferences=PreferencesOut(**c.preferences.model_dump()),
            remittance_reference=formatted(reference_for(c.customer_id)),
        )


class InvoiceSummaryOut(Out):
    invoice_id: str
    invoice_number: str
    account_number: str
    department: str
    issue_date: date
    due_date: date
    amount: MoneyOut
    balance: MoneyOut
    status: str
    overdue: bool

    @classmethod
    def of(cls, inv: m.Invoice, today: date) -> InvoiceSummaryOut:
        return cls(
            invoice_id=inv.invoice_id,
            invoice_number=inv.invoice_number,
            account_number=inv.account_number,
            department=inv.department,
            issue_date=inv.issue_date,
            due_date=inv.due_date,
            amount=MoneyOut.of(inv.amount, inv.currency),
            balance=MoneyOut.of(inv.balance, inv.currency),
            status=inv.status.value,
            overdue=inv.is_overdue(today),
        )


class StatusChangeOut(Out):
    status: str
    at: datetime
    by: str


class PaymentSummaryOut(Out):
    payment_id: str
    created_at: datetime
    amount: MoneyOut
    method: str
    brand: str | None
    last4: str | None
    channel: str
    status: str
    receipt_number: str | None
    transaction_id: str | None
    history: list[StatusChangeOut]

    @classmethod
    def of(cls, p: m.Payment) -> PaymentSummaryOut:
        return cls(
            payment_id=p.payment_id,
            created_at=p.created_at,
            amount=MoneyOut.of(p.amount, p.currency),
            method=p.method.type.value,
            brand=p.method.brand,
            last4=p.method.last4,
            channel=p.channel.value,
            status=p.status.value,
            receipt_number=p.receipt_number,
            transaction_id=p.transaction_id,
            history=[StatusChangeOut(status=h.status.value, at=h.at, by=h.by) for h in p.history],
        )
