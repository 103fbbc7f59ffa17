"""The ledger's entities. Amounts are integer minor units in the entity's ``currency``.

Invariants (checked by validators here and by the ledger rules that plan every change: ``posting.py`` for a
payment, ``credit.py`` for applying credit, ``staff_actions.py`` for refunds, voids, reversals, adjustments and
write-offs):
- an invoice's ``amount`` is the sum of its lines; ``balance = amount - paid - credited`` and never < 0;
- a payment's allocations never exceed its amount; what is left over is held as customer credit;
- a credit note's ``remaining`` is its amount minus what has been applied, and never < 0.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from arportal import clock
from arportal.domain.money import Money
from arportal.domain.status import ApprovalStatus, InvoiceStatus, PaymentStatus
from arportal.domain.values import (
    AccountNumber,
    Currency,
    CustomerId,
    DepartmentCode,
    FeeCode,
    InvoiceNumber,
    MinorAmount,
)

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
# A pragmatic address check (one @, a dot in the domain); deliverability is proven by confirmation mail.
EmailAddress = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]


def utcnow() -> datetime:
    return clock.now()


class Entity(BaseModel):
    # defer_build: a handler builds the validators of only the entities it touches, on first use, which
    # keeps every function's cold start from paying for the whole model.
    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False, defer_build=True)


class PostalAddress(Entity):
    line1: ShortText
    line2: str | None = Field(default=None, max_length=200)
    city: ShortText
    region: str = Field(max_length=64)
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9 -]{3,10}$")]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "US"


class NotificationPreferences(Entity):
    email_receipts: bool = True
    due_date_reminders: bool = True
    reminder_days_before: int = Field(default=5, ge=0, le=30)
    overdue_notices: bool = True
    sms: bool = False


class CustomerKind(StrEnum):
    INDIVIDUAL = "individual"
    BUSINESS = "business"


class Customer(Entity):
    customer_id: CustomerId
    kind: CustomerKind = CustomerKind.INDIVIDUAL
    name: ShortText
    email: EmailAddress | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{7,20}$")] | None = None
    address: PostalAddress | None = None
    preferences: NotificationPreferences = Field(default_factory=NotificationPreferences)
    login_subject: str | None = Field(default=None, description="Cognito 'sub' of the linked portal login")
    created_at: datetime = Field(default_factory=utcnow)


class Department(Entity):
    code: DepartmentCode
    name: ShortText
    balance_source: str = Field(default="ledger", description="'ledger' or the name of an HTTPS connector")


class AccountStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"
    SUSPENDED = "suspended"


class Account(Entity):
    account_number: AccountNumber
    customer_id: CustomerId
    department: DepartmentCode
    description: ShortText
    status: AccountStatus = AccountStatus.ACTIVE
    service_address: PostalAddress | None = None
    opened_on: date


class LineKind(StrEnum):
    """Order in which agency rules may apply money within an invoice: fees, then penalties, then principal."""

    FEE = "fee"
    PENALTY = "penalty"
    PRINCIPAL = "principal"
    ADJUSTMENT = "adjustment"  # a staff debit adjustment (issue 5): collected after penalties, before principal


class InvoiceLine(Entity):
    description: ShortText
    fee_code: FeeCode
    kind: LineKind = LineKind.PRINCIPAL
    quantity: int = Field(default=1, ge=1, le=1_000_000)
    unit_amount: MinorAmount
    amount: MinorAmount

    @model_validator(mode="after")
    def _amount_is_quantity_times_unit(self) -> Self:
        if self.amount != self.quantity * self.unit_amount:
            raise ValueError("amount must equal quantity x unit_amount")
        return self


class Invoice(Entity):
    invoice_id: str
    invoice_number: InvoiceNumber
    customer_id: CustomerId
    account_number: AccountNumber
    department: DepartmentCode
    issue_date: date
    due_date: date
    currency: Currency
    lines: list[InvoiceLine] = Field(min_length=1, max_length=200)
    amount: MinorAmount
    paid: MinorAmount = 0
    credited: MinorAmount = 0
    balance: MinorAmount
    status: InvoiceStatus = InvoiceStatus.OPEN
    voided: bool = False
    version: int = Field(default=1, ge=1, description="Optimistic-lock counter for balance updates")
    period_start: date | None = None
    period_end: date | None = None

    @model_validator(mode="after")
    def _figures_agree(self) -> Self:
        if self.amount != sum(line.amount for line in self.lines):
            raise ValueError("amount must equal the sum of the lines")
        if self.balance != self.amount - self.paid - self.credited:
            raise ValueError("balance must equal amount - paid - credited")
        if self.due_date < self.issue_date:
            raise ValueError("due_date is before issue_date")
        return self

    def money(self, minor: int) -> Money:
        return Money(minor, self.currency)

    def is_overdue(self, today: date) -> bool:
        return self.balance > 0 and not self.voided and self.due_date < today


class PaymentMethodType(StrEnum):
    CARD = "card"
    DEBIT = "debit"
    ACH = "ach"
    WALLET = "wallet"
    CASH = "cash"
    CHEQUE = "cheque"
    CREDIT = "credit"  # customer credit balance applied to invoices
    WIRE = "wire"  # an incoming wire, applied from a bank file (never taken by the portal)
    ACH_CREDIT = "ach_credit"  # a payer's ACH credit (push) to the agency's account, applied from a bank file


class Channel(StrEnum):
    PORTAL = "portal"
    GUEST = "guest"
    COUNTER = "counter"
    PHONE = "phone"
    AUTOPAY = "autopay"
    INTEGRATION = "integration"
    BANK = "bank"  # money that reached the agency's bank on its own, applied from a bank file


class MethodDetail(Entity):
    """What may be shown of a payment method: never the number itself."""

    type: PaymentMethodType
    brand: str | None = Field(default=None, max_length=32)
    last4: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] | None = None
    wallet: str | None = Field(default=None, max_length=32)
    cheque_number: str | None = Field(default=None, max_length=32)


class StatusChange(Entity):
    status: PaymentStatus
    at: datetime
    by: str = Field(description="Who or what moved it: a staff id, 'customer', 'processor', 'system'")
    note: str | None = None
    amount: MinorAmount | None = Field(default=None, description="The money this change gave back (each refund's own)")


class SeriesRef(Entity):
    """The attempt that started the series a later attempt belongs to (a payer's retry of a declined payment):
    the leadership metrics count the series once, on its first attempt's day, channel and method."""

    series_id: str = Field(max_length=64, description="The payment id of the series' first attempt")
    started_at: datetime
    channel: Channel
    method: PaymentMethodType


class Payment(Entity):
    payment_id: str
    customer_id: CustomerId | None
    amount: MinorAmount
    fee_amount: MinorAmount = 0
    currency: Currency
    method: MethodDetail
    channel: Channel
    status: PaymentStatus
    history: list[StatusChange] = Field(min_length=1)
    terminal_id: str | None = Field(default=None, max_length=64)
    drawer_id: str | None = Field(default=None, max_length=64)
    departments: list[DepartmentCode] = Field(default_factory=list)
    processor: str
    transaction_id: str | None = Field(default=None, description="The processor's id for the charge")
    receipt_number: str | None = None
    unapplied: MinorAmount = Field(default=0, description="Held as customer credit")
    refunded: MinorAmount = 0
    taken_by: str | None = None
    created_at: datetime
    version: int = 1
    # Set once, by settlement, from the processor's payout that paid it out (domain/settlement_matching.py).
    settled_at: datetime | None = None
    payout_id: str | None = Field(default=None, max_length=128)
    paid_out_on: date | None = None
    processor_fee: MinorAmount | None = None
    # Retries (domain/daily_totals.py): the try this record ends with in its series, and the series it continues
    # (None: it starts its own). A scheduled charge's record stands for all the machine's tries (1..attempt).
    attempt: int = Field(default=1, ge=1, le=100)
    series: SeriesRef | None = None

    def changed_at(self, status: PaymentStatus) -> datetime | None:
        for change in self.history:
            if change.status == status:
                return change.at
        return None


class Allocation(Entity):
    payment_id: str
    invoice_id: str
    invoice_number: InvoiceNumber
    customer_id: CustomerId | None
    account_number: AccountNumber
    department: DepartmentCode
    amount: MinorAmount
    currency: Currency
    applied_at: datetime


class ReceiptLine(Entity):
    description: ShortText
    invoice_number: InvoiceNumber | None = None
    department: DepartmentCode | None = None
    amount: MinorAmount


class Receipt(Entity):
    receipt_number: str
    payment_id: str
    customer_id: CustomerId | None
    issued_at: datetime
    currency: Currency
    lines: list[ReceiptLine]
    fee_amount: MinorAmount = 0
    total: MinorAmount
    document_key: str | None = None


class CreditApplication(Entity):
    invoice_id: str
    invoice_number: InvoiceNumber
    amount: MinorAmount
    applied_at: datetime


class CreditNote(Entity):
    credit_note_id: str
    number: InvoiceNumber
    customer_id: CustomerId
    account_number: AccountNumber
    department: DepartmentCode
    currency: Currency
    amount: MinorAmount
    remaining: MinorAmount
    reason: ShortText
    issued_on: date
    applications: list[CreditApplication] = Field(default_factory=list)

    @model_validator(mode="after")
    def _remaining_agrees(self) -> Self:
        if self.remaining != self.amount - sum(a.amount for a in self.applications):
            raise ValueError("remaining must equal amount minus what was applied")
        return self


class SalesOrder(Entity):
    order_id: str
    number: InvoiceNumber
    customer_id: CustomerId
    account_number: AccountNumber
    department: DepartmentCode
    order_date: date
    period_start: date | None = None
    period_end: date | None = None
    currency: Currency
    lines: list[InvoiceLine] = Field(min_length=1)
    total: MinorAmount


class ScheduleKind(StrEnum):
    AUTOPAY = "autopay"
    PLAN = "plan"


class InstalmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    PAID = "paid"
    FAILED = "failed"
    SKIPPED = "skipped"


class Instalment(Entity):
    due_date: date
    amount: MinorAmount
    status: InstalmentStatus = InstalmentStatus.SCHEDULED
    payment_id: str | None = None


class Schedule(Entity):
    schedule_id: str
    customer_id: CustomerId
    kind: ScheduleKind
    account_number: AccountNumber
    payment_method_id: str | None = None
    currency: Currency
    days_before_due: int = Field(default=0, ge=0, le=30)
    instalments: list[Instalment] = Field(default_factory=list)
    active: bool = True
    created_at: datetime
    # Payment plans (issue 4): the invoices a plan pays down, its rhythm, and when it ended (cancelled or done).
    invoice_ids: list[str] = Field(default_factory=list, max_length=50)
    frequency: PlanFrequency | None = None
    closed_at: datetime | None = None


class InteractionKind(StrEnum):
    CALL = "call"
    COUNTER = "counter"
    EMAIL = "email"
    PORTAL_REQUEST = "portal_request"
    NOTE = "note"


class Interaction(Entity):
    interaction_id: str
    customer_id: CustomerId
    kind: InteractionKind
    summary: LongText
    at: datetime
    staff_id: str | None = None
    payment_id: str | None = None
    invoice_id: str | None = None


class AuditEvent(Entity):
    event_id: str
    entity_type: str
    entity_id: str
    action: str
    actor: str
    at: datetime
    before: dict[str, object] | None = None
    after: dict[str, object] | None = None
    reason: str | None = None
    request_id: str | None = None


class Approval(Entity):
    approval_id: str
    action: str
    requested_by: str
    amount: MinorAmount
    currency: Currency
    target_id: str
    status: ApprovalStatus = ApprovalStatus.PENDING
    reason: ShortText
    created_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    # Whose record the action touches, so the staff console's customer view can list what awaits a decision.
    customer_id: CustomerId | None = None


class PlanFrequency(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


SavedMethodType = Annotated[
    PaymentMethodType,
    Field(description="card, debit, ach or wallet: what a processor token can stand for"),
]


class SavedPaymentMethod(Entity):
    """A payment method kept for autopay and plans: the processor's token and what may be shown of it.

    Never the card or account number: the hosted fields turn those into ``processor_token``.
    """

    method_id: str
    customer_id: CustomerId
    method_type: SavedMethodType  # not "type": that name is the item's entity type in the table
    processor_token: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{3,200}$")]
    brand: str | None = Field(default=None, max_length=32)
    last4: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
    exp_month: int | None = Field(default=None, ge=1, le=12)
    exp_year: int | None = Field(default=None, ge=2000, le=2100)
    nickname: str | None = Field(default=None, max_length=60)
    is_default: bool = False
    created_at: datetime

    @model_validator(mode="after")
    def _storable(self) -> Self:
        if self.method_type not in {
            PaymentMethodType.CARD,
            PaymentMethodType.DEBIT,
            PaymentMethodType.ACH,
            PaymentMethodType.WALLET,
        }:
            raise ValueError("only card, debit, ach and wallet methods can be saved")
        if (self.exp_month is None) != (self.exp_year is None):
            raise ValueError("exp_month and exp_year go together")
        return self

    def expired(self, today: date) -> bool:
        if self.exp_month is None or self.exp_year is None:
            return False
        return (self.exp_year, self.exp_month) < (today.year, today.month)


class DocumentKind(StrEnum):
    RECEIPT = "receipt"
    STATEMENT = "statement"
    TAX_FORM = "tax_form"
    NOTICE = "notice"


class Document(Entity):
    """A file attached to a customer (bytes in S3 under ``customers/<customer_id>/``), shown in the portal.

    ``kind`` rather than ``type``: ``type`` is the item's entity type in the ledger table.
    """

    document_id: str
    customer_id: CustomerId
    kind: DocumentKind
    title: ShortText
    filename: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    content_type: Annotated[str, StringConstraints(pattern=r"^[a-z]+/[A-Za-z0-9.+-]+$")]
    size: int = Field(ge=0)
    storage_key: str = Field(max_length=1024, description="The S3 object key; never shown to the customer")
    created_at: datetime
    document_date: date = Field(description="The day the document speaks for (statement end, receipt date, ...)")
    period_start: date | None = None
    period_end: date | None = None
    reference: str | None = Field(default=None, max_length=100, description="Receipt number, tax year, ...")
    created_by: str = Field(description="A staff id, an integration's name, or 'system'")
    account_number: AccountNumber | None = Field(default=None, description="The account it concerns, if one")
    read_at: datetime | None = Field(
        default=None, description="When the customer first opened it (a notice is unread until then)"
    )

    @property
    def unread_notice(self) -> bool:
        return self.kind is DocumentKind.NOTICE and self.read_at is None
