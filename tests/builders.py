"""Builders of valid domain records for tests: each takes only what a test cares about."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from arportal.domain.models import (
    Account,
    Channel,
    CreditNote,
    Customer,
    Instalment,
    Invoice,
    InvoiceLine,
    MethodDetail,
    Payment,
    PaymentMethodType,
    PostalAddress,
    Receipt,
    ReceiptLine,
    Schedule,
    ScheduleKind,
    StatusChange,
)
from arportal.domain.status import PaymentStatus, invoice_status_for
from tests.clock import SESSION_NOW

_counter = itertools.count(1)
NOW = SESSION_NOW  # the session's day at noon UTC (tests/clock.py): never a calendar date
TODAY = NOW.date()
# Card expiry years relative to the session's day: a fixed year would expire with the calendar.
VALID_EXP_YEAR = TODAY.year + 5
EXPIRED_EXP_YEAR = TODAY.year - 1


def n() -> int:
    return next(_counter)


def customer(customer_id: str | None = None, *, name: str = "Pat Example", email: str | None = None) -> Customer:
    cid = customer_id or f"CUS-{n():06d}"
    return Customer(
        customer_id=cid,
        name=name,
        email=email or f"{cid.lower()}@example.org",
        phone="+1 555 010 0000",
        address=PostalAddress(line1="1 Main St", city="Springfield", region="IL", postal_code="62701"),
    )


def account(customer_id: str, *, number: str | None = None, department: str = "utilities") -> Account:
    return Account(
        account_number=number or f"UT-{200000 + n()}",
        customer_id=customer_id,
        department=department,
        description="Water and sewer",
        opened_on=date(2020, 1, 1),
    )


def invoice(
    customer_id: str,
    account_number: str,
    *,
    amount: int = 10_000,
    paid: int = 0,
    due: date | None = None,
    department: str = "utilities",
    number: str | None = None,
    currency: str = "USD",
) -> Invoice:
    due_date = due or TODAY + timedelta(days=14)
    issue = due_date - timedelta(days=30)
    i = n()
    return Invoice(
        invoice_id=f"inv_{i:026d}",
        invoice_number=number or f"UT-2026-{i:05d}",
        customer_id=customer_id,
        account_number=account_number,
        department=department,
        issue_date=issue,
        due_date=due_date,
        currency=currency,
        lines=[InvoiceLine(description="Usage", fee_code="WATER", unit_amount=amount, amount=amount)],
        amount=amount,
        paid=paid,
        balance=amount - paid,
        status=invoice_status_for(amount, amount - paid),
    )


def payment(
    customer_id: str | None,
    *,
    amount: int = 5_000,
    status: PaymentStatus = PaymentStatus.POSTED,
    at: datetime | None = None,
    transaction_id: str | None = None,
    receipt_number: str | None = None,
    channel: Channel = Channel.PORTAL,
) -> Payment:
    when = at or NOW
    i = n()
    return Payment(
        payment_id=f"pay_{i:026d}",
        customer_id=customer_id,
        amount=amount,
        currency="USD",
        method=MethodDetail(type=PaymentMethodType.CARD, brand="visa", last4="4242"),
        channel=channel,
        status=status,
        history=[StatusChange(status=status, at=when, by="processor")],
        processor="sandbox",
        transaction_id=transaction_id or f"sbx_{i:012d}",
        receipt_number=receipt_number,
        created_at=when,
    )


def receipt(p: Payment, number: str) -> Receipt:
    return Receipt(
        receipt_number=number,
        payment_id=p.payment_id,
        customer_id=p.customer_id,
        issued_at=p.created_at,
        currency=p.currency,
        lines=[ReceiptLine(description="Payment", amount=p.amount)],
        total=p.amount,
    )


def credit_note(customer_id: str, account_number: str, *, amount: int = 1_500) -> CreditNote:
    i = n()
    return CreditNote(
        credit_note_id=f"cn_{i:026d}",
        number=f"CN-{i:06d}",
        customer_id=customer_id,
        account_number=account_number,
        department="utilities",
        currency="USD",
        amount=amount,
        remaining=amount,
        reason="Meter misread",
        issued_on=TODAY - timedelta(days=3),
    )


def plan(customer_id: str, account_number: str, *, amounts: tuple[int, ...] = (2_000, 2_000)) -> Schedule:
    return Schedule(
        schedule_id=f"sch_{n():026d}",
        customer_id=customer_id,
        kind=ScheduleKind.PLAN,
        account_number=account_number,
        currency="USD",
        instalments=[
            Instalment(due_date=TODAY + timedelta(days=30 * (k + 1)), amount=a) for k, a in enumerate(amounts)
        ],
        created_at=NOW,
    )
